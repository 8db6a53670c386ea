#pragma once
// KeySchema: every Redis key Sundial uses, built in one place. Keys carry a schema version
// so an incompatible change can live next to old data. Immutable; safe from any thread.
//
//   <prefix>:v1:inst:<sop uid>                 hash   one instance: study, series, sop_class,
//                                                     ts, path, node (whose spool holds path),
//                                                     bytes, received_ms, site,
//                                                     calling_ae, modality, remaining,
//                                                     dst:<dest> = owed|queued|sent|dead,
//                                                     att:<dest> (failed attempts),
//                                                     err:<dest> (last failure reason)
//   <prefix>:v1:study:<uid>                    hash   site, modality, instances, bytes,
//                                                     first_ms, last_ms, state, completed_ms,
//                                                     node (received its latest instance),
//                                                     p:<dest>, s:<dest>, f:<dest>
//                                                     (pending, sent, failed)
//   <prefix>:v1:study:<uid>:instances          zset   SOP Instance UIDs by received_ms
//   <prefix>:v1:studies:open                   zset   receiving studies by last received ms
//   <prefix>:v1:studies:active                 zset   every study by last activity ms
//   <prefix>:v1:fwd:<dest>:ready:<node>        list   SOP UIDs whose spool file is on that
//                                                     node (instance field `node`); LPUSH to
//                                                     enqueue, taken from the right (oldest
//                                                     first) by that node's workers only.
//                                                     Without a node name (tests, instances
//                                                     recorded before nodes had queues of
//                                                     their own): <prefix>:v1:fwd:<dest>:ready
//   <prefix>:v1:nodes                          set    node names that have claimed (depth)
//   <prefix>:v1:lease:<name>                   string the node holding a cluster-wide lease
//                                                     (engine/store/cluster_lease.h), expiring
//   <prefix>:v1:spool:<node>:release           list   spool file paths on that node nothing
//                                                     needs any more, released by another node
//                                                     (dispatch); the node removes them
//   <prefix>:v1:fwd:<dest>:inflight:<worker>   list   claimed by that worker
//   <prefix>:v1:fwd:<dest>:workers             set    workers that have claimed (depth)
//   <prefix>:v1:fwd:<dest>:waiting             zset   SOP UIDs by due ms (retries)
//   <prefix>:v1:fwd:<dest>:dead                list   "<ms>|<sop>|<study>|<reason>", newest
//                                                     first
//   <prefix>:v1:dispatch:pending               zset   complete studies awaiting a routing
//                                                     decision, by due ms (engine/dispatch)
//   <prefix>:v1:dispatch:exclude:<study uid>   set    readers a re-dispatch must not choose
//   <prefix>:v1:dispatch:decisions             stream every routing decision (JSON), for
//                                                     replay and review
//
// UIDs are checked with isValidUid and destination and worker names with isValidKeyName
// before they reach a key, so no part can contain the ':' separator.

#include <string>
#include <string_view>

namespace sundial::adapters::redis {

// Letters, digits, '_', '-', '.'; 1..128 characters (the configuration's rule for names).
bool isValidKeyName(std::string_view name);

class KeySchema {
 public:
  static constexpr std::string_view kVersion = "v1";

  explicit KeySchema(std::string_view prefix);

  std::string instance(std::string_view sop_uid) const;
  std::string study(std::string_view study_uid) const;
  std::string studyInstances(std::string_view study_uid) const;
  std::string openStudies() const;
  std::string activeStudies() const;

  // The ready list of `destination` on `node` (the node whose spool holds the files); an
  // empty node names the list of instances recorded without a node.
  std::string ready(std::string_view destination, std::string_view node = {}) const;
  std::string nodes() const;
  std::string lease(std::string_view name) const;
  std::string spoolRelease(std::string_view node) const;
  std::string spoolPrefix() const;  // spoolPrefix() + node + ":release" is spoolRelease(node)
  std::string inFlight(std::string_view destination, std::string_view worker) const;
  std::string workers(std::string_view destination) const;
  std::string waiting(std::string_view destination) const;
  std::string dead(std::string_view destination) const;
  std::string forwardPrefix() const;  // forwardPrefix() + dest + ":ready" is ready(dest)

  std::string dispatchPending() const;
  std::string dispatchExclusions(std::string_view study_uid) const;
  std::string dispatchDecisions() const;

  // Prefixes that scripts complete with an id when the ids are only known inside Redis
  // (the instances of a study, the workers of a destination): instancePrefix() + sop is
  // instance(sop), inFlightPrefix(dest) + worker is inFlight(dest, worker).
  std::string instancePrefix() const;
  std::string studyPrefix() const;  // studyPrefix() + uid is study(uid)
  std::string inFlightPrefix(std::string_view destination) const;

 private:
  std::string base_;  // "<prefix>:v1:"
};

}  // namespace sundial::adapters::redis
