#include "engine/app/audit_command.h"

#include <iostream>

#include "engine/app/exit_codes.h"
#include "engine/audit/anchor.h"
#include "engine/audit/trail_verifier.h"
#include "engine/config/config_loader.h"

namespace sundial::app {

int runAuditVerify(const std::filesystem::path& config_file) {
  auto loaded = config::loadConfigFile(config_file, std::filesystem::current_path());
  if (!loaded.config) {
    for (const auto& problem : loaded.problems) std::cerr << problem.describe() << "\n";
    std::cerr << "sundial: the configuration has " << loaded.problems.size() << " problem(s)\n";
    return kExitBadConfig;
  }
  const config::Config& config = *loaded.config;
  const auto folder = config::auditFolder(config.audit, config.node.data_dir);
  const auto key_file = config::auditKeyFile(config.audit, config.node.data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(folder, ec)) {
    std::cout << "audit trail: none yet at " << folder.string() << "\n";
    return kExitOk;
  }
  auto key = engine::audit::loadAnchorKey(key_file, /*create=*/false);
  if (!key) {
    std::cout << "audit trail NOT verified: bad anchor: the anchor key cannot be read ("
              << key.error().describe() << ")\n";
    return kExitAuditBroken;
  }
  auto report = engine::audit::verifyTrail(folder, key.value());
  if (!report.intact()) {
    std::cout << "audit trail NOT intact (" << folder.string() << ")\n"
              << "first bad record: " << report.problem->describe() << "\n"
              << "checked before it: " << report.records << " record(s) in " << report.files
              << " file(s)\n";
    return kExitAuditBroken;
  }
  std::cout << "audit trail intact: " << report.records << " record(s) in " << report.files
            << " file(s), last seq " << report.last_seq << ", anchored up to seq "
            << report.anchored_seq << " (" << report.anchors << " anchor(s))\n";
  if (report.unanchored_records > 0) {
    std::cout << "note: " << report.unanchored_records
              << " record(s) after the last anchor: written but not yet anchored (the writer "
                 "anchors every few seconds and at a clean stop; after a crash this is its "
                 "unflushed tail, which the trail alone cannot prove complete)\n";
  }
  if (report.torn_tail_bytes > 0) {
    std::cout << "note: the last file ends in an incomplete line of " << report.torn_tail_bytes
              << " byte(s) (a crash while writing; the writer cuts it off at its next start)\n";
  }
  return kExitOk;
}

}  // namespace sundial::app
