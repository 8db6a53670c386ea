#include "tests/support/fakes.h"

#include <algorithm>

namespace sundial::testing {
namespace {

Error down() { return makeError(ErrorCode::Unavailable, "fake store is down"); }

}  // namespace

SpooledInstance makeInstance(const std::string& site, const std::string& study,
                             const std::string& sop, const std::string& modality) {
  SpooledInstance i;
  i.site = site;
  i.calling_ae = "MODALITY";
  i.study_uid = study;
  i.series_uid = study + ".1";
  i.sop_instance_uid = sop;
  i.sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
  i.transfer_syntax_uid = "1.2.840.10008.1.2.1";
  i.modality = modality;
  i.spool_path = "/spool/" + study + "/" + sop + ".dcm";
  i.bytes = 1000;
  return i;
}

Result<std::vector<engine::RecordOutcome>> FakeStateStore::recordInstances(
    const std::vector<engine::InstanceRecord>& batch) {
  if (!available) return down();
  std::vector<engine::RecordOutcome> outcomes;
  for (const auto& r : batch) {
    if (known.insert(r.instance.sop_instance_uid).second) {
      recorded.push_back(r);
      outcomes.push_back(engine::RecordOutcome::Recorded);
    } else {
      outcomes.push_back(forwarded.count(r.instance.sop_instance_uid)
                             ? engine::RecordOutcome::DuplicateFileUnneeded
                             : engine::RecordOutcome::Duplicate);
    }
  }
  return outcomes;
}

Result<void> FakeStateStore::completeStudy(const std::string& study_uid, UtcTime,
                                           const std::vector<std::string>& destinations) {
  if (!available) return down();
  completed.emplace_back(study_uid, destinations);
  return okResult();
}

Result<std::vector<engine::OpenStudy>> FakeStateStore::openStudies() {
  if (!available) return down();
  return open;
}

Result<StudyFacts> FakeStateStore::studyFacts(const std::string& study_uid) {
  if (!available) return down();
  auto it = facts.find(study_uid);
  if (it == facts.end()) return makeError(ErrorCode::NotFound, "fake store: unknown study");
  return it->second;
}

Result<std::vector<bool>> FakeStateStore::knownInstances(const std::vector<std::string>& sops) {
  if (!available) return down();
  std::vector<bool> out;
  for (const auto& sop : sops) out.push_back(known.count(sop) > 0);
  return out;
}

Result<std::vector<bool>> FakeStateStore::finishedInstances(const std::vector<std::string>& sops) {
  if (!available) return down();
  std::vector<bool> out;
  for (const auto& sop : sops) out.push_back(known.count(sop) > 0 && forwarded.count(sop) > 0);
  return out;
}

Result<std::vector<engine::StudySummary>> FakeStateStore::listStudies(int limit) {
  if (!available) return down();
  // Studies given facts (the order tests) are listed; nothing else is kept per study.
  std::vector<engine::StudySummary> out;
  for (const auto& [uid, f] : facts) {
    if (static_cast<int>(out.size()) >= limit) break;
    engine::StudySummary summary;
    summary.study_uid = uid;
    summary.site = f.site;
    summary.modality = f.modality;
    summary.state = f.complete ? engine::StudyState::Complete : engine::StudyState::Receiving;
    summary.instances = f.instances;
    summary.first_received_at = f.first_received_at;
    summary.completed_at = f.completed_at;
    out.push_back(std::move(summary));
  }
  return out;
}

Result<int> FakeStateStore::forgetFinishedStudies(UtcTime cutoff, int) {
  if (!available) return down();
  forget_calls.push_back(cutoff);
  return 0;
}

Result<void> FakeStateStore::ping() {
  if (!available) return down();
  return okResult();
}

Result<std::vector<engine::ForwardJob>> FakeForwardQueue::claim(const std::string&,
                                                                const std::string&, int max,
                                                                std::chrono::milliseconds) {
  if (!available) return down();
  std::vector<engine::ForwardJob> out;
  while (!ready.empty() && static_cast<int>(out.size()) < max) {
    out.push_back(ready.front());
    in_flight.push_back(ready.front());
    ready.pop_front();
  }
  return out;
}

void FakeForwardQueue::removeInFlight(const engine::ForwardJob& job) {
  auto it = std::find_if(in_flight.begin(), in_flight.end(), [&](const auto& j) {
    return j.sop_instance_uid == job.sop_instance_uid;
  });
  if (it != in_flight.end()) in_flight.erase(it);
}

Result<engine::AckOutcome> FakeForwardQueue::acknowledge(const engine::ForwardJob& job,
                                                         const std::string&) {
  if (!available) return down();
  removeInFlight(job);
  acknowledged.push_back(job);
  return engine::AckOutcome{done_instances.count(job.sop_instance_uid) > 0};
}

Result<void> FakeForwardQueue::retryLater(const engine::ForwardJob& job, const std::string&,
                                          UtcTime due, const std::string&) {
  if (!available) return down();
  removeInFlight(job);
  engine::ForwardJob next = job;
  ++next.attempts;
  waiting.emplace_back(next, due);
  return okResult();
}

Result<engine::AckOutcome> FakeForwardQueue::deadLetter(const engine::ForwardJob& job,
                                                        const std::string&,
                                                        const std::string& reason) {
  if (!available) return down();
  removeInFlight(job);
  dead.emplace_back(job, reason);
  return engine::AckOutcome{done_instances.count(job.sop_instance_uid) > 0};
}

Result<int> FakeForwardQueue::promoteDueRetries(const std::string&, UtcTime now) {
  if (!available) return down();
  int moved = 0;
  for (auto it = waiting.begin(); it != waiting.end();) {
    if (it->second <= now) {
      ready.push_back(it->first);
      it = waiting.erase(it);
      ++moved;
    } else {
      ++it;
    }
  }
  return moved;
}

Result<int> FakeForwardQueue::reclaim(const std::string&, const std::string&) {
  if (!available) return down();
  int moved = static_cast<int>(in_flight.size());
  for (auto& job : in_flight) ready.push_front(job);
  in_flight.clear();
  return moved;
}

Result<engine::QueueDepth> FakeForwardQueue::depth(const std::string&) {
  engine::QueueDepth d;
  d.ready = static_cast<long long>(ready.size());
  d.in_flight = static_cast<long long>(in_flight.size());
  d.waiting = static_cast<long long>(waiting.size());
  d.dead = static_cast<long long>(dead.size());
  return d;
}

Result<std::vector<engine::DeadLetter>> FakeForwardQueue::deadLetters(const std::string&, int) {
  std::vector<engine::DeadLetter> out;
  for (const auto& [job, reason] : dead) out.push_back({job.sop_instance_uid, job.study_uid, reason, {}});
  return out;
}

Result<void> FakeSender::send(const engine::ForwardJob& job) {
  attempted.push_back(job.sop_instance_uid);
  if (script.empty()) return okResult();
  Result<void> next = script.front();
  script.pop_front();
  return next;
}

}  // namespace sundial::testing
