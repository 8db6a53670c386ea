#pragma once
// An AuditSink that keeps what it is given, for tests of the components that record.

#include <mutex>
#include <vector>

#include "engine/audit/audit_sink.h"

namespace sundial::engine::audit::test {

class RecordingAuditSink final : public AuditSink {
 public:
  void record(AuditRecord record) override {
    std::lock_guard lock(mutex_);
    records_.push_back(std::move(record));
  }
  std::vector<AuditRecord> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<AuditRecord> records_;
};

}  // namespace sundial::engine::audit::test
