#include "engine/reports/durable_report_outbox.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/support/fake_report_outbox.h"
#include "tests/support/fakes.h"
#include "tests/unit/audit/recording_audit_sink.h"

namespace sundial::engine {
namespace {

using testing::FakeClock;
using testing::FakeOutboxStore;

std::shared_ptr<const config::Config> twoSites() {
  auto config = std::make_shared<config::Config>();
  config::SiteConfig north;
  north.name = "NORTH";
  north.reports.host = "127.0.0.1";
  north.reports.port = 2575;
  north.hl7.version = "2.3";
  config::SiteConfig south;  // takes no reports over HL7
  south.name = "SOUTH";
  config->sites = {north, south};
  return config;
}

Report report(const std::string& site) {
  Report r;
  r.site = site;
  r.accession_number = "ACC1";
  r.text = "Normal.";
  return r;
}

class DurableReportOutboxTest : public ::testing::Test {
 protected:
  DurableReportOutboxTest() {
    auto store = std::make_unique<FakeOutboxStore>();
    store_ = store.get();
    outbox_ = std::make_unique<DurableReportOutbox>(
        twoSites(), std::move(store),
        [this](const Report& r, const config::SiteConfig& site, const std::string& id,
               UtcTime) -> Result<std::string> {
          if (r.text.empty()) return makeError(ErrorCode::InvalidInput, "the report has no text");
          built_for_.push_back(site.name + "/" + site.hl7.version);
          return "MSH|" + id + "|" + r.text;
        },
        clock_, metrics_, audit_, 42);
  }

  FakeClock clock_;
  Metrics metrics_;
  audit::test::RecordingAuditSink audit_;
  FakeOutboxStore* store_ = nullptr;
  std::vector<std::string> built_for_;
  std::unique_ptr<DurableReportOutbox> outbox_;
};

TEST_F(DurableReportOutboxTest, StoresTheSitesMessageUnderAFreshId) {
  auto id = outbox_->enqueue(report("NORTH"), "task-7");
  ASSERT_TRUE(id.ok()) << id.error().describe();
  const auto& stored = store_->deliveries.at(id.value());
  EXPECT_EQ(stored.state, "ready");
  EXPECT_EQ(stored.entry.site, "NORTH");
  EXPECT_EQ(stored.entry.task_id, "task-7");
  EXPECT_EQ(stored.entry.message, "MSH|" + id.value() + "|Normal.");  // the id is MSH-10
  EXPECT_EQ(stored.entry.queued_at, clock_.utcNow());
  EXPECT_EQ(built_for_, std::vector<std::string>{"NORTH/2.3"});
  EXPECT_EQ(metrics_.counter("sundial_reports_queued_total", "").value(), 1u);
  const auto records = audit_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].action, "report.queued");
  EXPECT_EQ(records[0].actor, "engine");
  EXPECT_EQ(records[0].site, "NORTH");
  EXPECT_EQ(records[0].accession_number, "ACC1");
  EXPECT_EQ(records[0].details.at("delivery_id"), id.value());
  EXPECT_EQ(records[0].details.at("status"), "final");
}

TEST_F(DurableReportOutboxTest, ChangesThroughTheApiNameTheirUser) {
  auto id = outbox_->enqueueAs(report("NORTH"), "", "dispatcher1");
  ASSERT_TRUE(id.ok());
  store_->deliveries.at(id.value()).state = "dead";
  store_->dead.push_back(id.value());
  auto site = outbox_->retryDead(id.value(), "admin1");
  ASSERT_TRUE(site.ok()) << site.error().describe();
  EXPECT_EQ(site.value(), "NORTH");
  const auto records = audit_.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].actor, "dispatcher1");
  EXPECT_EQ(records[1].action, "report.retried");
  EXPECT_EQ(records[1].actor, "admin1");
  EXPECT_FALSE(outbox_->retryDead(id.value(), "admin1").ok());  // not dead any more
  EXPECT_EQ(audit_.records().size(), 2u);
}

TEST_F(DurableReportOutboxTest, IdsAreShortUniqueAndSafeAsControlIds) {
  std::set<std::string> ids;
  for (int i = 0; i < 500; ++i) {
    auto id = outbox_->enqueue(report("NORTH"), "t");
    ASSERT_TRUE(id.ok());
    EXPECT_LE(id->size(), 20u);
    for (const char c : id.value()) EXPECT_TRUE(std::isupper(c) || std::isdigit(c)) << id.value();
    ids.insert(id.value());
  }
  EXPECT_EQ(ids.size(), 500u);  // same millisecond every time: the random part separates them
}

TEST_F(DurableReportOutboxTest, RefusesUnknownSitesAndSitesWithoutAnEndpoint) {
  auto unknown = outbox_->enqueue(report("WEST"), "t");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
  EXPECT_NE(unknown.error().message.find("WEST"), std::string::npos);

  auto no_endpoint = outbox_->enqueue(report("SOUTH"), "t");
  ASSERT_FALSE(no_endpoint.ok());
  EXPECT_EQ(no_endpoint.error().code, ErrorCode::Rejected);
  EXPECT_NE(no_endpoint.error().message.find("no report endpoint"), std::string::npos);
  EXPECT_TRUE(store_->deliveries.empty());
}

TEST_F(DurableReportOutboxTest, NothingIsQueuedWhenTheMessageCannotBeBuiltOrStored) {
  Report empty = report("NORTH");
  empty.text.clear();
  auto refused = outbox_->enqueue(empty, "t");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidInput);

  store_->available = false;
  auto down = outbox_->enqueue(report("NORTH"), "t");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::Unavailable);
  EXPECT_TRUE(store_->deliveries.empty());
  EXPECT_EQ(metrics_.counter("sundial_reports_queued_total", "").value(), 0u);
  EXPECT_TRUE(audit_.records().empty());
}

TEST_F(DurableReportOutboxTest, ListsOnlySitesWithAnEndpoint) {
  const auto sites = outbox_->reportingSites();
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0]->name, "NORTH");
}

}  // namespace
}  // namespace sundial::engine
