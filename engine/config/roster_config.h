#pragma once
// The readers (top-level `readers:`) and a site's coverage hours (site `coverage:`).
// Loaded by roster_config.cpp. Pools and the fallback pool are in rules_config.h (`rules:`).

#include <string>
#include <vector>

namespace sundial::config {

// One weekly window of wall-clock time in some time zone (the reader's for a shift, the site's
// for coverage). end_minute <= start_minute means the window runs past midnight into the next
// day (a night shift "18:00"-"07:00" that starts on the listed days).
struct WeeklyWindowConfig {
  std::vector<int> weekdays;  // 0 = Sunday ... 6 = Saturday; the days the window starts on
  int start_minute = 0;       // 0-1439
  int end_minute = 1440;      // 1-1440 ("24:00" is 1440)
};

struct ReaderConfig {
  std::string id;
  std::string display_name;
  std::vector<std::string> licences;        // states/regions where licensed (site `state`)
  std::vector<std::string> credentials;     // sites where credentialed (site names)
  std::vector<std::string> subspecialties;  // free words: neuro, pediatric, msk, body ...
  std::vector<std::string> modalities;      // DICOM modalities read: CT, MR, CR, US ...
  std::string time_zone = "UTC";            // IANA name; the shifts are in this zone
  std::vector<WeeklyWindowConfig> shifts;   // empty: never on shift
  std::string destination;                  // the workstation: a destinations[] name
  std::vector<std::string> pools;           // names of rules.pools
  double rvu_capacity = 0;                  // RVUs of open work the reader takes; 0: no limit
  int config_line = 0;
};

// The hours a site's own radiologists cover, in the site's time zone (empty: never covered).
struct SiteCoverageConfig {
  std::vector<WeeklyWindowConfig> hours;
};

}  // namespace sundial::config
