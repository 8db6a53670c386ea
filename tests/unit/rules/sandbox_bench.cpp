// Micro benchmark (not a test): calls/s of a representative routing rule through
// Sandbox::call, facts of 20 fields (17 strings, 3 integers) built from Values, the decision
// converted back to a Value. 8 studies rotate; 20 000 warm-up calls; 3 timed runs of >= 1 s;
// the median is printed. Run: build-rules/tests/unit/rules/rules_sandbox_bench

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "rules/sandbox/sandbox.h"

namespace {

using sundial::rules::Sandbox;
using sundial::rules::SandboxOptions;
using sundial::rules::Value;

constexpr const char* kRule = R"(
local DESTINATIONS = { CT = "ct-reader", MR = "mr-reader", CR = "xr-pool", DX = "xr-pool",
                       US = "us-pool", NM = "nm-reader" }
local STAT_WORDS = { "STAT", "STROKE", "TRAUMA", "CODE" }
local CONTRACTED = { ["MERCY EAST"] = true, ["ST. LUKE"] = true, ["VALLEY ED"] = true }

function route(study)
  local destinations = { "archive", DESTINATIONS[study.modality] or "general-pool" }
  local description = string.upper(study.study_description)
  local priority = 3
  local tags = {}
  for _, word in ipairs(STAT_WORDS) do
    if string.find(description, word, 1, true) then
      priority = 1
      tags[#tags + 1] = "stat:" .. string.lower(word)
      break
    end
  end
  if CONTRACTED[study.institution] then tags[#tags + 1] = "contract" end
  if study.patient_age < 18 then tags[#tags + 1] = "pediatric" end
  if study.number_of_images > 1000 then tags[#tags + 1] = "large" end
  if string.match(study.calling_ae, "^ED") then priority = math.min(priority, 2) end
  if study.arrival_hour < 7 or study.arrival_hour >= 18 then tags[#tags + 1] = "after-hours" end
  return { destinations = destinations, priority = priority, tags = tags,
           compress = study.transfer_syntax ~= "1.2.840.10008.1.2.4.90" }
end
)";

Value study(int i) {
  static const char* modalities[] = {"CT", "MR", "CR", "US", "DX", "NM", "CT", "MR"};
  static const char* descriptions[] = {"CT head w/o contrast stroke", "MRI brain", "chest 2 views",
                                       "abdomen complete", "knee 3 views", "bone scan",
                                       "ct chest pe protocol STAT", "mr lumbar spine"};
  static const char* institutions[] = {"MERCY EAST", "ST. LUKE", "VALLEY ED", "NORTH CLINIC"};
  return Value::Map{
      {"modality", modalities[i]},
      {"study_description", descriptions[i]},
      {"institution", institutions[i % 4]},
      {"calling_ae", i % 3 == 0 ? "ED_CT1" : "RAD_PACS"},
      {"called_ae", "SUNDIAL"},
      {"transfer_syntax", i % 2 == 0 ? "1.2.840.10008.1.2.1" : "1.2.840.10008.1.2.4.90"},
      {"body_part", "HEAD"},
      {"site_id", "site-" + std::to_string(i)},
      {"site_state", "TX"},
      {"site_timezone", "America/Chicago"},
      {"accession_hash", "a1b2c3d4"},
      {"referring_role", "emergency"},
      {"order_priority", i % 4 == 0 ? "STAT" : "ROUTINE"},
      {"procedure_code", "CTHEAD"},
      {"procedure_text", "CT HEAD WO CONTRAST"},
      {"reason_for_exam", "headache"},
      {"patient_sex", i % 2 == 0 ? "F" : "M"},
      {"patient_age", 10 + i * 9},
      {"number_of_images", 100 + i * 300},
      {"arrival_hour", (i * 5) % 24},
  };
}

}  // namespace

int main() {
  auto created = Sandbox::create(SandboxOptions{});
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", created.error().describe().c_str());
    return 1;
  }
  Sandbox& sandbox = **created;
  if (auto loaded = sandbox.loadChunk("bench.lua", kRule); !loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.error().describe().c_str());
    return 1;
  }
  std::vector<Value> studies;
  for (int i = 0; i < 8; ++i) studies.push_back(study(i));

  std::size_t checksum = 0;
  long failures = 0;  // a preempted thread can miss the 20 ms deadline; counted, not fatal
  auto run = [&](long calls) {
    for (long n = 0; n < calls; ++n) {
      auto decision = sandbox.call("bench.lua", "route", studies[n % 8]);
      if (!decision.ok()) {
        if (decision.error().code != sundial::ErrorCode::Timeout) {
          std::fprintf(stderr, "%s\n", decision.error().describe().c_str());
          std::exit(1);
        }
        ++failures;
        continue;
      }
      checksum += decision->find("tags")->asArray().size();
    }
  };
  run(20'000);

  std::vector<double> rates;
  for (int round = 0; round < 3; ++round) {
    long calls = 0;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = std::chrono::duration<double>(0);
    while (elapsed < std::chrono::seconds(1)) {
      run(10'000);
      calls += 10'000;
      elapsed = std::chrono::steady_clock::now() - start;
    }
    rates.push_back(static_cast<double>(calls) / elapsed.count());
  }
  std::sort(rates.begin(), rates.end());
  std::printf("rules sandbox: %.0f calls/s (median of 3 runs; min %.0f, max %.0f), "
              "state memory %zu bytes, %ld calls over their deadline (checksum %zu)\n",
              rates[1], rates[0], rates[2], sandbox.memoryInUse(), failures, checksum);
  return 0;
}
