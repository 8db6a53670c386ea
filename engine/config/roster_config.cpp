#include <cctype>
#include <set>

#include "engine/config/sections.h"
#include "engine/domain/time_zone.h"

// The roster: `readers:` and each site's `coverage:`. Cross-section checks (a credential names a
// known site, a destination exists, a pool is declared under rules.pools) run once everything is
// read, in checkRosterReferences.
namespace sundial::config::detail {
namespace {

constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

int dayIndex(const std::string& text) {
  std::string lower;
  for (char c : text.substr(0, 3)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 7; ++i) {
    if (lower == kDayNames[i] && (text.size() == 3 || text.size() >= 6)) return i;
  }
  return -1;
}

// "mon", "Monday", "mon-fri" (a range, wrapping past Saturday), "daily", "weekdays", "weekends".
bool addDays(const std::string& text, std::vector<int>& days) {
  if (text == "daily") {
    for (int d = 0; d < 7; ++d) days.push_back(d);
    return true;
  }
  if (text == "weekdays") {
    for (int d = 1; d <= 5; ++d) days.push_back(d);
    return true;
  }
  if (text == "weekends") {
    days.push_back(6);
    days.push_back(0);
    return true;
  }
  const auto dash = text.find('-');
  if (dash != std::string::npos) {
    const int from = dayIndex(text.substr(0, dash));
    const int to = dayIndex(text.substr(dash + 1));
    if (from < 0 || to < 0) return false;
    for (int d = from;; d = (d + 1) % 7) {
      days.push_back(d);
      if (d == to) break;
    }
    return true;
  }
  const int day = dayIndex(text);
  if (day < 0) return false;
  days.push_back(day);
  return true;
}

// "HH:MM", 00:00-24:00. Returns minutes, or -1.
int parseClock(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return -1;
  for (int i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return -1;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) return -1;
  return hours * 60 + minutes;
}

// A list of {days, from, to} windows (reader shifts, site coverage).
std::vector<WeeklyWindowConfig> readWindows(Reader& r, const YAML::Node& n,
                                            const std::string& where) {
  std::vector<WeeklyWindowConfig> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) {
    r.problem(n, where + " must be a list of {days, from, to}");
    return out;
  }
  for (const auto& w : n) {
    if (!r.isMap(w, where + " entry")) continue;
    r.checkKeys(w, where + " entry", {"days", "from", "to"});
    WeeklyWindowConfig window;
    bool ok = true;
    for (const std::string& d : r.readStringList(w, "days", where)) {
      if (!addDays(d, window.weekdays)) {
        r.problem(w["days"], where + ": '" + d +
                                 "' is not a day (mon..sun, a range like mon-fri, daily, "
                                 "weekdays, weekends)");
        ok = false;
      }
    }
    if (!w["days"].IsDefined()) {
      r.problem(w, where + ": an entry needs days");
      ok = false;
    }
    std::string from;
    std::string to;
    r.readString(w, "from", from, where);
    r.readString(w, "to", to, where);
    window.start_minute = parseClock(from);
    window.end_minute = parseClock(to);
    if (window.start_minute < 0 || window.start_minute == 1440) {
      r.problem(w["from"].IsDefined() ? w["from"] : YAML::Node(w),
                where + ".from must be a time HH:MM from 00:00 to 23:59, not '" + from + "'");
      ok = false;
    }
    if (window.end_minute <= 0) {
      r.problem(w["to"].IsDefined() ? w["to"] : YAML::Node(w),
                where + ".to must be a time HH:MM from 00:01 to 24:00, not '" + to + "'");
      ok = false;
    }
    if (ok) out.push_back(std::move(window));
  }
  return out;
}

void checkTimeZone(Reader& r, const YAML::Node& n, const std::string& zone,
                   const std::string& where) {
  auto loaded = TimeZone::load(zone);
  if (!loaded.ok()) r.problem(n, where + ": " + loaded.error().message);
}

YAML::Node findByName(const YAML::Node& list, const char* key, const std::string& name) {
  if (!list.IsSequence()) return {};
  for (const auto& item : list) {
    if (item.IsMap() && item[key].IsDefined() && item[key].IsScalar() && item[key].Scalar() == name) {
      return item;
    }
  }
  return {};
}

}  // namespace

void readReadersSection(Reader& r, const YAML::Node& n, std::vector<ReaderConfig>& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) {
    r.problem(n, "readers must be a list");
    return;
  }
  std::set<std::string> ids;
  for (const auto& entry : n) {
    if (!r.isMap(entry, "each reader")) continue;
    r.checkKeys(entry, "reader",
                {"id", "name", "licences", "credentials", "subspecialties", "modalities",
                 "time_zone", "shifts", "destination", "pools", "rvu_capacity"});
    ReaderConfig reader;
    reader.config_line = static_cast<int>(entry.Mark().line) + 1;
    r.readString(entry, "id", reader.id, "reader");
    const std::string where = "reader '" + reader.id + "'";
    if (!isValidName(reader.id)) {
      r.problem(entry, "a reader needs an id of letters, digits, '_', '-' or '.'");
    } else if (!ids.insert(reader.id).second) {
      r.problem(entry["id"], "reader id '" + reader.id + "' is used twice");
    }
    r.readString(entry, "name", reader.display_name, where);
    reader.licences = r.readStringList(entry, "licences", where);
    reader.credentials = r.readStringList(entry, "credentials", where);
    reader.subspecialties = r.readStringList(entry, "subspecialties", where);
    reader.modalities = r.readStringList(entry, "modalities", where);
    r.readString(entry, "time_zone", reader.time_zone, where);
    checkTimeZone(r, entry["time_zone"].IsDefined() ? entry["time_zone"] : YAML::Node(entry),
                  reader.time_zone, where + ".time_zone");
    reader.shifts = readWindows(r, entry["shifts"], where + ".shifts");
    r.readString(entry, "destination", reader.destination, where);
    if (reader.destination.empty()) r.problem(entry, where + " needs a destination (its workstation)");
    reader.pools = r.readStringList(entry, "pools", where);
    r.read(entry, "rvu_capacity", reader.rvu_capacity, where);
    if (reader.rvu_capacity < 0) r.problem(entry["rvu_capacity"], where + ".rvu_capacity must not be negative");
    if (reader.modalities.empty()) r.problem(entry, where + " needs modalities (what the reader reads)");
    out.push_back(std::move(reader));
  }
}

void readSiteCoverage(Reader& r, const YAML::Node& n, SiteCoverageConfig& out,
                      const std::string& where) {
  out.hours = readWindows(r, n, where + ".coverage");
}

void checkRosterReferences(Reader& r, const YAML::Node& root, const Config& config) {
  const YAML::Node readers = root["readers"];
  std::set<std::string> pools;
  for (const auto& pool : config.rules.pools) pools.insert(pool.name);
  for (const SiteConfig& site : config.sites) {
    if (config.readers.empty() && site.coverage.hours.empty()) continue;
    const YAML::Node node = findByName(root["sites"], "name", site.name);
    checkTimeZone(r, node.IsDefined() && node["time_zone"].IsDefined() ? node["time_zone"] : node,
                  site.time_zone, "site '" + site.name + "'.time_zone");
  }
  for (const ReaderConfig& reader : config.readers) {
    const YAML::Node node = findByName(readers, "id", reader.id);
    const std::string where = "reader '" + reader.id + "'";
    auto at = [&](const char* key) { return node[key].IsDefined() ? node[key] : node; };
    for (const std::string& site : reader.credentials) {
      if (config.findSite(site) == nullptr) {
        r.problem(at("credentials"), where + " is credentialed at unknown site '" + site + "'");
      }
    }
    if (!reader.destination.empty() && config.findDestination(reader.destination) == nullptr) {
      r.problem(at("destination"),
                where + ".destination names unknown destination '" + reader.destination + "'");
    }
    for (const std::string& pool : reader.pools) {
      if (pools.count(pool) == 0) {
        r.problem(at("pools"), where + " belongs to pool '" + pool +
                                   "' which is not declared under rules.pools");
      }
    }
  }
}

}  // namespace sundial::config::detail
