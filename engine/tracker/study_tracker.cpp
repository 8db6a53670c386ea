#include "engine/tracker/study_tracker.h"

namespace sundial::engine {

void StudyTracker::setDeadline(const std::string& study_uid, Open& study, SteadyTime deadline) {
  if (study.deadline != SteadyTime{}) deadlines_.erase({study.deadline, study_uid});
  study.deadline = deadline;
  deadlines_.insert({deadline, study_uid});
}

void StudyTracker::onInstance(const std::string& study_uid, const std::string& series_uid,
                              const std::string& site, const std::string& modality,
                              SteadyTime now, std::chrono::milliseconds quiet_period) {
  Open& study = studies_[study_uid];
  if (study.site.empty()) study.site = site;
  if (study.modality.empty()) study.modality = modality;
  if (quiet_period > study.quiet_period) study.quiet_period = quiet_period;
  ++study.instances;
  if (!series_uid.empty()) study.series.insert(series_uid);
  SteadyTime deadline = now + study.quiet_period;
  // A re-armed deadline never moves earlier (a shorter modality's period arriving last).
  if (deadline > study.deadline) setDeadline(study_uid, study, deadline);
}

void StudyTracker::rearm(const std::string& study_uid, const std::string& site,
                         const std::string& modality, SteadyTime deadline) {
  Open& study = studies_[study_uid];
  study.site = site;
  study.modality = modality;
  if (deadline > study.deadline) setDeadline(study_uid, study, deadline);
}

std::vector<CompletedStudy> StudyTracker::takeCompleted(SteadyTime now) {
  std::vector<CompletedStudy> completed;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    std::string study_uid = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    auto it = studies_.find(study_uid);
    if (it == studies_.end()) continue;
    completed.push_back(CompletedStudy{study_uid, it->second.site, it->second.modality,
                                       it->second.instances, it->second.series.size()});
    studies_.erase(it);
  }
  return completed;
}

std::optional<SteadyTime> StudyTracker::nextDeadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

}  // namespace sundial::engine
