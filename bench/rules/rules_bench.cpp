// Benchmark of the rule engine (issue 4): decisions with the examples/rules set against a
// synthetic roster of 500 readers over 50 sites — decisions/s on one thread, latency p50/p99,
// memory per Lua state — and the replay of 100,000 synthetic recorded decisions (JSON parse,
// decide again, compare). With --redis it also writes those records to the decisions stream and
// a configuration for `sundial rules replay`, which bench/rules/run.sh then times end to end.
//
//   rules_bench --rules DIR [--decisions N] [--replay N] [--seed S] [--redis ADDRESS --out DIR]

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "adapters/redis/redis_client.h"
#include "rules/api/decision_json.h"
#include "rules/engine/rule_engine.h"
#include "rules/testing/replay.h"

namespace {

using namespace sundial;
using namespace sundial::rules;

constexpr int kReaders = 500;
constexpr int kSites = 50;
const char* kStates[] = {"TX", "NY", "CO", "CA", "FL", "IL", "WA", "GA", "AZ", "MA"};
const char* kZones[] = {"America/Chicago", "America/New_York", "America/Denver",
                        "America/Los_Angeles", "America/Phoenix", "Asia/Kolkata"};
const char* kModalities[] = {"CT", "MR", "CR", "US", "DX"};

struct Args {
  std::string rules = "examples/rules";
  int decisions = 200000;
  int replay = 100000;
  unsigned seed = 20261130;
  std::string redis;
  std::string out;
};

std::shared_ptr<const Roster> syntheticRoster(std::mt19937& rng) {
  auto roster = std::make_shared<Roster>();
  std::vector<std::string> site_names;
  for (int s = 0; s < kSites; ++s) {
    SiteProfile site;
    site.name = s == 0 ? "DEMO" : "SITE" + std::to_string(s);
    site.state = kStates[s % 10];
    site.time_zone = kZones[s % 5];
    site.destinations = {"ARCHIVE"};
    site.sla_minutes = {{OrderPriority::Stat, 30}, {OrderPriority::Urgent, 120}, {OrderPriority::Routine, 1440}};
    if (s % 5 == 0) site.coverage = {{{1, 2, 3, 4, 5}, 7 * 60, 18 * 60}};
    site_names.push_back(site.name);
    roster->sites.push_back(std::move(site));
  }
  std::uniform_int_distribution<int> percent(0, 99);
  for (int r = 0; r < kReaders; ++r) {
    ReaderProfile reader;
    reader.id = "R" + std::to_string(r);
    reader.display_name = "Reader " + std::to_string(r);
    std::vector<int> states(10);
    for (int i = 0; i < 10; ++i) states[i] = i;
    std::shuffle(states.begin(), states.end(), rng);
    const int licences = 3 + percent(rng) % 6;
    for (int i = 0; i < licences; ++i) reader.licences.push_back(kStates[states[i]]);
    std::vector<int> sites(kSites);
    for (int i = 0; i < kSites; ++i) sites[i] = i;
    std::shuffle(sites.begin(), sites.end(), rng);
    const int credentials = 5 + percent(rng) % 11;  // 5-15: ~100 candidates per site
    for (int i = 0; i < credentials; ++i) reader.credentials.push_back(site_names[sites[i]]);
    const int kind = percent(rng);
    if (kind < 20) reader.subspecialties = {"neuro"};
    else if (kind < 30) reader.subspecialties = {"pediatric"};
    else if (kind < 60) reader.subspecialties = {"body"};
    for (const char* m : kModalities) {
      if (percent(rng) < 70) reader.modalities.push_back(m);
    }
    if (reader.modalities.empty()) reader.modalities.push_back("CT");
    reader.time_zone = kZones[percent(rng) % 6];
    const int start = (percent(rng) % 24) * 60;
    const int length = (8 + percent(rng) % 5) * 60;
    reader.shifts = {{{0, 1, 2, 3, 4, 5, 6}, start, (start + length) % 1440}};
    reader.destination = "WS" + std::to_string(r % 20);
    const bool local_demo = std::find(reader.credentials.begin(), reader.credentials.end(), "DEMO") !=
                            reader.credentials.end() && percent(rng) < 30;
    reader.pools = {local_demo ? "demo_local" : "remote"};
    if (percent(rng) < 10) reader.pools.push_back("overflow");
    reader.rvu_capacity = 40;
    roster->readers.push_back(std::move(reader));
  }
  roster->pools = {{"demo_local", false}, {"remote", false}, {"overflow", true}};
  roster->destinations = {"ARCHIVE"};
  for (int w = 0; w < 20; ++w) roster->destinations.push_back("WS" + std::to_string(w));
  roster->fallback_pool = "overflow";
  auto finished = roster->finish();
  if (!finished.ok()) {
    std::fprintf(stderr, "roster: %s\n", finished.error().describe().c_str());
    std::exit(1);
  }
  return roster;
}

DecisionInput syntheticStudy(std::mt19937& rng, const Roster& roster, int index) {
  std::uniform_int_distribution<int> percent(0, 99);
  DecisionInput in;
  const SiteProfile& site = roster.sites[static_cast<std::size_t>(percent(rng) % kSites)];
  in.study.key = "bench-" + std::to_string(index);
  in.study.site = site.name;
  const int m = percent(rng);
  in.study.modality = m < 40 ? "CT" : m < 60 ? "MR" : m < 90 ? "CR" : "US";
  const int part = percent(rng);
  in.study.body_part = part < 30 ? "HEAD" : part < 60 ? "CHEST" : part < 80 ? "ABDOMEN" : "EXTREMITY";
  in.study.description = in.study.modality + " " + in.study.body_part;
  in.study.image_count = 1 + percent(rng) * 5;
  // A week of studies from 2026-11-30T00:00Z.
  in.now = fromEpochMs(1796083200000LL + static_cast<long long>(rng() % (7 * 86400)) * 1000);
  in.study.arrived = in.now - std::chrono::minutes(percent(rng) % 30);
  if (percent(rng) < 85) {
    in.order.present = true;
    in.order.procedure_code = in.study.modality + in.study.body_part;
    in.order.procedure_text = in.study.description;
    const int p = percent(rng);
    in.order.priority = p < 10 ? OrderPriority::Stat : p < 30 ? OrderPriority::Urgent : OrderPriority::Routine;
    in.order.reason_for_exam = p < 5 ? "code stroke, last known well 30 min" : "pain";
  }
  in.patient.age_years = percent(rng) < 10 ? percent(rng) % 18 : 18 + percent(rng) % 70;
  in.patient.sex = percent(rng) < 50 ? "F" : "M";
  in.sequence = static_cast<std::uint64_t>(index);
  // The readers the dispatcher would look up: those credentialed at the site.
  for (std::size_t r : roster.readersAt(site.name)) {
    in.readers[roster.readers[r].id] =
        ReaderStatus{percent(rng) < 80, static_cast<double>(percent(rng) % 50), percent(rng) % 10};
  }
  return in;
}

std::string clock(int minute) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", minute / 60, minute % 60);
  return text;
}

std::string yamlList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

// The synthetic roster as a configuration, so `sundial rules replay` decides with it too.
void writeConfig(const Roster& roster, const std::string& path, const std::string& redis,
                 const std::string& rules) {
  std::ofstream out(path);
  out << "node:\n  data_dir: data\nredis:\n  address: \"" << redis << "\"\n  key_prefix: bench\n";
  out << "destinations:\n";
  for (const auto& d : roster.destinations) {
    out << "  - {name: " << d << ", ae_title: " << d << ", host: 127.0.0.1, port: 11113}\n";
  }
  out << "sites:\n";
  int n = 0;
  for (const auto& s : roster.sites) {
    out << "  - name: " << s.name << "\n    time_zone: " << s.time_zone << "\n    state: " << s.state
        << "\n    callers: [{ae_title: C" << n++ << ", addresses: [127.0.0.1]}]\n    destinations: "
        << yamlList(s.destinations) << "\n";
    if (!s.coverage.empty()) out << "    coverage: [{days: weekdays, from: \"07:00\", to: \"18:00\"}]\n";
  }
  out << "readers:\n";
  for (const auto& r : roster.readers) {
    const auto& w = r.shifts.front();
    out << "  - {id: " << r.id << ", licences: " << yamlList(r.licences) << ", credentials: "
        << yamlList(r.credentials) << ", subspecialties: " << yamlList(r.subspecialties)
        << ", modalities: " << yamlList(r.modalities) << ", time_zone: " << r.time_zone
        << ", shifts: [{days: daily, from: \"" << clock(w.start_minute) << "\", to: \""
        << (w.end_minute == 0 ? std::string("24:00") : clock(w.end_minute)) << "\"}], destination: "
        << r.destination << ", pools: " << yamlList(r.pools) << ", rvu_capacity: 40}\n";
  }
  out << "rules:\n  folder: " << rules << "\n  pools: [{name: demo_local}, {name: remote}, "
      << "{name: overflow, mode: pull}]\n  fallback_pool: overflow\n";
}

// CPU time of this thread: the machine is shared, so wall time includes other people's work.
double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

long long rssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return 0;
}

Args parseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--rules") a.rules = value;
    else if (key == "--decisions") a.decisions = std::stoi(value);
    else if (key == "--replay") a.replay = std::stoi(value);
    else if (key == "--seed") a.seed = static_cast<unsigned>(std::stoul(value));
    else if (key == "--redis") a.redis = value;
    else if (key == "--out") a.out = value;
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parseArgs(argc, argv);
  std::printf("seed %u\n", args.seed);
  std::mt19937 rng(args.seed);
  auto rules = readRuleFolder(args.rules);
  if (!rules.ok()) {
    std::fprintf(stderr, "rules: %s\n", rules.error().describe().c_str());
    return 1;
  }
  const auto roster = syntheticRoster(rng);
  RuleEngineOptions options;
  options.log_fallbacks = false;
  RuleEngine engine(roster, rules.value(), options);

  // Inputs are built before the clock starts: building them is the dispatcher's work.
  constexpr int kDistinctInputs = 20000;
  std::vector<DecisionInput> inputs;
  inputs.reserve(kDistinctInputs);
  for (int i = 0; i < kDistinctInputs; ++i) inputs.push_back(syntheticStudy(rng, *roster, i));
  std::size_t candidates = 0;
  for (const auto& in : inputs) candidates += in.readers.size();

  for (int i = 0; i < 2000; ++i) (void)engine.decide(inputs[static_cast<std::size_t>(i) % inputs.size()]);  // warm-up
  std::vector<double> latency_us;
  latency_us.reserve(static_cast<std::size_t>(args.decisions));
  std::size_t fallbacks = 0, to_reader = 0;
  const double cpu_start = threadCpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < args.decisions; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const DecisionRecord record = engine.decide(inputs[static_cast<std::size_t>(i) % inputs.size()]);
    const auto t1 = std::chrono::steady_clock::now();
    latency_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    fallbacks += record.fallback ? 1 : 0;
    to_reader += record.decision.reader.empty() ? 0 : 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_seconds = threadCpuSeconds() - cpu_start;
  std::sort(latency_us.begin(), latency_us.end());
  auto pct = [&](double p) { return latency_us[static_cast<std::size_t>(p * (latency_us.size() - 1))]; };
  const double rate = args.decisions / seconds;
  std::printf("roster: %d readers, %d sites, %.1f candidates (credentialed readers) per study\n",
              kReaders, kSites, static_cast<double>(candidates) / inputs.size());
  std::printf("RESULT decisions_per_s=%.0f p50_us=%.1f p99_us=%.1f max_us=%.1f to_reader=%.3f fallbacks=%zu\n",
              rate, pct(0.50), pct(0.99), latency_us.back(),
              static_cast<double>(to_reader) / args.decisions, fallbacks);
  std::printf("RESULT decisions_per_cpu_s=%.0f cpu_us_per_decision=%.1f wall_s=%.1f cpu_s=%.1f "
              "(wall includes time the shared core spent on other processes)\n",
              args.decisions / cpu_seconds, cpu_seconds * 1e6 / args.decisions, seconds, cpu_seconds);
  std::printf("RESULT lua_state_bytes=%zu process_rss_kb=%lld\n", engine.stateMemoryBytes(), rssKb());

  // Replay: records made with the running rules, replayed through them.
  std::vector<std::pair<std::string, std::string>> records;
  records.reserve(static_cast<std::size_t>(args.replay));
  const long long base_ms = 1796083200000LL;
  for (int i = 0; i < args.replay; ++i) {
    DecisionInput in = syntheticStudy(rng, *roster, kDistinctInputs + i);
    records.emplace_back(std::to_string(base_ms + i) + "-0", decisionToJson(in, engine.decide(in)));
  }
  std::size_t bytes = 0;
  for (const auto& r : records) bytes += r.second.size();
  Replayer replayer(engine);
  const double replay_cpu_start = threadCpuSeconds();
  const auto replay_start = std::chrono::steady_clock::now();
  for (const auto& [id, json] : records) replayer.add(id, json);
  const double replay_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - replay_start).count();
  const double replay_cpu_s = threadCpuSeconds() - replay_cpu_start;
  const ReplaySummary& summary = replayer.summary();
  std::printf("RESULT replay_studies=%d replay_s=%.2f replay_cpu_s=%.2f replay_per_s=%.0f same=%llu "
              "different=%llu record_bytes_avg=%zu\n",
              args.replay, replay_s, replay_cpu_s, args.replay / replay_s,
              static_cast<unsigned long long>(summary.same),
              static_cast<unsigned long long>(summary.different),
              records.empty() ? std::size_t{0} : bytes / records.size());  // --replay 0: no records

  if (!args.redis.empty()) {
    adapters::redis::RedisClient client({args.redis});
    const std::string key = "bench:v1:dispatch:decisions";
    (void)client.command({"DEL", key});
    std::vector<std::vector<std::string>> batch;
    for (const auto& [id, json] : records) {
      batch.push_back({"XADD", key, id, "decision", json});
      if (batch.size() == 1000) {
        if (!client.pipeline(batch).ok()) return 1;
        batch.clear();
      }
    }
    if (!batch.empty() && !client.pipeline(batch).ok()) return 1;
    std::printf("wrote %zu records to %s\n", records.size(), key.c_str());
    if (!args.out.empty()) {
      writeConfig(*roster, args.out + "/config.yaml", args.redis,
                  std::filesystem::absolute(args.rules).string());
      std::printf("wrote %s/config.yaml\n", args.out.c_str());
    }
  }
  return 0;
}
