#pragma once
// The rules' roster (rules/api/roster.h) from the configuration: readers, sites (time zone,
// state, contract SLA minutes per priority, coverage, destinations), pools, the fallback pool
// and every destination name. Used by the dispatcher, `sundial rules test` and
// `sundial rules replay`.

#include <memory>

#include "engine/config/config.h"
#include "engine/domain/result.h"
#include "rules/api/roster.h"

namespace sundial::engine {

// InvalidInput when a time zone cannot be loaded (the configuration loader checks them first).
[[nodiscard]] Result<std::shared_ptr<const rules::Roster>> rosterFromConfig(
    const config::Config& config);

}  // namespace sundial::engine
