#include "rules/api/roster.h"

#include <algorithm>

#include "rules/api/content_hash.h"

namespace sundial::rules {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool containsDay(const std::vector<int>& days, int day) {
  return std::find(days.begin(), days.end(), day) != days.end();
}

void hashList(ContentHash& hash, const std::vector<std::string>& list) {
  hash.add(std::to_string(list.size()));
  for (const auto& item : list) hash.add(item);
}

void hashWindows(ContentHash& hash, const std::vector<WeeklyWindow>& windows) {
  hash.add(std::to_string(windows.size()));
  for (const auto& w : windows) {
    std::string days;
    for (int d : w.weekdays) days += static_cast<char>('0' + d);
    hash.add(days + "/" + std::to_string(w.start_minute) + "/" + std::to_string(w.end_minute));
  }
}

}  // namespace

bool windowsContain(const std::vector<WeeklyWindow>& windows, const LocalTime& local) {
  const int minute = local.minuteOfDay();
  const int day = local.weekday;
  const int day_before = (day + 6) % 7;
  for (const WeeklyWindow& w : windows) {
    if (w.start_minute < w.end_minute) {
      if (containsDay(w.weekdays, day) && minute >= w.start_minute && minute < w.end_minute) {
        return true;
      }
      continue;
    }
    // Past midnight: the evening part on a listed day, the morning part on the day after one.
    if (containsDay(w.weekdays, day) && minute >= w.start_minute) return true;
    if (containsDay(w.weekdays, day_before) && minute < w.end_minute) return true;
  }
  return false;
}

bool ReaderProfile::hasLicence(std::string_view state) const { return contains(licences, state); }
bool ReaderProfile::isCredentialedAt(std::string_view site) const {
  return contains(credentials, site);
}
bool ReaderProfile::reads(std::string_view modality) const { return contains(modalities, modality); }
bool ReaderProfile::hasSubspecialty(std::string_view subspecialty) const {
  return contains(subspecialties, subspecialty);
}
bool ReaderProfile::inPool(std::string_view pool) const { return contains(pools, pool); }

bool ReaderProfile::onShiftAt(UtcTime t) const {
  // A profile not yet finished has no zone: treat its shifts as UTC.
  const LocalTime local = zone ? zone->localTime(t) : localTimeAtOffset(t, std::chrono::seconds(0));
  return windowsContain(shifts, local);
}

Result<void> Roster::finish() {
  reader_index_.clear();
  site_index_.clear();
  readers_at_.clear();
  pool_members_.clear();
  ContentHash hash;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    SiteProfile& site = sites[i];
    if (!site_index_.emplace(site.name, i).second) {
      return makeError(ErrorCode::InvalidInput, "site '" + site.name + "' is listed twice");
    }
    auto zone = TimeZone::load(site.time_zone);
    if (!zone.ok()) {
      return makeError(ErrorCode::InvalidInput, "site '" + site.name + "': " + zone.error().message);
    }
    site.zone = zone.value();
    hash.add(site.name);
    hash.add(site.time_zone);
    hash.add(site.state);
    for (const auto& [priority, minutes] : site.sla_minutes) {
      hash.add(std::string(orderPriorityName(priority)) + "=" + std::to_string(minutes));
    }
    hashWindows(hash, site.coverage);
    hashList(hash, site.destinations);
  }
  for (std::size_t i = 0; i < readers.size(); ++i) {
    ReaderProfile& reader = readers[i];
    if (!reader_index_.emplace(reader.id, i).second) {
      return makeError(ErrorCode::InvalidInput, "reader '" + reader.id + "' is listed twice");
    }
    auto zone = TimeZone::load(reader.time_zone);
    if (!zone.ok()) {
      return makeError(ErrorCode::InvalidInput, "reader '" + reader.id + "': " + zone.error().message);
    }
    reader.zone = zone.value();
    for (const std::string& site : reader.credentials) readers_at_[site].push_back(i);
    for (const std::string& pool : reader.pools) pool_members_[pool].push_back(i);
    hash.add(reader.id);
    hash.add(reader.display_name);
    hashList(hash, reader.licences);
    hashList(hash, reader.credentials);
    hashList(hash, reader.subspecialties);
    hashList(hash, reader.modalities);
    hash.add(reader.time_zone);
    hashWindows(hash, reader.shifts);
    hash.add(reader.destination);
    hashList(hash, reader.pools);
    hash.add(std::to_string(reader.rvu_capacity));
  }
  for (const PoolProfile& pool : pools) hash.add(pool.name + (pool.pull ? "/pull" : "/push"));
  hashList(hash, destinations);
  hash.add(fallback_pool);
  version_ = hash.hex();
  return okResult();
}

const ReaderProfile* Roster::findReader(std::string_view id) const {
  auto found = reader_index_.find(std::string(id));
  return found == reader_index_.end() ? nullptr : &readers[found->second];
}

std::optional<std::size_t> Roster::readerIndex(std::string_view id) const {
  auto found = reader_index_.find(std::string(id));
  if (found == reader_index_.end()) return std::nullopt;
  return found->second;
}

const SiteProfile* Roster::findSite(std::string_view name) const {
  auto found = site_index_.find(std::string(name));
  return found == site_index_.end() ? nullptr : &sites[found->second];
}

const PoolProfile* Roster::findPool(std::string_view name) const {
  for (const PoolProfile& pool : pools) {
    if (pool.name == name) return &pool;
  }
  return nullptr;
}

bool Roster::hasDestination(std::string_view name) const { return contains(destinations, name); }

const std::vector<std::size_t>& Roster::readersAt(std::string_view site) const {
  static const std::vector<std::size_t> kNone;
  auto found = readers_at_.find(std::string(site));
  return found == readers_at_.end() ? kNone : found->second;
}

const std::vector<std::size_t>& Roster::membersOf(std::string_view pool) const {
  static const std::vector<std::size_t> kNone;
  auto found = pool_members_.find(std::string(pool));
  return found == pool_members_.end() ? kNone : found->second;
}

}  // namespace sundial::rules
