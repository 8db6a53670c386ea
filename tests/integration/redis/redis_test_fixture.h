#pragma once
// Shared set-up for the Redis adapter's integration tests: a fresh redis-server per test and
// helpers to build instances. The fixture skips, saying why, when redis-server is missing.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "adapters/redis/redis_client.h"
#include "engine/domain/clock.h"
#include "engine/store/state_store.h"
#include "tests/support/redis_server_process.h"

namespace sundial::adapters::redis {

using namespace std::chrono_literals;

inline constexpr char kPrefix[] = "sundial";
inline constexpr long long kBaseMs = 1'700'000'000'000;

// A clock that only moves when a test says so.
class ManualClock final : public Clock {
 public:
  SteadyTime steadyNow() const override { return SteadyTime(std::chrono::milliseconds(now_ms)); }
  UtcTime utcNow() const override { return fromEpochMs(now_ms); }
  long long now_ms = kBaseMs;
};

inline std::string studyUid(int n) { return "1.2.840.99." + std::to_string(n); }
inline std::string sopUid(int study, int n) {
  return "1.2.840.99." + std::to_string(study) + "." + std::to_string(n);
}

inline engine::InstanceRecord makeRecord(int study, int n, std::vector<std::string> destinations,
                                         std::vector<std::string> enqueue_now = {},
                                         long long received_ms = kBaseMs) {
  engine::InstanceRecord record;
  auto& instance = record.instance;
  instance.site = "north";
  instance.calling_ae = "CT01";
  instance.study_uid = studyUid(study);
  instance.series_uid = studyUid(study) + ".1";
  instance.sop_instance_uid = sopUid(study, n);
  instance.sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
  instance.transfer_syntax_uid = "1.2.840.10008.1.2.1";
  instance.modality = "CT";
  instance.spool_path = "/spool/" + instance.study_uid + "/" + instance.sop_instance_uid + ".dcm";
  instance.bytes = 1000 + static_cast<std::uint64_t>(n);
  instance.received_at = fromEpochMs(received_ms);
  record.destinations = std::move(destinations);
  record.enqueue_now = std::move(enqueue_now);
  return record;
}

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::RedisServerProcess::available()) {
      GTEST_SKIP() << "redis-server is not on PATH";
    }
    server_ = std::make_unique<testing::RedisServerProcess>(serverOptions());
    ASSERT_TRUE(server_->start()) << server_->error();
  }

  virtual testing::RedisServerOptions serverOptions() const { return {}; }

  RedisClientOptions clientOptions() const { return {server_->address(), 1000ms, 2000ms}; }

  std::unique_ptr<testing::RedisServerProcess> server_;
};

}  // namespace sundial::adapters::redis
