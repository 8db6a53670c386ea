#include "rules/engine/decision_reader.h"

#include <algorithm>
#include <cctype>

namespace sundial::rules {
namespace {

constexpr const char* kKnownKeys[] = {"reader", "pool",   "priority", "due_minutes", "due_ms",
                                      "destinations", "tags", "hold", "notify", "reason",
                                      "reasons"};

Result<std::vector<std::string>> stringList(const Value& value, const std::string& where) {
  std::vector<std::string> out;
  if (value.isString()) {
    out.push_back(value.asString());
    return out;
  }
  if (!value.isArray()) return makeError(ErrorCode::RuleFailed, where + " must be a list of text");
  for (const Value& item : value.asArray()) {
    if (!item.isString()) {
      return makeError(ErrorCode::RuleFailed, where + " must be a list of text, not " + item.describe());
    }
    out.push_back(item.asString());
  }
  return out;
}

std::optional<double> number(const Value& value) {
  if (value.isInteger()) return static_cast<double>(value.asInteger());
  if (value.isNumber()) return value.asNumber();
  return std::nullopt;
}

}  // namespace

bool parsePriority(std::string_view text, OrderPriority& out) {
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "STAT") out = OrderPriority::Stat;
  else if (upper == "URGENT") out = OrderPriority::Urgent;
  else if (upper == "ROUTINE") out = OrderPriority::Routine;
  else return false;
  return true;
}

Result<Decision> readDecision(const Value& returned, std::string_view rule_file,
                              const Roster& roster, const DecisionInput& input) {
  const std::string file(rule_file);
  auto nonsense = [&](const std::string& what) {
    return makeError(ErrorCode::RuleFailed, file + ": route() returned nonsense: " + what);
  };
  if (!returned.isMap()) return nonsense("a decision must be a table, not " + returned.describe());
  const Value::Map& map = returned.asMap();
  for (const auto& [key, value] : map) {
    if (std::none_of(std::begin(kKnownKeys), std::end(kKnownKeys),
                     [&](const char* known) { return key == known; })) {
      return nonsense("unknown key '" + key + "'");
    }
  }
  Decision decision;
  decision.priority = input.order.present ? input.order.priority : OrderPriority::Routine;
  if (const Value* reader = returned.find("reader")) {
    if (!reader->isString()) return nonsense("reader must be a reader id, not " + reader->describe());
    if (roster.findReader(reader->asString()) == nullptr) {
      return nonsense("unknown reader '" + reader->asString() + "'");
    }
    decision.reader = reader->asString();
  }
  if (const Value* pool = returned.find("pool")) {
    if (!pool->isString()) return nonsense("pool must be a pool name, not " + pool->describe());
    if (roster.findPool(pool->asString()) == nullptr) {
      return nonsense("unknown pool '" + pool->asString() + "'");
    }
    decision.pool = pool->asString();
  }
  if (decision.reader.empty() == decision.pool.empty()) {
    return nonsense("a decision names exactly one of reader or pool");
  }
  if (const Value* priority = returned.find("priority")) {
    if (!priority->isString() || !parsePriority(priority->asString(), decision.priority)) {
      return nonsense("priority must be \"STAT\", \"URGENT\" or \"ROUTINE\", not " +
                      priority->describe());
    }
  }
  if (const Value* due = returned.find("due_minutes")) {
    const auto minutes = number(*due);
    if (!minutes || *minutes <= 0 || *minutes > 60.0 * 24 * 365) {
      return nonsense("due_minutes must be a positive number of minutes, not " + due->describe());
    }
    decision.due = input.now + std::chrono::milliseconds(static_cast<long long>(*minutes * 60000));
  }
  if (const Value* due = returned.find("due_ms")) {
    if (!due->isInteger() || due->asInteger() <= 0) {
      return nonsense("due_ms must be epoch milliseconds, not " + due->describe());
    }
    decision.due = fromEpochMs(due->asInteger());
  }
  if (const Value* destinations = returned.find("destinations")) {
    auto list = stringList(*destinations, "destinations");
    if (!list.ok()) return nonsense(list.error().message);
    for (const std::string& name : list.value()) {
      if (!roster.hasDestination(name)) return nonsense("unknown destination '" + name + "'");
    }
    decision.destinations = std::move(list.value());
  }
  struct ListKey {
    const char* key;
    std::vector<std::string>* out;
  };
  for (const ListKey& item : {ListKey{"tags", &decision.tags}, ListKey{"notify", &decision.notify},
                              ListKey{"reason", &decision.reasons},
                              ListKey{"reasons", &decision.reasons}}) {
    const Value* value = returned.find(item.key);
    if (value == nullptr) continue;
    auto list = stringList(*value, item.key);
    if (!list.ok()) return nonsense(list.error().message);
    item.out->insert(item.out->end(), list.value().begin(), list.value().end());
  }
  if (const Value* hold = returned.find("hold")) {
    if (!hold->isBool()) return nonsense("hold must be true or false, not " + hold->describe());
    decision.hold = hold->asBool();
  }
  return decision;
}

}  // namespace sundial::rules
