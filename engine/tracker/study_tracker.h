#pragma once
// StudyTracker: groups received instances into studies and series and decides when a study
// is complete: no new instance for its quiet period. Pure: the caller passes the time in.
// Owned by the engine thread.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/domain/clock.h"

namespace sundial::engine {

struct CompletedStudy {
  std::string study_uid;
  std::string site;
  std::string modality;
  long long instances = 0;  // seen since the tracker (re)opened the study
  size_t series = 0;
};

class StudyTracker {
 public:
  // Notes one instance and re-arms the study's timer. A study with several modalities waits
  // for the longest of their quiet periods.
  void onInstance(const std::string& study_uid, const std::string& series_uid,
                  const std::string& site, const std::string& modality, SteadyTime now,
                  std::chrono::milliseconds quiet_period);

  // Re-opens a study known to be still receiving (after a restart) with its deadline.
  void rearm(const std::string& study_uid, const std::string& site, const std::string& modality,
             SteadyTime deadline);

  // Removes and returns every study whose quiet period has passed at `now`, oldest first.
  // An instance arriving later re-opens the study.
  std::vector<CompletedStudy> takeCompleted(SteadyTime now);

  std::optional<SteadyTime> nextDeadline() const;
  size_t openStudies() const { return studies_.size(); }

 private:
  struct Open {
    std::string site;
    std::string modality;
    std::chrono::milliseconds quiet_period{0};
    SteadyTime deadline{};
    long long instances = 0;
    std::unordered_set<std::string> series;
  };
  void setDeadline(const std::string& study_uid, Open& study, SteadyTime deadline);

  std::unordered_map<std::string, Open> studies_;
  std::set<std::pair<SteadyTime, std::string>> deadlines_;  // invariant: one entry per study
};

}  // namespace sundial::engine
