#include "rules/engine/rule_worker.h"

#include <algorithm>

#include "rules/engine/facts.h"
#include "rules/engine/safety_check.h"

namespace sundial::rules {
namespace {

// Appended to every rule file: a file that declares no route(f) is refused at load.
std::string withRouteCheck(const RuleFile& file) {
  return file.source +
         "\nif not pcall(function() return route end) or type(route) ~= 'function' then "
         "error('" + file.name + ": declares no function route(f)', 0) end";
}

constexpr const char* kCasesFunction = "sundial_test_cases";

Error argumentError(const std::string& what) { return makeError(ErrorCode::RuleFailed, what); }

// The ids in an array argument (a list of reader ids).
Result<std::vector<std::string>> idList(const Value::Array& args, std::size_t index,
                                        const char* function) {
  std::vector<std::string> ids;
  if (index >= args.size() || args[index].isNil()) return ids;
  if (!args[index].isArray()) {
    return argumentError(std::string(function) + " expects a list of reader ids");
  }
  for (const Value& item : args[index].asArray()) {
    if (!item.isString()) return argumentError(std::string(function) + " expects reader ids (text)");
    ids.push_back(item.asString());
  }
  return ids;
}

Result<std::string> textArg(const Value::Array& args, std::size_t index, const char* function,
                            const char* what) {
  if (index >= args.size() || !args[index].isString()) {
    return argumentError(std::string(function) + " expects " + what);
  }
  return args[index].asString();
}

Value idsValue(const std::vector<std::string>& ids) {
  Value::Array array;
  array.reserve(ids.size());
  for (const auto& id : ids) array.emplace_back(id);
  return Value(std::move(array));
}

Value listValue(const std::vector<std::string>& list) { return idsValue(list); }

}  // namespace

Result<std::unique_ptr<RuleWorker>> RuleWorker::create(std::shared_ptr<const RuleSet> rules,
                                                       RuleLimits limits) {
  std::unique_ptr<RuleWorker> worker(new RuleWorker(std::move(rules)));
  SandboxOptions options;
  options.call = Budget{limits.instructions, limits.wall_time, limits.memory_bytes};
  options.state_memory_bytes = std::max<std::size_t>(limits.memory_bytes * 4, std::size_t{8} << 20);
  options.host_functions = worker->hostFunctions();
  auto sandbox = Sandbox::create(std::move(options));
  if (!sandbox.ok()) return sandbox.error();
  worker->sandbox_ = std::move(sandbox.value());
  for (const RuleFile& file : worker->rules_->rules) {
    auto loaded = worker->sandbox_->loadChunk(file.name, withRouteCheck(file));
    if (!loaded.ok()) return loaded.error();
  }
  return worker;
}

Result<void> RuleWorker::compileCheck(const RuleSet& rules) {
  // A worker over a non-owning pointer: the set outlives this call.
  auto worker = create(std::shared_ptr<const RuleSet>(&rules, [](const RuleSet*) {}), RuleLimits{});
  if (!worker.ok()) return worker.error();
  return okResult();
}

Result<Value> RuleWorker::readTestCases(const RuleFile& file) {
  SandboxOptions options;
  options.call.instructions = 50'000'000;
  options.call.wall_time = std::chrono::milliseconds(5000);
  options.call.memory_bytes = std::size_t{64} << 20;
  options.state_memory_bytes = std::size_t{128} << 20;
  auto sandbox = Sandbox::create(std::move(options));
  if (!sandbox.ok()) return sandbox.error();
  auto loaded = sandbox.value()->loadChunk(
      file.name, file.source + "\nfunction " + kCasesFunction + "() return cases end");
  if (!loaded.ok()) return loaded.error();
  return sandbox.value()->call(file.name, kCasesFunction, Value());
}

Result<RuleWorker::Answer> RuleWorker::route(CandidateChecks& checks) {
  const DecisionInput& input = checks.input();
  auto facts = sandbox_->prepareFacts(buildFacts(input, checks.site()));
  if (!facts.ok()) return facts.error();
  context_ = Context{&checks.roster(), &checks.site(), &input, &checks};
  Answer answer;
  for (const RuleFile& file : rules_->rules) {
    auto result = sandbox_->call(file.name, kRouteFunction, facts.value());
    if (!result.ok()) {
      context_ = {};
      Error error = result.error();
      // Budget and conversion messages may lack the file; the fallback reason must name it.
      if (error.message.rfind(file.name, 0) != 0) error.message = file.name + ": " + error.message;
      return error;
    }
    if (!result.value().isNil()) {
      answer.file = file.name;
      answer.value = std::move(result.value());
      break;
    }
  }
  context_ = {};
  return answer;
}

// The sundial.* helpers (docs/rules.md). Each reads context_, set for the call in progress.
std::vector<HostFunction> RuleWorker::hostFunctions() {
  std::vector<HostFunction> functions;
  auto add = [&](const char* name, auto function) {
    functions.push_back(HostFunction{name, [this, name, function](const Value::Array& args) -> Result<Value> {
      if (context_.input == nullptr) {
        return argumentError(std::string("sundial.") + name + " is only offered inside route(f)");
      }
      return function(args);
    }});
  };
  // Option table {subspecialty=, pool=} of readers()/eligible().
  auto matches = [](const ReaderProfile& reader, const Value::Array& args) -> Result<bool> {
    if (args.empty() || args[0].isNil()) return true;
    if (!args[0].isMap()) return argumentError("expects an options table {subspecialty=, pool=}");
    for (const auto& [key, value] : args[0].asMap()) {
      if (!value.isString()) return argumentError("option '" + key + "' must be text");
      if (key == "subspecialty") {
        if (!reader.hasSubspecialty(value.asString())) return false;
      } else if (key == "pool") {
        if (!reader.inPool(value.asString())) return false;
      } else {
        return argumentError("unknown option '" + key + "' (subspecialty, pool)");
      }
    }
    return true;
  };
  auto select = [this, matches](const Value::Array& args, bool eligible_only) -> Result<Value> {
    std::vector<std::string> ids;
    for (std::size_t index : context_.roster->readersAt(context_.site->name)) {
      const ReaderProfile& reader = context_.roster->readers[index];
      auto match = matches(reader, args);
      if (!match.ok()) return match.error();
      if (!match.value()) continue;
      if (eligible_only && !context_.checks->isEligible(index)) continue;
      ids.push_back(reader.id);
    }
    return idsValue(ids);
  };

  // sundial.readers([{subspecialty=, pool=}]) -> ids of readers credentialed at the site
  add("readers", [select](const Value::Array& args) { return select(args, false); });
  // sundial.eligible([{subspecialty=, pool=}]) -> ids that pass every safety check now
  add("eligible", [select](const Value::Array& args) { return select(args, true); });
  // sundial.reader(id) -> {id, name, licences, credentials, subspecialties, modalities,
  //   time_zone, destination, pools, rvu_capacity, online, load_rvu, open_tasks, on_shift} or nil
  add("reader", [this](const Value::Array& args) -> Result<Value> {
    auto id = textArg(args, 0, "sundial.reader", "a reader id");
    if (!id.ok()) return id.error();
    const ReaderProfile* reader = context_.roster->findReader(id.value());
    if (reader == nullptr) return Value();
    const ReaderStatus* status = context_.input->statusOf(reader->id);
    Value::Map map;
    map.emplace("id", reader->id);
    map.emplace("name", reader->display_name);
    map.emplace("licences", listValue(reader->licences));
    map.emplace("credentials", listValue(reader->credentials));
    map.emplace("subspecialties", listValue(reader->subspecialties));
    map.emplace("modalities", listValue(reader->modalities));
    map.emplace("time_zone", reader->time_zone);
    map.emplace("destination", reader->destination);
    map.emplace("pools", listValue(reader->pools));
    map.emplace("rvu_capacity", reader->rvu_capacity);
    map.emplace("online", status != nullptr && status->online);
    map.emplace("load_rvu", status != nullptr ? status->load_rvu : 0.0);
    map.emplace("open_tasks", status != nullptr ? status->open_tasks : 0);
    map.emplace("on_shift", reader->onShiftAt(context_.input->now));
    return Value(std::move(map));
  });
  // sundial.check(id) -> nil when the reader may read this study, else {constraint=, detail=}
  add("check", [this](const Value::Array& args) -> Result<Value> {
    auto id = textArg(args, 0, "sundial.check", "a reader id");
    if (!id.ok()) return id.error();
    const auto index = context_.roster->readerIndex(id.value());
    if (!index) {
      return Value(Value::Map{{"constraint", std::string(constraintName(Constraint::UnknownReader))},
                              {"detail", "no reader '" + id.value() + "'"}});
    }
    auto rejection = context_.checks->rejection(*index);
    if (!rejection) return Value();
    return Value(Value::Map{{"constraint", std::string(constraintName(rejection->constraint))},
                            {"detail", rejection->detail}});
  });
  // sundial.on_shift(id [, at_ms]) -> boolean
  add("on_shift", [this](const Value::Array& args) -> Result<Value> {
    auto id = textArg(args, 0, "sundial.on_shift", "a reader id");
    if (!id.ok()) return id.error();
    const ReaderProfile* reader = context_.roster->findReader(id.value());
    if (reader == nullptr) return argumentError("sundial.on_shift: unknown reader '" + id.value() + "'");
    UtcTime at = context_.input->now;
    if (args.size() > 1 && args[1].isInteger()) at = fromEpochMs(args[1].asInteger());
    return Value(reader->onShiftAt(at));
  });
  // sundial.with_subspecialty(ids, name) -> the ids whose readers have that subspecialty
  add("with_subspecialty", [this](const Value::Array& args) -> Result<Value> {
    auto ids = idList(args, 0, "sundial.with_subspecialty");
    if (!ids.ok()) return ids.error();
    auto name = textArg(args, 1, "sundial.with_subspecialty", "a subspecialty name");
    if (!name.ok()) return name.error();
    std::vector<std::string> out;
    for (const auto& id : ids.value()) {
      const ReaderProfile* reader = context_.roster->findReader(id);
      if (reader != nullptr && reader->hasSubspecialty(name.value())) out.push_back(id);
    }
    return idsValue(out);
  });
  // sundial.in_pool(ids, pool) -> the ids whose readers belong to the pool
  add("in_pool", [this](const Value::Array& args) -> Result<Value> {
    auto ids = idList(args, 0, "sundial.in_pool");
    if (!ids.ok()) return ids.error();
    auto pool = textArg(args, 1, "sundial.in_pool", "a pool name");
    if (!pool.ok()) return pool.error();
    std::vector<std::string> out;
    for (const auto& id : ids.value()) {
      const ReaderProfile* reader = context_.roster->findReader(id);
      if (reader != nullptr && reader->inPool(pool.value())) out.push_back(id);
    }
    return idsValue(out);
  });
  // sundial.least_loaded(ids) -> the id with the least open RVUs (then fewest open tasks, then
  // first in the list), or nil for an empty list. Readers at or over capacity come last.
  add("least_loaded", [this](const Value::Array& args) -> Result<Value> {
    auto ids = idList(args, 0, "sundial.least_loaded");
    if (!ids.ok()) return ids.error();
    const std::string* best = nullptr;
    std::tuple<bool, double, int> best_key{};
    for (const auto& id : ids.value()) {
      const ReaderProfile* reader = context_.roster->findReader(id);
      const ReaderStatus* status = context_.input->statusOf(id);
      const double load = status != nullptr ? status->load_rvu : 0.0;
      const int tasks = status != nullptr ? status->open_tasks : 0;
      const bool full = reader != nullptr && reader->rvu_capacity > 0 && load >= reader->rvu_capacity;
      const std::tuple<bool, double, int> key{full, load, tasks};
      if (best == nullptr || key < best_key) {
        best = &id;
        best_key = key;
      }
    }
    return best == nullptr ? Value() : Value(*best);
  });
  // sundial.round_robin(ids) -> ids[f.sequence % #ids + 1], or nil for an empty list
  add("round_robin", [this](const Value::Array& args) -> Result<Value> {
    auto ids = idList(args, 0, "sundial.round_robin");
    if (!ids.ok()) return ids.error();
    if (ids.value().empty()) return Value();
    return Value(ids.value()[context_.input->sequence % ids.value().size()]);
  });
  // sundial.local_time([zone]) -> the time now in an IANA zone (default: the site's)
  add("local_time", [this](const Value::Array& args) -> Result<Value> {
    if (args.empty() || args[0].isNil()) {
      const SiteProfile& site = *context_.site;
      return localTimeValue(site.zone ? site.zone->localTime(context_.input->now)
                                      : localTimeAtOffset(context_.input->now, std::chrono::seconds(0)));
    }
    auto name = textArg(args, 0, "sundial.local_time", "a time zone name");
    if (!name.ok()) return name.error();
    auto zone = TimeZone::load(name.value());
    if (!zone.ok()) return argumentError(zone.error().message);
    return localTimeValue(zone.value()->localTime(context_.input->now));
  });
  return functions;
}

}  // namespace sundial::rules
