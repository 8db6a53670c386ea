#pragma once
// Records what a DICOM association delivered, per study: wraps the association's bus
// publisher, counts the instances it published (they are in the spool by then), and when
// the association ends (the publisher is destroyed on its thread) records one
// "instance.received" per study: site, calling AE title (the actor), study UID, count, bytes.
// One per association thread, like the publisher it wraps.

#include <map>
#include <memory>
#include <string>

#include "engine/audit/audit_sink.h"
#include "engine/bus/event_bus.h"

namespace sundial::engine::audit {

class AuditingPublisher final : public EventPublisher {
 public:
  AuditingPublisher(std::unique_ptr<EventPublisher> inner, AuditSink& audit);
  ~AuditingPublisher() override;  // records the batch

  Result<void> publish(const Event& event) override;

 private:
  struct StudyBatch {
    std::string site;
    std::string calling_ae;
    std::uint64_t instances = 0;
    std::uint64_t bytes = 0;
    UtcTime first{};
  };
  std::unique_ptr<EventPublisher> inner_;
  AuditSink& audit_;
  std::map<std::string, StudyBatch> studies_;  // by study UID
};

}  // namespace sundial::engine::audit
