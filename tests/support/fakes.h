#pragma once
// Fakes for the engine's internal seams: a hand-advanced clock, an in-memory state store,
// forward queue, sender, spool and bus end. For unit tests only.

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "engine/bus/event_bus.h"
#include "engine/domain/clock.h"
#include "engine/forward/instance_sender.h"
#include "engine/store/forward_queue.h"
#include "engine/store/spool.h"
#include "engine/store/state_store.h"

namespace sundial::testing {

class FakeClock final : public Clock {
 public:
  SteadyTime steadyNow() const override { return steady_; }
  UtcTime utcNow() const override { return utc_; }
  void advance(std::chrono::milliseconds by) {
    steady_ += by;
    utc_ += by;
  }

 private:
  SteadyTime steady_{std::chrono::hours(1)};
  UtcTime utc_{std::chrono::seconds(1'800'000'000)};
};

// Events pushed by the test come out of receive(); no waiting.
class FakeEventSubscriber final : public engine::EventSubscriber {
 public:
  std::deque<Event> queued;
  Result<std::vector<Event>> receive(std::chrono::milliseconds, size_t max) override {
    std::vector<Event> out;
    while (!queued.empty() && out.size() < max) {
      out.push_back(std::move(queued.front()));
      queued.pop_front();
    }
    return out;
  }
};

class FakeStateStore final : public engine::StateStore {
 public:
  bool available = true;
  std::vector<engine::InstanceRecord> recorded;
  std::vector<std::pair<std::string, std::vector<std::string>>> completed;  // study, dests
  std::vector<engine::OpenStudy> open;
  std::map<std::string, StudyFacts> facts;  // studyFacts answers from here
  std::set<std::string> known;
  std::set<std::string> forwarded;  // known instances already at every destination

  Result<std::vector<engine::RecordOutcome>> recordInstances(
      const std::vector<engine::InstanceRecord>& batch) override;
  Result<void> completeStudy(const std::string& study_uid, UtcTime,
                             const std::vector<std::string>& destinations) override;
  std::vector<std::pair<std::string, std::vector<std::string>>> routed;  // study, dests
  Result<engine::RouteOutcome> routeStudy(const std::string& study_uid,
                                          const std::vector<std::string>& destinations) override {
    if (!available) return makeError(ErrorCode::Unavailable, "fake store down");
    routed.emplace_back(study_uid, destinations);
    return engine::RouteOutcome{static_cast<int>(destinations.size()), {}};
  }
  Result<std::vector<engine::OpenStudy>> openStudies() override;
  Result<StudyFacts> studyFacts(const std::string& study_uid) override;
  Result<std::vector<bool>> knownInstances(const std::vector<std::string>& sops) override;
  Result<std::vector<bool>> finishedInstances(const std::vector<std::string>& sops) override;
  Result<std::vector<engine::StudySummary>> listStudies(int) override;
  Result<int> forgetFinishedStudies(UtcTime cutoff, int max) override;
  Result<void> ping() override;

  std::vector<UtcTime> forget_calls;  // cutoffs asked for

  std::vector<std::string> released;  // takeReleasedFiles hands these out, once
  Result<std::vector<std::string>> takeReleasedFiles(int max) override {
    if (!available) return makeError(ErrorCode::Unavailable, "fake store down");
    const auto count = std::min(released.size(), static_cast<size_t>(std::max(0, max)));
    std::vector<std::string> taken(released.begin(), released.begin() + count);
    released.erase(released.begin(), released.begin() + count);
    return taken;
  }
};

class FakeForwardQueue final : public engine::ForwardQueue {
 public:
  bool available = true;
  std::deque<engine::ForwardJob> ready;
  std::vector<engine::ForwardJob> in_flight;
  std::vector<engine::ForwardJob> acknowledged;
  std::vector<std::pair<engine::ForwardJob, UtcTime>> waiting;
  std::vector<std::pair<engine::ForwardJob, std::string>> dead;
  std::set<std::string> done_instances;  // acknowledge reports these as done everywhere

  Result<std::vector<engine::ForwardJob>> claim(const std::string&, const std::string&, int max,
                                                std::chrono::milliseconds) override;
  Result<engine::AckOutcome> acknowledge(const engine::ForwardJob& job,
                                         const std::string&) override;
  Result<void> retryLater(const engine::ForwardJob& job, const std::string&, UtcTime due,
                          const std::string&) override;
  Result<engine::AckOutcome> deadLetter(const engine::ForwardJob& job, const std::string&,
                                        const std::string& reason) override;
  Result<int> promoteDueRetries(const std::string&, UtcTime now) override;
  Result<int> reclaim(const std::string&, const std::string&) override;
  Result<engine::QueueDepth> depth(const std::string&) override;
  Result<std::vector<engine::DeadLetter>> deadLetters(const std::string&, int) override;

 private:
  void removeInFlight(const engine::ForwardJob& job);
};

// Answers each send with the next scripted result (success when the script is empty).
class FakeSender final : public engine::InstanceSender {
 public:
  std::deque<Result<void>> script;
  std::vector<std::string> attempted;  // SOP Instance UIDs, in order
  int releases = 0;
  void prepare(const std::vector<engine::ForwardJob>&) override {}
  Result<void> send(const engine::ForwardJob& job) override;
  void release() override { ++releases; }
};

class FakeSpool final : public engine::Spool {
 public:
  std::vector<std::filesystem::path> committed;
  std::vector<std::filesystem::path> removed;
  Result<std::filesystem::path> reserveTemporary(std::uint64_t) override {
    return std::filesystem::path("tmp");
  }
  std::vector<FileState> commit_states;  // what each commit() was told, in order
  bool syncsFiles() const override { return true; }
  Result<std::filesystem::path> commit(const std::filesystem::path&, const std::string& study,
                                       const std::string& sop, FileState state) override {
    committed.push_back(std::filesystem::path(study) / (sop + ".dcm"));
    commit_states.push_back(state);
    return committed.back();
  }
  void discard(const std::filesystem::path&) override {}
  Result<void> remove(const std::filesystem::path& path) override {
    removed.push_back(path);
    return okResult();
  }
  std::vector<std::filesystem::path> listCommitted() override { return committed; }
};

// A SpooledInstance with plausible synthetic values.
SpooledInstance makeInstance(const std::string& site, const std::string& study,
                             const std::string& sop, const std::string& modality = "CT");

}  // namespace sundial::testing
