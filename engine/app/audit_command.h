#pragma once
// `sundial audit verify --config FILE`: checks the audit trail of the node the configuration
// describes (its hash chain, sequence and anchors) and says where the first problem is.

#include <filesystem>

namespace sundial::app {

// Exit code: kExitOk for an intact trail, kExitAuditBroken naming the first bad record
// (file, line, seq, what is wrong), kExitBadConfig for a configuration with problems.
int runAuditVerify(const std::filesystem::path& config_file);

}  // namespace sundial::app
