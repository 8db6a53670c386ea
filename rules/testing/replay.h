#pragma once
// Replay: re-runs recorded decisions (decision_json.h) through a rule set and reports where the
// new decision differs from the recorded one — the what-if before a rule change goes live.
// Where the records come from (the Redis stream, a file, memory) is the caller's business.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rules/api/decision_json.h"
#include "rules/engine/rule_engine.h"

namespace sundial::rules {

// What differs between two decisions for the same input: "reader: dr_a -> dr_b",
// "priority: ROUTINE -> STAT", "destinations: {A, B} -> {A}", "fallback: false -> true" ...
// Empty when they agree on reader, pool, priority, destinations, hold and fallback.
std::vector<std::string> decisionDifferences(const DecisionRecord& recorded,
                                             const DecisionRecord& replayed);

struct ReplayDifference {
  std::string entry_id;  // where the record came from (a stream entry id)
  std::string site;
  std::string modality;
  std::string study_key;
  std::vector<std::string> changes;
};

struct ReplaySummary {
  std::uint64_t replayed = 0;
  std::uint64_t same = 0;
  std::uint64_t different = 0;
  std::uint64_t unreadable = 0;  // records that are not schema-1 JSON (each one reported)
  std::vector<ReplayDifference> differences;
  std::vector<std::string> problems;  // "entry-id: what is wrong"
};

// Replays one record at a time into a summary. Not thread-safe: one thread feeds it.
class Replayer {
 public:
  explicit Replayer(RuleEngine& engine) : engine_(engine) {}
  void add(std::string_view entry_id, std::string_view json);
  const ReplaySummary& summary() const { return summary_; }
  // One line per difference ("<entry> <site> <modality>[ study <key>]: change; change") and a
  // total line; study keys only when `identifying`.
  std::string describe(bool identifying) const;

 private:
  RuleEngine& engine_;
  ReplaySummary summary_;
};

}  // namespace sundial::rules
