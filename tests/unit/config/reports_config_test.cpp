// The `reports:` section and a site's `reports:` endpoint (report delivery).
#include <gtest/gtest.h>

#include "engine/config/config_loader.h"

namespace sundial::config {
namespace {

std::string withReports(const std::string& reports, const std::string& site_extra = "") {
  return R"(
node:
  data_dir: data
sites:
  - name: NORTH
    time_zone: UTC
    state: TX
    callers: [{ae_title: CT1, addresses: [127.0.0.1]}]
)" + site_extra + reports;
}

std::string problems(const LoadOutcome& outcome) {
  std::string out;
  for (const auto& p : outcome.problems) out += p.describe() + "\n";
  return out;
}

TEST(ReportsConfig, DefaultsWhenAbsent) {
  auto outcome = loadConfigText(withReports(""), "t.yaml", "/srv");
  ASSERT_TRUE(outcome.config) << problems(outcome);
  const ReportsConfig& r = outcome.config->reports;
  EXPECT_EQ(r.max_attempts, 20);
  EXPECT_EQ(r.sending_application, "SUNDIAL");
  EXPECT_EQ(r.sending_facility, "SUNDIAL");
  EXPECT_EQ(r.idle_connection_timeout.count(), 30000);
  EXPECT_EQ(r.delivered_retention.count(), 168);
  EXPECT_TRUE(outcome.config->sites[0].reports.host.empty());
}

TEST(ReportsConfig, ReadsEveryKeyAndTheSiteEndpoint) {
  auto outcome = loadConfigText(withReports(R"(reports:
  max_attempts: 5
  initial_backoff_ms: 200
  max_backoff_ms: 1000
  ack_timeout_ms: 2000
  connect_timeout_ms: 500
  idle_connection_timeout_ms: 10000
  sending_application: SUNDIAL_RAD
  sending_facility: TELERAD
  delivered_retention_hours: 24
)", "    reports: {host: 10.0.0.5, port: 6661}\n    hl7: {version: '2.3', charset: 8859/1}\n"),
                                "t.yaml", "/srv");
  ASSERT_TRUE(outcome.config) << problems(outcome);
  const ReportsConfig& r = outcome.config->reports;
  EXPECT_EQ(r.max_attempts, 5);
  EXPECT_EQ(r.initial_backoff.count(), 200);
  EXPECT_EQ(r.max_backoff.count(), 1000);
  EXPECT_EQ(r.ack_timeout.count(), 2000);
  EXPECT_EQ(r.connect_timeout.count(), 500);
  EXPECT_EQ(r.idle_connection_timeout.count(), 10000);
  EXPECT_EQ(r.sending_application, "SUNDIAL_RAD");
  EXPECT_EQ(r.sending_facility, "TELERAD");
  EXPECT_EQ(r.delivered_retention.count(), 24);
  const SiteConfig& site = outcome.config->sites[0];
  EXPECT_EQ(site.reports.host, "10.0.0.5");
  EXPECT_EQ(site.reports.port, 6661);
  EXPECT_EQ(site.hl7.version, "2.3");
  EXPECT_EQ(site.hl7.charset, "8859/1");
}

TEST(ReportsConfig, NamesWhatIsWrong) {
  auto outcome = loadConfigText(withReports(R"(reports:
  sending_facility: "TELE^RAD"
  max_backoff_ms: 100
  initial_backoff_ms: 1000
  delivered_retention_hours: 0
  retries: 3
)"),
                                "t.yaml", "/srv");
  EXPECT_FALSE(outcome.config);
  const std::string text = problems(outcome);
  EXPECT_NE(text.find("reports.sending_facility must be a name without HL7 delimiters"),
            std::string::npos) << text;
  EXPECT_NE(text.find("max_backoff_ms must not be below initial_backoff_ms"), std::string::npos);
  EXPECT_NE(text.find("delivered_retention_hours must be at least 1"), std::string::npos);
  EXPECT_NE(text.find("unknown key 'retries' in reports"), std::string::npos);
}

TEST(ReportsConfig, SiteReportsOverTlsWithFilesRelativeToTheConfig) {
  auto outcome = loadConfigText(
      withReports("", "    reports: {host: ris.north.example, port: 6662, tls: true, ca: tls/north-ca.pem,\n"
                      "              server_name: hl7.north.example, certificate: tls/us.pem,\n"
                      "              private_key: /etc/sundial/us.key}\n"),
      "conf/t.yaml", "/srv");
  ASSERT_TRUE(outcome.config) << problems(outcome);
  const SiteReportsConfig& r = outcome.config->sites[0].reports;
  EXPECT_TRUE(r.tls);
  EXPECT_EQ(r.ca_file, "/srv/conf/tls/north-ca.pem");
  EXPECT_EQ(r.server_name, "hl7.north.example");
  EXPECT_EQ(r.certificate, "/srv/conf/tls/us.pem");
  EXPECT_EQ(r.private_key, "/etc/sundial/us.key");
}

TEST(ReportsConfig, SiteTlsNeedsACaAndTheFilesNeedTls) {
  auto no_ca = loadConfigText(withReports("", "    reports: {host: 10.0.0.5, tls: true}\n"), "t.yaml", "/srv");
  EXPECT_FALSE(no_ca.config);
  EXPECT_NE(problems(no_ca).find("needs ca"), std::string::npos) << problems(no_ca);
  auto no_tls = loadConfigText(withReports("", "    reports: {host: 10.0.0.5, ca: ca.pem}\n"), "t.yaml", "/srv");
  EXPECT_FALSE(no_tls.config);
  EXPECT_NE(problems(no_tls).find("need tls: true"), std::string::npos) << problems(no_tls);
}

}  // namespace
}  // namespace sundial::config
