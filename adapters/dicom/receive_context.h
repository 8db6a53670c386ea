#pragma once
// What every association thread of one StorageReceiver shares: the settings and the
// collaborators (all thread-safe), the metrics series, the stop flag and the registry of
// open connections that stop() may cut. Owned by the receiver; outlives every association.

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "adapters/dicom/receive_length_hints.h"
#include "adapters/dicom/receive_storage_receiver.h"

namespace sundial::adapters::dicom {

// Why an instance was refused: the `reason` label of sundial_instances_refused_total.
enum class InstanceRefusal {
  NotAccepting,    // the node is not taking work (Redis down)
  OutOfResources,  // spool full or unwritable
  Unreadable,      // not a data set DCMTK can parse
  MissingUid,      // no Study, Series or SOP Instance UID, or no SOP Class UID
  InvalidUid,      // a UID that is not digits and dots
  UidMismatch,     // data set and C-STORE request disagree on the SOP Instance or Class UID
  ReceiveFailed,   // the data set did not arrive (connection lost, timeout)
  Internal,        // a bug on our side
};
std::string_view refusalName(InstanceRefusal refusal);

// Why an association was rejected: the `reason` label of sundial_associations_rejected_total.
enum class AssociationRejection {
  CalledAe,               // called AE title is not ours
  UnknownCaller,          // calling AE title and address belong to no site
  NotAccepting,           // the node is not taking work (rejected as transient)
  NoPresentationContext,  // nothing proposed that we accept
  SiteSecurity,           // the site needs TLS, or its certificate does not name it
  SiteLimit,              // the site is at its association limit (rejected as transient)
  Internal,
};
std::string_view rejectionName(AssociationRejection rejection);

// Sockets of running associations, so that stop() can cut those that outlive the grace
// period. The mutex guards fds_; shutdown(2) is called under it so a socket cannot be
// closed and its number reused between lookup and shutdown.
class OpenConnections {
 public:
  void add(const void* association, int fd);
  void remove(const void* association);
  int shutdownAll();  // returns how many were cut

 private:
  std::mutex mutex_;
  std::map<const void*, int> fds_;
};

struct ReceiveContext {
  ReceiveContext(ReceiverSettings settings, CallerPolicy policy, engine::Spool& spool,
                 PublisherFactory publishers, AcceptingWork accepting, engine::Metrics& metrics,
                 const Clock& clock);

  engine::Counter& refused(InstanceRefusal refusal);
  engine::Counter& rejected(AssociationRejection rejection);
  // Per-site series; looks them up in the registry (takes its lock): once per association.
  engine::Counter& instancesReceived(const std::string& site);
  engine::Counter& bytesReceived(const std::string& site);

  const ReceiverSettings settings;
  const CallerPolicy policy;
  engine::Spool& spool;
  const PublisherFactory publishers;
  const AcceptingWork accepting;
  engine::Metrics& metrics;
  const Clock& clock;
  std::atomic<bool> stopping{false};
  OpenConnections connections;
  ReceiveLengthHints lengths;  // for the spool's choice of a recycled file
};

}  // namespace sundial::adapters::dicom
