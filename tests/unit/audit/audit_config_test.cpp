#include <gtest/gtest.h>

#include <fstream>

#include "audit_test_support.h"
#include "engine/config/config_loader.h"

namespace sundial::config {
namespace {

class AuditConfigTest : public ::testing::Test {
 protected:
  LoadOutcome load(const std::string& audit_yaml) {
    auto file = temp_.path() / "sundial.yaml";
    std::ofstream(file) << "node:\n  data_dir: data\n"
                           "destinations:\n  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 11113}\n"
                           "sites:\n  - name: DEMO\n    callers: [{ae_title: MODALITY, addresses: [127.0.0.1]}]\n"
                           "    destinations: [ARCHIVE]\n"
                        << audit_yaml;
    return loadConfigFile(file, temp_.path());
  }
  std::string problems(const LoadOutcome& r) {
    std::string out;
    for (const auto& p : r.problems) out += p.describe() + "\n";
    return out;
  }
  sundial::engine::audit::test::TempFolder temp_;
};

TEST_F(AuditConfigTest, DefaultsPutTheTrailInTheDataFolder) {
  auto loaded = load("");
  ASSERT_TRUE(loaded.config) << problems(loaded);
  const auto& audit = loaded.config->audit;
  EXPECT_EQ(auditFolder(audit, loaded.config->node.data_dir), temp_.path() / "data" / "audit");
  EXPECT_EQ(auditKeyFile(audit, loaded.config->node.data_dir),
            temp_.path() / "data" / "audit" / "anchor.key");
  EXPECT_TRUE(audit.fsync);
  EXPECT_FALSE(audit.export_to.enabled());
}

TEST_F(AuditConfigTest, EveryKeyIsRead) {
  std::ofstream(temp_.path() / "ca.pem") << "x";
  auto loaded = load("audit:\n  folder: trail\n  max_file_mb: 8\n  fsync: false\n"
                     "  anchor_interval_ms: 250\n  anchor_key_file: keys/audit.key\n"
                     "  export:\n    host: 127.0.0.1\n    port: 16514\n    ca_file: ca.pem\n"
                     "    server_name: repo.example\n    initial_backoff_ms: 100\n"
                     "    max_backoff_ms: 2000\n    enterprise_site_id: TELERAD\n");
  ASSERT_TRUE(loaded.config) << problems(loaded);
  const auto& audit = loaded.config->audit;
  EXPECT_EQ(auditFolder(audit, loaded.config->node.data_dir), temp_.path() / "data" / "trail");
  EXPECT_EQ(audit.anchor_key_file, temp_.path() / "keys" / "audit.key");
  EXPECT_EQ(audit.max_file_bytes, 8ull << 20);
  EXPECT_FALSE(audit.fsync);
  EXPECT_EQ(audit.anchor_interval.count(), 250);
  EXPECT_EQ(audit.export_to.host, "127.0.0.1");
  EXPECT_EQ(audit.export_to.port, 16514);
  EXPECT_EQ(audit.export_to.ca_file, temp_.path() / "ca.pem");
  EXPECT_EQ(audit.export_to.server_name, "repo.example");
  EXPECT_EQ(audit.export_to.max_backoff.count(), 2000);
  EXPECT_EQ(audit.export_to.enterprise_site_id, "TELERAD");
}

TEST_F(AuditConfigTest, ProblemsAreNamedWithTheirLine) {
  auto loaded = load("audit:\n  max_file_mb: 0\n  fsink: true\n"
                     "  export:\n    port: 6514\n    client_cert_file: c.pem\n");
  ASSERT_FALSE(loaded.config);
  std::string text = problems(loaded);
  EXPECT_NE(text.find(":10: audit.max_file_mb must be between 1 and 4096"), std::string::npos) << text;
  EXPECT_NE(text.find(":11: unknown key 'fsink' in audit"), std::string::npos) << text;
  EXPECT_NE(text.find("audit.export.host is required"), std::string::npos) << text;
}

TEST_F(AuditConfigTest, ExportNeedsAReadableCa) {
  auto loaded = load("audit:\n  export:\n    host: 127.0.0.1\n    ca_file: missing.pem\n");
  ASSERT_FALSE(loaded.config);
  EXPECT_NE(problems(loaded).find("missing.pem is not a readable file"), std::string::npos)
      << problems(loaded);
}

}  // namespace
}  // namespace sundial::config
