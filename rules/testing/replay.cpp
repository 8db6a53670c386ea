#include "rules/testing/replay.h"

#include <set>

namespace sundial::rules {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "}";
}

std::string orNone(const std::string& text) { return text.empty() ? "(none)" : text; }

}  // namespace

std::vector<std::string> decisionDifferences(const DecisionRecord& a, const DecisionRecord& b) {
  std::vector<std::string> out;
  if (a.decision.reader != b.decision.reader) {
    out.push_back("reader: " + orNone(a.decision.reader) + " -> " + orNone(b.decision.reader));
  }
  if (a.decision.pool != b.decision.pool) {
    out.push_back("pool: " + orNone(a.decision.pool) + " -> " + orNone(b.decision.pool));
  }
  if (a.decision.priority != b.decision.priority) {
    out.push_back("priority: " + std::string(orderPriorityName(a.decision.priority)) + " -> " +
                  std::string(orderPriorityName(b.decision.priority)));
  }
  const std::set<std::string> da(a.decision.destinations.begin(), a.decision.destinations.end());
  const std::set<std::string> db(b.decision.destinations.begin(), b.decision.destinations.end());
  if (da != db) {
    out.push_back("destinations: " + joined(a.decision.destinations) + " -> " +
                  joined(b.decision.destinations));
  }
  if (a.decision.hold != b.decision.hold) {
    out.push_back(std::string("hold: ") + (a.decision.hold ? "true" : "false") + " -> " +
                  (b.decision.hold ? "true" : "false"));
  }
  if (a.fallback != b.fallback) {
    out.push_back(std::string("fallback: ") + (a.fallback ? "true" : "false") + " -> " +
                  (b.fallback ? "true (" + b.fallback_reason + ")" : "false"));
  }
  return out;
}

void Replayer::add(std::string_view entry_id, std::string_view json) {
  auto recorded = decisionFromJson(json);
  if (!recorded.ok()) {
    ++summary_.unreadable;
    summary_.problems.push_back(std::string(entry_id) + ": " + recorded.error().message);
    return;
  }
  ++summary_.replayed;
  const DecisionInput& input = recorded.value().input;
  const DecisionRecord replayed = engine_.decide(input);
  auto changes = decisionDifferences(recorded.value().record, replayed);
  if (changes.empty()) {
    ++summary_.same;
    return;
  }
  ++summary_.different;
  summary_.differences.push_back(ReplayDifference{std::string(entry_id), input.study.site,
                                                  input.study.modality, input.study.key,
                                                  std::move(changes)});
}

std::string Replayer::describe(bool identifying) const {
  std::string out;
  for (const std::string& problem : summary_.problems) out += "UNREADABLE " + problem + "\n";
  for (const ReplayDifference& d : summary_.differences) {
    out += "DIFF " + d.entry_id + " " + d.site + " " + d.modality;
    if (identifying && !d.study_key.empty()) out += " study " + d.study_key;
    out += ":";
    for (std::size_t i = 0; i < d.changes.size(); ++i) out += (i ? "; " : " ") + d.changes[i];
    out += "\n";
  }
  out += std::to_string(summary_.replayed) + " replayed, " + std::to_string(summary_.same) +
         " same, " + std::to_string(summary_.different) + " different, " +
         std::to_string(summary_.unreadable) + " unreadable\n";
  return out;
}

}  // namespace sundial::rules
