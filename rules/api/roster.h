#pragma once
// Roster: who may read what, and the sites they read for — the static part of a rule's input,
// built once from the configuration (engine code converts config::Config into it) and shared
// read-only between threads as std::shared_ptr<const Roster>. Reader state that changes by the
// minute (online, workload) is not here: it comes with each DecisionInput.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/domain/order.h"
#include "engine/domain/result.h"
#include "engine/domain/time_zone.h"

namespace sundial::rules {

// A weekly wall-clock window in some zone; end_minute <= start_minute runs past midnight into
// the day after one of `weekdays` (the days it starts on; 0 = Sunday).
struct WeeklyWindow {
  std::vector<int> weekdays;
  int start_minute = 0;
  int end_minute = 1440;
};

// Whether `local` falls inside any of `windows`.
bool windowsContain(const std::vector<WeeklyWindow>& windows, const LocalTime& local);

struct ReaderProfile {
  std::string id;
  std::string display_name;
  std::vector<std::string> licences;        // states
  std::vector<std::string> credentials;     // site names
  std::vector<std::string> subspecialties;
  std::vector<std::string> modalities;
  std::string time_zone = "UTC";
  std::vector<WeeklyWindow> shifts;         // in time_zone
  std::string destination;                  // the workstation's destination name
  std::vector<std::string> pools;
  double rvu_capacity = 0;                  // 0: no limit
  std::shared_ptr<const TimeZone> zone;     // set by Roster::finish

  bool hasLicence(std::string_view state) const;
  bool isCredentialedAt(std::string_view site) const;
  bool reads(std::string_view modality) const;
  bool hasSubspecialty(std::string_view subspecialty) const;
  bool inPool(std::string_view pool) const;
  bool onShiftAt(UtcTime t) const;
};

struct SiteProfile {
  std::string name;
  std::string time_zone = "UTC";
  std::string state;
  std::map<OrderPriority, int> sla_minutes;  // the contract's turnaround per priority
  std::vector<WeeklyWindow> coverage;        // the site's own radiologists, site time
  std::vector<std::string> destinations;     // where its images go by default (the archive)
  std::shared_ptr<const TimeZone> zone;      // set by Roster::finish
};

struct PoolProfile {
  std::string name;
  bool pull = false;  // pull: readers claim from the pool; push: the dispatcher assigns
};

class Roster {
 public:
  std::vector<ReaderProfile> readers;
  std::vector<SiteProfile> sites;
  std::vector<PoolProfile> pools;
  std::vector<std::string> destinations;  // every destination name a decision may use
  std::string fallback_pool;

  // Resolves time zones and builds the indices; call once after filling the members.
  // InvalidInput naming the reader or site when a zone is unknown or a name is repeated.
  [[nodiscard]] Result<void> finish();

  const ReaderProfile* findReader(std::string_view id) const;
  // The index into `readers` of the reader `id`, or nullopt.
  std::optional<std::size_t> readerIndex(std::string_view id) const;
  const SiteProfile* findSite(std::string_view name) const;
  const PoolProfile* findPool(std::string_view name) const;
  bool hasDestination(std::string_view name) const;
  // Indices into `readers` of those credentialed at `site`, in roster order.
  const std::vector<std::size_t>& readersAt(std::string_view site) const;
  // Indices into `readers` of the members of `pool`, in roster order.
  const std::vector<std::size_t>& membersOf(std::string_view pool) const;
  // A content hash of the roster (hex), recorded with decisions.
  const std::string& version() const { return version_; }

 private:
  std::unordered_map<std::string, std::size_t> reader_index_;
  std::unordered_map<std::string, std::size_t> site_index_;
  std::unordered_map<std::string, std::vector<std::size_t>> readers_at_;
  std::unordered_map<std::string, std::vector<std::size_t>> pool_members_;
  std::string version_;
};

}  // namespace sundial::rules
