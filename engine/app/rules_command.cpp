#include "engine/app/rules_command.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/redis_client.h"
#include "engine/app/exit_codes.h"
#include "engine/config/config_loader.h"
#include "engine/roster/roster_from_config.h"
#include "rules/engine/rule_engine.h"
#include "rules/testing/replay.h"
#include "rules/testing/test_case.h"
#include "rules/testing/test_runner.h"

namespace sundial::app {
namespace {

// The dispatcher records one stream entry per decision (adapters/redis/redis_decision_log.h)
// with the JSON of rules::decisionToJson in the field "decision".
constexpr const char* kDecisionField = "decision";
constexpr int kReplayBatch = 1000;

std::shared_ptr<const config::Config> loadConfig(const std::string& file) {
  auto outcome = config::loadConfigFile(file, std::filesystem::current_path());
  for (const auto& problem : outcome.problems) std::cerr << problem.describe() << "\n";
  return outcome.config;
}

// Epoch milliseconds from "...Z", "...+hh:mm" or a plain number.
std::optional<long long> parseSince(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoll(text);
  }
  auto parsed = rules::parseTime(text, nullptr);
  if (!parsed.ok()) return std::nullopt;
  return toEpochMs(parsed.value());
}

// The stream id just after `id` ("ms-seq" -> "ms-(seq+1)"): XRANGE's start is inclusive.
std::string nextId(const std::string& id) {
  const auto dash = id.find('-');
  if (dash == std::string::npos) return id + "-1";
  return id.substr(0, dash) + "-" + std::to_string(std::stoull(id.substr(dash + 1)) + 1);
}

}  // namespace

int runRulesTest(const RulesTestArgs& args) {
  std::string config_file = args.config_file;
  if (config_file.empty()) {
    const auto beside = std::filesystem::path(args.folder).parent_path() / "config.yaml";
    if (!std::filesystem::exists(beside)) {
      std::cerr << "error: rules test needs a roster: pass --config FILE\n";
      return kExitUsage;
    }
    config_file = beside.string();
  }
  auto config = loadConfig(config_file);
  if (!config) return kExitBadConfig;
  auto roster = engine::rosterFromConfig(*config);
  if (!roster.ok()) {
    std::cerr << config_file << ": " << roster.error().describe() << "\n";
    return kExitBadConfig;
  }
  auto rules = rules::readRuleFolder(args.folder);
  if (!rules.ok()) {
    std::cerr << "error: " << rules.error().message << "\n";
    return 1;
  }
  if (rules.value()->tests.empty()) {
    std::cerr << "error: " << args.folder << " has no test cases (*_test.lua, tests/*.lua)\n";
    return 1;
  }
  auto report = rules::runRuleTests(rules.value(), roster.value());
  if (!report.ok()) {
    std::cerr << "error: " << report.error().message << "\n";
    return 1;
  }
  std::cout << report.value().describe();
  std::cout << "rule set " << rules.value()->version.substr(0, 12) << " ("
            << rules.value()->rules.size() << " rule files), roster "
            << roster.value()->version().substr(0, 12) << "\n";
  return report.value().ok() ? kExitOk : 1;
}

int runRulesReplay(const RulesReplayArgs& args) {
  auto config = loadConfig(args.config_file);
  if (!config) return kExitBadConfig;
  const auto since = parseSince(args.since);
  const auto until = args.until.empty() ? std::optional<long long>() : parseSince(args.until);
  if (!since || (!args.until.empty() && !until)) {
    std::cerr << "error: --since/--until take a time like 2026-11-29T00:00:00Z or epoch milliseconds\n";
    return kExitUsage;
  }
  auto roster = engine::rosterFromConfig(*config);
  if (!roster.ok()) {
    std::cerr << args.config_file << ": " << roster.error().describe() << "\n";
    return kExitBadConfig;
  }
  const std::filesystem::path folder =
      args.rules_folder.empty() ? config->rules.folder : std::filesystem::path(args.rules_folder);
  if (folder.empty()) {
    std::cerr << "error: no rule folder: pass --rules DIR or set rules.folder\n";
    return kExitUsage;
  }
  auto rules = rules::readRuleFolder(folder);
  if (!rules.ok()) {
    std::cerr << "error: " << rules.error().message << "\n";
    return 1;
  }
  rules::RuleEngineOptions options;
  options.log_fallbacks = false;  // differences are the report
  rules::RuleEngine engine(roster.value(), rules.value(), options);
  rules::Replayer replayer(engine);

  adapters::redis::RedisClientOptions redis;
  redis.address = !args.redis_address.empty() ? args.redis_address
                  : !config->redis.address.empty()
                      ? config->redis.address
                      : "unix:" + (config->redisDir() / "redis.sock").string();
  adapters::redis::RedisClient client(redis);
  const std::string key = adapters::redis::KeySchema(config->redis.key_prefix).dispatchDecisions();
  std::string start = std::to_string(*since) + "-0";
  const std::string end = until ? std::to_string(*until) + "-18446744073709551615" : "+";
  for (;;) {
    auto reply = client.command({"XRANGE", key, start, end, "COUNT", std::to_string(kReplayBatch)});
    if (!reply.ok()) {
      std::cerr << "error: reading " << key << " at " << redis.address << ": "
                << reply.error().describe() << "\n";
      return 1;
    }
    const auto& entries = reply.value().elements;
    for (const auto& entry : entries) {
      if (entry.elements.size() != 2) continue;
      const std::string& id = entry.elements[0].str;
      const auto& fields = entry.elements[1].elements;
      bool found = false;
      for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str != kDecisionField) continue;
        replayer.add(id, fields[i + 1].str);
        found = true;
      }
      if (!found) replayer.add(id, "");
      start = nextId(id);
    }
    if (entries.size() < static_cast<std::size_t>(kReplayBatch)) break;
  }
  std::cout << replayer.describe(config->node.identifying_logs);
  std::cout << "rule set " << rules.value()->version.substr(0, 12) << " from " << folder.string()
            << ", stream " << key << "\n";
  return kExitOk;
}

}  // namespace sundial::app
