#include "engine/roster/roster_from_config.h"

#include <chrono>
#include <map>

namespace sundial::engine {
namespace {

std::vector<rules::WeeklyWindow> windows(const std::vector<config::WeeklyWindowConfig>& in) {
  std::vector<rules::WeeklyWindow> out;
  out.reserve(in.size());
  for (const auto& w : in) out.push_back({w.weekdays, w.start_minute, w.end_minute});
  return out;
}

// The turnaround the site's contract promises per priority, in whole minutes: the site's own
// `sla:` where it names a priority, else worklist.sla's (the same targets the worklist's SLA
// timers use, so a rule reads what the worklist enforces).
std::map<OrderPriority, int> slaMinutes(const config::SiteSlaConfig& site,
                                        const config::SlaTargetsConfig& defaults) {
  auto minutes = [](std::chrono::milliseconds ms) {
    return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(ms).count());
  };
  return {{OrderPriority::Stat, minutes(site.stat.value_or(defaults.stat))},
          {OrderPriority::Urgent, minutes(site.urgent.value_or(defaults.urgent))},
          {OrderPriority::Routine, minutes(site.routine.value_or(defaults.routine))}};
}

}  // namespace

Result<std::shared_ptr<const rules::Roster>> rosterFromConfig(const config::Config& config) {
  auto roster = std::make_shared<rules::Roster>();
  for (const config::SiteConfig& site : config.sites) {
    rules::SiteProfile profile;
    profile.name = site.name;
    profile.time_zone = site.time_zone;
    profile.state = site.state;
    profile.sla_minutes = slaMinutes(site.sla, config.worklist.sla);
    profile.coverage = windows(site.coverage.hours);
    profile.destinations = site.destinations;
    roster->sites.push_back(std::move(profile));
  }
  for (const config::ReaderConfig& reader : config.readers) {
    rules::ReaderProfile profile;
    profile.id = reader.id;
    profile.display_name = reader.display_name;
    profile.licences = reader.licences;
    profile.credentials = reader.credentials;
    profile.subspecialties = reader.subspecialties;
    profile.modalities = reader.modalities;
    profile.time_zone = reader.time_zone;
    profile.shifts = windows(reader.shifts);
    profile.destination = reader.destination;
    profile.pools = reader.pools;
    profile.rvu_capacity = reader.rvu_capacity;
    roster->readers.push_back(std::move(profile));
  }
  for (const config::PoolConfig& pool : config.rules.pools) {
    roster->pools.push_back({pool.name, pool.mode == config::PoolMode::Pull});
  }
  for (const config::DestinationConfig& destination : config.destinations) {
    roster->destinations.push_back(destination.name);
  }
  roster->fallback_pool = config.rules.fallback_pool;
  auto finished = roster->finish();
  if (!finished.ok()) return finished.error();
  return std::shared_ptr<const rules::Roster>(std::move(roster));
}

}  // namespace sundial::engine
