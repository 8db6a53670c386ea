#pragma once
// The audit trail (top-level `audit:`). Loaded by audit_config.cpp.

namespace sundial::config {

struct AuditConfig {};

}  // namespace sundial::config
