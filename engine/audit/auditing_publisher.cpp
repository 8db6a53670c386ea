#include "engine/audit/auditing_publisher.h"

#include <variant>

namespace sundial::engine::audit {

AuditingPublisher::AuditingPublisher(std::unique_ptr<EventPublisher> inner, AuditSink& audit)
    : inner_(std::move(inner)), audit_(audit) {}

AuditingPublisher::~AuditingPublisher() {
  for (const auto& [study_uid, batch] : studies_) {
    AuditRecord record;
    record.action = "instance.received";
    record.actor = batch.calling_ae;
    record.site = batch.site;
    record.study_uid = study_uid;
    record.details = {{"count", std::to_string(batch.instances)},
                      {"bytes", std::to_string(batch.bytes)},
                      {"first_received", std::to_string(toEpochMs(batch.first))}};
    audit_.record(std::move(record));
  }
}

Result<void> AuditingPublisher::publish(const Event& event) {
  auto published = inner_->publish(event);
  if (!published) return published;
  if (const auto* spooled = std::get_if<InstanceSpooled>(&event)) {
    const SpooledInstance& instance = spooled->instance;
    StudyBatch& batch = studies_[instance.study_uid];
    if (batch.instances == 0) {
      batch.site = instance.site;
      batch.calling_ae = instance.calling_ae;
      batch.first = instance.received_at;
    }
    ++batch.instances;
    batch.bytes += instance.bytes;
  }
  return published;
}

}  // namespace sundial::engine::audit
