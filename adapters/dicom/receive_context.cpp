#include "adapters/dicom/receive_context.h"

#include <sys/socket.h>

namespace sundial::adapters::dicom {

std::string_view refusalName(InstanceRefusal refusal) {
  switch (refusal) {
    case InstanceRefusal::NotAccepting: return "not_accepting";
    case InstanceRefusal::OutOfResources: return "out_of_resources";
    case InstanceRefusal::Unreadable: return "unreadable";
    case InstanceRefusal::MissingUid: return "missing_uid";
    case InstanceRefusal::InvalidUid: return "invalid_uid";
    case InstanceRefusal::UidMismatch: return "uid_mismatch";
    case InstanceRefusal::ReceiveFailed: return "receive_failed";
    case InstanceRefusal::Internal: return "internal";
  }
  return "internal";
}

std::string_view rejectionName(AssociationRejection rejection) {
  switch (rejection) {
    case AssociationRejection::CalledAe: return "called_ae";
    case AssociationRejection::UnknownCaller: return "unknown_caller";
    case AssociationRejection::NotAccepting: return "not_accepting";
    case AssociationRejection::NoPresentationContext: return "no_presentation_context";
    case AssociationRejection::SiteSecurity: return "site_security";
    case AssociationRejection::SiteLimit: return "site_limit";
    case AssociationRejection::Internal: return "internal";
  }
  return "internal";
}

void OpenConnections::add(const void* association, int fd) {
  std::lock_guard lock(mutex_);
  fds_[association] = fd;
}

void OpenConnections::remove(const void* association) {
  std::lock_guard lock(mutex_);
  fds_.erase(association);
}

int OpenConnections::shutdownAll() {
  std::lock_guard lock(mutex_);
  int cut = 0;
  for (const auto& [association, fd] : fds_) {
    if (::shutdown(fd, SHUT_RDWR) == 0) ++cut;
  }
  return cut;
}

ReceiveContext::ReceiveContext(ReceiverSettings settings_in, CallerPolicy policy_in,
                               engine::Spool& spool_in, PublisherFactory publishers_in,
                               AcceptingWork accepting_in, engine::Metrics& metrics_in,
                               const Clock& clock_in)
    : settings(std::move(settings_in)),
      policy(std::move(policy_in)),
      spool(spool_in),
      publishers(std::move(publishers_in)),
      accepting(std::move(accepting_in)),
      metrics(metrics_in),
      clock(clock_in) {}

engine::Counter& ReceiveContext::refused(InstanceRefusal refusal) {
  return metrics.counter("sundial_instances_refused_total",
                         "C-STORE requests answered with a failure status, by reason",
                         {{"reason", std::string(refusalName(refusal))}});
}

engine::Counter& ReceiveContext::rejected(AssociationRejection rejection) {
  return metrics.counter("sundial_associations_rejected_total",
                         "DICOM associations rejected at negotiation, by reason",
                         {{"reason", std::string(rejectionName(rejection))}});
}

engine::Counter& ReceiveContext::instancesReceived(const std::string& site) {
  return metrics.counter("sundial_instances_received_total",
                         "Instances received and committed to the spool, by site",
                         {{"site", site}});
}

engine::Counter& ReceiveContext::bytesReceived(const std::string& site) {
  return metrics.counter("sundial_bytes_received_total",
                         "Bytes of instances committed to the spool, by site", {{"site", site}});
}

}  // namespace sundial::adapters::dicom
