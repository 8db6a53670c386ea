#pragma once
// Where every component reports what happened, for the audit trail (engine/audit): who did
// what to which study or patient, when, with what outcome and why. Implementations append
// durably (hash-chained on disk) and must be safe to call from any thread.

#include <map>
#include <string>

#include "engine/domain/clock.h"

namespace sundial::engine {

struct AuditRecord {
  std::string action;      // "instance.received", "order.received", "rule.decision",
                           // "task.claimed", "api.view", "login.failed", ... (dotted, stable)
  std::string actor;       // user, reader id, site (for what a site sent) or "engine"
  std::string outcome = "success";  // "success", "failure", "refused"
  std::string site;
  std::string study_uid;
  std::string patient_id;  // kept in the trail (it is the record of access), never logged
  std::string accession_number;
  std::map<std::string, std::string> details;  // reasons, rule version, peer address ...
  UtcTime at{};            // filled by the sink when left empty
};

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void record(AuditRecord record) = 0;
};

// For tests and for components built before the trail is configured.
class NullAuditSink final : public AuditSink {
 public:
  void record(AuditRecord) override {}
};

}  // namespace sundial::engine
