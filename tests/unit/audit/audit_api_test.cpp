// GET /api/v1/audit without a server: parameters, roles, and the query recorded on the trail.

#include "engine/app/audit_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "audit_test_support.h"
#include "engine/audit/trail_writer.h"
#include "recording_audit_sink.h"

namespace sundial::app {
namespace {

using adapters::http::Principal;
using adapters::http::Request;

class AuditApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::audit::AuditTrailOptions o;
    o.folder = temp_.path() / "audit";
    o.anchor_key = "k";
    o.fsync = false;
    engine::audit::AuditTrailWriter writer(o, clock_);
    ASSERT_TRUE(writer.start());
    for (int i = 0; i < 6; ++i) writer.record(engine::audit::test::sampleRecord(i));
    writer.stop();
  }
  Request request(std::map<std::string, std::string> query, std::vector<std::string> roles = {"auditor"}) {
    Request r;
    r.method = "GET";
    r.target = "/api/v1/audit";
    r.path = "/api/v1/audit";
    r.query = std::move(query);
    r.peer_address = "127.0.0.1";
    r.principal = Principal{"alice", std::move(roles), {}, {}};
    return r;
  }

  engine::audit::test::TempFolder temp_;
  engine::audit::test::ManualClock clock_;
  engine::audit::test::RecordingAuditSink sink_;
  AuditApi api_{temp_.path() / "audit", sink_};
};

TEST_F(AuditApiTest, FindsByPatientAndRecordsTheQuery) {
  auto response = api_.query(request({{"patient_id", "PAT0"}}));
  ASSERT_EQ(response.status, 200) << response.body;
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["count"], 2);  // records 1 and 6 (i % 5 == 0)
  EXPECT_EQ(body["records"][0]["patient_id"], "PAT0");
  EXPECT_EQ(body["records"][1]["seq"], 6);
  EXPECT_EQ(body["truncated"], false);
  auto recorded = sink_.records();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].action, "audit.query");
  EXPECT_EQ(recorded[0].actor, "alice");
  EXPECT_EQ(recorded[0].patient_id, "PAT0");
  EXPECT_EQ(recorded[0].details.at("returned"), "2");
}

TEST_F(AuditApiTest, TimeRangeAndLimit) {
  auto all = api_.query(request({{"from", "2027-01-15"}, {"to", "2027-01-16T00:00:00Z"}, {"limit", "4"}}));
  ASSERT_EQ(all.status, 200) << all.body;
  auto body = nlohmann::json::parse(all.body);
  EXPECT_EQ(body["count"], 4);
  EXPECT_EQ(body["truncated"], true);
  auto none = api_.query(request({{"to", "1800000000000"}}));  // exclusive: before the first
  EXPECT_EQ(nlohmann::json::parse(none.body)["count"], 0);
}

TEST_F(AuditApiTest, BadParametersAreNamed) {
  struct Case { std::map<std::string, std::string> query; const char* says; };
  const Case cases[] = {
      {{{"from", "yesterday"}}, "from must be"},
      {{{"to", "2027-13-01"}}, "to must be"},
      {{{"from", "2027-01-16"}, {"to", "2027-01-15"}}, "to must be after from"},
      {{{"limit", "0"}}, "limit must be between 1 and 10000"},
      {{{"limit", "abc"}}, "limit must be"},
      {{{"patient", "PAT1"}}, "unknown parameter 'patient'"},
  };
  for (const Case& c : cases) {
    auto response = api_.query(request(c.query));
    EXPECT_EQ(response.status, 400) << c.says;
    EXPECT_NE(response.body.find(c.says), std::string::npos) << response.body;
  }
  EXPECT_TRUE(sink_.records().empty()) << "a refused query reads nothing";
}

TEST_F(AuditApiTest, OnlyAuditorsAndAdmins) {
  EXPECT_EQ(api_.query(request({}, {"admin"})).status, 200);
  EXPECT_EQ(api_.query(request({}, {"reader", "dispatcher"})).status, 403);
  EXPECT_EQ(api_.query(request({}, {})).status, 403);
}

}  // namespace
}  // namespace sundial::app
