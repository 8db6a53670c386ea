#pragma once
// Read tasks, SLAs and escalation (top-level `worklist:`; site `sla:` and `viewer_url`).
// Loaded by worklist_config.cpp.

#include <string>

namespace sundial::config {

struct WorklistConfig {};

struct SiteSlaConfig {};

}  // namespace sundial::config
