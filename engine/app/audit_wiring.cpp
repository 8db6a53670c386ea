#include "engine/app/audit_wiring.h"

#include "engine/audit/auditing_publisher.h"

namespace sundial::app {

adapters::dicom::CallerPolicy auditedCallerPolicy(adapters::dicom::CallerPolicy policy,
                                                  engine::AuditSink& audit) {
  return [policy = std::move(policy), &audit](const std::string& calling_ae,
                                              const std::string& peer_ip,
                                              const std::string& called_ae, std::string& reason) {
    std::optional<std::string> site = policy(calling_ae, peer_ip, called_ae, reason);
    if (!site) {
      engine::AuditRecord record;
      record.action = "association.rejected";
      record.actor = calling_ae;
      record.outcome = "refused";
      record.details = {{"peer_address", peer_ip},
                        {"called_ae", called_ae},
                        {"reason", reason.empty() ? "unknown caller" : reason}};
      audit.record(std::move(record));
    }
    return site;
  };
}

adapters::dicom::PublisherFactory auditedPublishers(adapters::dicom::PublisherFactory publishers,
                                                    engine::AuditSink& audit) {
  return [publishers = std::move(publishers), &audit]() -> std::unique_ptr<engine::EventPublisher> {
    return std::make_unique<engine::audit::AuditingPublisher>(publishers(), audit);
  };
}

}  // namespace sundial::app
