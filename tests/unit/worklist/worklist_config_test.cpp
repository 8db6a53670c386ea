#include <gtest/gtest.h>

#include "engine/config/config_loader.h"

namespace sundial::config {
namespace {

using namespace std::chrono_literals;

const std::string kBase = R"(
node: {data_dir: data}
destinations:
  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 11113}
)";

LoadOutcome load(const std::string& extra) {
  return loadConfigText(kBase + extra, "test.yaml", "/srv");
}

std::string problems(const LoadOutcome& o) {
  std::string out;
  for (const auto& p : o.problems) out += p.describe() + "\n";
  return out;
}

TEST(WorklistConfig, DefaultsWhenAbsent) {
  auto o = load("sites:\n  - {name: DEMO, destinations: [ARCHIVE], callers: [{ae_title: MOD, addresses: [127.0.0.1]}]}\n");
  ASSERT_TRUE(o.config) << problems(o);
  EXPECT_EQ(o.config->worklist.claim_lease, 15min);
  EXPECT_EQ(o.config->worklist.sla.stat, 30min);
  EXPECT_EQ(o.config->worklist.sla.routine, 24h);
  EXPECT_DOUBLE_EQ(o.config->worklist.sla.warn_at, 0.75);
  EXPECT_FALSE(o.config->sites[0].sla.stat.has_value());
}

TEST(WorklistConfig, ReadsEverySetting) {
  auto o = load(R"(
worklist:
  claim_lease_ms: 600000
  reader_offline_after_ms: 60000
  sla: {stat_minutes: 20, urgent_minutes: 90, routine_minutes: 720, warn_at: 0.5}
  rvu:
    default: 0.8
    by_modality: {CT: 1.5, MR: 2}
    by_procedure: {CTHEAD: 1.2}
  webhook: {url: "http://127.0.0.1:9000/sla", timeout_ms: 2000, max_attempts: 3}
sites:
  - name: DEMO
    destinations: [ARCHIVE]
    callers: [{ae_title: MOD, addresses: [127.0.0.1]}]
    sla: {stat_minutes: 15, warn_at: 0.8}
    viewer_url: "https://viewer.example/?study={study_uid}"
)");
  ASSERT_TRUE(o.config) << problems(o);
  const auto& w = o.config->worklist;
  EXPECT_EQ(w.claim_lease, 10min);
  EXPECT_EQ(w.reader_offline_after, 60s);
  EXPECT_EQ(w.sla.stat, 20min);
  EXPECT_EQ(w.sla.urgent, 90min);
  EXPECT_EQ(w.sla.routine, 12h);
  EXPECT_DOUBLE_EQ(w.sla.warn_at, 0.5);
  EXPECT_DOUBLE_EQ(w.rvu.default_rvu, 0.8);
  EXPECT_DOUBLE_EQ(w.rvu.by_modality.at("MR"), 2.0);
  EXPECT_DOUBLE_EQ(w.rvu.by_procedure.at("CTHEAD"), 1.2);
  EXPECT_EQ(w.webhook.url, "http://127.0.0.1:9000/sla");
  EXPECT_EQ(w.webhook.max_attempts, 3);
  const auto& site = o.config->sites[0];
  EXPECT_EQ(site.sla.stat, 15min);
  EXPECT_FALSE(site.sla.urgent.has_value());
  EXPECT_DOUBLE_EQ(*site.sla.warn_at, 0.8);
}

TEST(WorklistConfig, NamesEachBadValue) {
  auto o = load(R"(
worklist:
  claim_lease_ms: 5
  sla: {stat_minutes: -1, warn_at: 1.5, typo: 3}
  rvu: {by_modality: {CT: lots}}
  webhook: {url: "ftp://x", max_attempts: 0}
sites:
  - name: DEMO
    destinations: [ARCHIVE]
    callers: [{ae_title: MOD, addresses: [127.0.0.1]}]
    sla: {routine_minutes: 0}
)");
  ASSERT_FALSE(o.config);
  const std::string all = problems(o);
  for (const char* expected :
       {"worklist.claim_lease_ms must be at least 10000", "worklist.sla.stat_minutes must be more than 0",
        "worklist.sla.warn_at must be a fraction", "unknown key 'typo' in worklist.sla",
        "worklist.rvu.by_modality.CT must be a number", "worklist.webhook.url must start with http://",
        "worklist.webhook.max_attempts must be between 1 and 100", ".sla.routine_minutes must be more than 0"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << all;
  }
}

}  // namespace
}  // namespace sundial::config
