// The report delivery endpoints, called as the HTTP server calls them (no socket), on the
// durable outbox over the in-memory store: who may call, what a request must hold, what
// comes back.
#include "engine/app/reports_api.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/fake_report_outbox.h"
#include "tests/support/fakes.h"
#include "tests/unit/audit/recording_audit_sink.h"

namespace sundial::app {
namespace {

using adapters::http::Principal;
using adapters::http::Request;
using nlohmann::json;

std::shared_ptr<const config::Config> sites() {
  auto config = std::make_shared<config::Config>();
  config::SiteConfig north;
  north.name = "NORTH";
  north.reports.host = "127.0.0.1";
  north.reports.port = 2575;
  config::SiteConfig west;  // no report endpoint
  west.name = "WEST";
  config->sites = {north, west};
  return config;
}

Request post(std::string body, std::optional<Principal> principal = std::nullopt) {
  Request r;
  r.method = "POST";
  r.path = "/api/v1/reports";
  r.body = std::move(body);
  r.principal = std::move(principal);
  return r;
}

Principal withRole(std::string role) {
  Principal p;
  p.user = "u1";
  p.roles = {std::move(role)};
  return p;
}

class ReportsApiTest : public ::testing::Test {
 protected:
  ReportsApiTest() {
    auto store = std::make_unique<testing::FakeOutboxStore>();
    store_ = store.get();
    outbox_ = std::make_unique<engine::DurableReportOutbox>(
        sites(), std::move(store),
        [](const Report& r, const config::SiteConfig&, const std::string& id,
           UtcTime) -> Result<std::string> {
          if (r.accession_number.empty()) {
            return makeError(ErrorCode::InvalidInput, "the report has no accession number");
          }
          return "MSH|" + id;
        },
        clock_, metrics_, audit_, 1);
    api_ = std::make_unique<ReportsApi>(sites(), *outbox_, metrics_);
  }

  testing::FakeClock clock_;
  engine::Metrics metrics_;
  engine::audit::test::RecordingAuditSink audit_;
  testing::FakeOutboxStore* store_ = nullptr;
  std::unique_ptr<engine::DurableReportOutbox> outbox_;
  std::unique_ptr<ReportsApi> api_;
};

TEST_F(ReportsApiTest, QueuesAReportAndSaysItsDeliveryId) {
  auto response = api_->queueReport(post(
      R"({"site":"NORTH","accession_number":"A1","text":"Normal.","status":"preliminary",)"
      R"("task_id":"T9","observed_at_ms":1795990000000,"patient_name":"DOE^JANE"})",
      withRole("dispatcher")));
  ASSERT_EQ(response.status, 202) << response.body;
  const json body = json::parse(response.body);
  const std::string id = body.at("delivery_id");
  EXPECT_EQ(body.at("site"), "NORTH");
  const auto& stored = store_->deliveries.at(id).entry;
  EXPECT_EQ(stored.task_id, "T9");
  EXPECT_EQ(stored.accession_number, "A1");
  EXPECT_EQ(audit_.records().at(0).actor, "u1");
}

TEST_F(ReportsApiTest, OnlyAdminsAndDispatchersMayCall) {
  const std::string body = R"({"site":"NORTH","accession_number":"A1","text":"x"})";
  EXPECT_EQ(api_->queueReport(post(body, withRole("reader"))).status, 403);
  EXPECT_EQ(api_->queueReport(post(body, withRole("site_viewer"))).status, 403);
  EXPECT_EQ(api_->queueReport(post(body, withRole("admin"))).status, 202);
  EXPECT_EQ(api_->queueReport(post(body)).status, 202);  // no authenticator installed
  Request get;
  get.principal = withRole("reader");
  EXPECT_EQ(api_->outboxState(get).status, 403);
  Request retry;
  retry.path_tail = "X/retry";
  retry.principal = withRole("auditor");
  EXPECT_EQ(api_->retryDead(retry).status, 403);
  EXPECT_EQ(store_->deliveries.size(), 2u);
}

TEST_F(ReportsApiTest, NamesWhatIsWrongInARequest) {
  const std::pair<std::string, std::string> cases[] = {
      {"[1]", "JSON object"},
      {R"({"site":"NORTH","text":"x","accession_number":"A","colour":"red"})", "unknown key 'colour'"},
      {R"({"site":"NORTH","text":"x","accession_number":"A","status":"done"})", "status must be"},
      {R"({"site":"NORTH","text":"x","accession_number":"A","observed_at_ms":"yesterday"})",
       "observed_at_ms must be"},
      {R"({"site":"NORTH","text":"x","accession_number":["A"]})", "accession_number must be a string"},
      {R"({"site":"NORTH","accession_number":"A"})", "text is required"},
      {R"({"text":"x"})", "site is required"},
      {R"({"site":"NORTH","text":"x"})", "no accession number"},
      {R"({"site":"EAST","text":"x","accession_number":"A"})", "unknown site 'EAST'"},
  };
  for (const auto& [body, reason] : cases) {
    auto response = api_->queueReport(post(body));
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_NE(response.body.find(reason), std::string::npos) << body << " -> " << response.body;
  }
  auto no_endpoint = api_->queueReport(post(R"({"site":"WEST","text":"x","accession_number":"A"})"));
  EXPECT_EQ(no_endpoint.status, 409);
  EXPECT_NE(no_endpoint.body.find("no report endpoint"), std::string::npos);
  store_->available = false;
  EXPECT_EQ(api_->queueReport(post(R"({"site":"NORTH","text":"x","accession_number":"A"})")).status,
            503);
  EXPECT_TRUE(store_->deliveries.empty());
}

TEST_F(ReportsApiTest, ShowsTheOutboxAndRetriesADeadLetter) {
  auto queued = api_->queueReport(post(R"({"site":"NORTH","text":"x","accession_number":"A"})"));
  const std::string id = json::parse(queued.body).at("delivery_id");
  auto claimed = store_->claim("NORTH", "w", std::chrono::milliseconds(0)).value().value();
  ASSERT_TRUE(store_->deadLetter(claimed, "w", "AR: not for us").ok());

  Request get;
  auto state = api_->outboxState(get);
  ASSERT_EQ(state.status, 200) << state.body;
  const json sites = json::parse(state.body).at("sites");
  ASSERT_EQ(sites.size(), 1u);  // WEST has no endpoint
  EXPECT_EQ(sites[0].at("site"), "NORTH");
  EXPECT_EQ(sites[0].at("queue").at("dead"), 1);
  EXPECT_EQ(sites[0].at("dead_letters")[0].at("delivery_id"), id);
  EXPECT_EQ(sites[0].at("dead_letters")[0].at("reason"), "AR: not for us");

  Request retry;
  retry.path_tail = id + "/retry";
  auto retried = api_->retryDead(retry);
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(json::parse(retried.body).at("state"), "ready");
  EXPECT_EQ(store_->stateOf(id), "ready");
  EXPECT_EQ(api_->retryDead(retry).status, 404);  // not dead any more
  retry.path_tail = id + "/again";
  EXPECT_EQ(api_->retryDead(retry).status, 404);
  retry.path_tail = "a/b/retry";
  EXPECT_EQ(api_->retryDead(retry).status, 404);
}

}  // namespace
}  // namespace sundial::app
