// A micro benchmark, not a test: how many records/s the trail writer sustains (hash chain,
// canonical JSON, one write per batch, fdatasync per batch or none), what record() costs the
// calling thread, and how fast `audit verify` and a one-day query read the result. Run on one
// core with `taskset -c 0 build/tests/unit/audit/audit_writer_bench [records] [folder]`; the
// folder should be on the disk the data folder lives on. Figures in bench/RESULTS.md.

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/audit/trail_query.h"
#include "engine/audit/trail_verifier.h"
#include "engine/audit/trail_writer.h"

namespace {

using namespace sundial;
using namespace sundial::engine;
using Seconds = std::chrono::duration<double>;

AuditRecord typicalRecord(int i) {
  AuditRecord r;
  r.action = i % 4 == 0 ? "instance.forwarded" : "instance.received";
  r.actor = "MODALITY";
  r.site = "DEMO";
  r.study_uid = "1.2.826.0.1.3680043.8.498." + std::to_string(1000000 + i / 8);
  r.patient_id = "PAT" + std::to_string(i % 5000);
  r.accession_number = "ACC" + std::to_string(i / 8);
  r.details = {{"count", "250"}, {"bytes", "131072000"}, {"destination", "ARCHIVE"}};
  return r;
}

struct Run {
  double records_per_s;        // wall clock: on a shared machine, others' load counts here
  double records_per_cpu_s;    // per second of this process's CPU (callers and writer)
  double record_call_ns;
};

double processCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

Run writeTrail(const std::filesystem::path& folder, int records, int threads, bool fsync) {
  std::filesystem::remove_all(folder);
  audit::AuditTrailOptions options;
  options.folder = folder;
  options.fsync = fsync;
  options.anchor_key = "benchmark anchor key, 32 bytes..";
  SystemClock clock;
  audit::AuditTrailWriter writer(options, clock);
  if (!writer.start()) std::abort();
  std::vector<AuditRecord> prepared;
  prepared.reserve(records);
  for (int i = 0; i < records; ++i) prepared.push_back(typicalRecord(i));
  auto begin = std::chrono::steady_clock::now();
  double cpu_begin = processCpuSeconds();
  std::vector<double> call_seconds(threads);
  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t) {
    callers.emplace_back([&, t] {
      auto start = std::chrono::steady_clock::now();
      for (int i = t; i < records; i += threads) writer.record(std::move(prepared[i]));
      call_seconds[t] = Seconds(std::chrono::steady_clock::now() - start).count();
    });
  }
  for (auto& c : callers) c.join();
  writer.flush();
  double elapsed = Seconds(std::chrono::steady_clock::now() - begin).count();
  double cpu = processCpuSeconds() - cpu_begin;
  writer.stop();
  double calls = 0;
  for (double s : call_seconds) calls += s;
  return {records / elapsed, records / cpu, calls / records * 1e9};
}

}  // namespace

int main(int argc, char** argv) {
  int records = argc > 1 ? std::atoi(argv[1]) : 200000;
  std::filesystem::path folder = argc > 2 ? std::filesystem::path(argv[2])
                                          : std::filesystem::temp_directory_path() / "sundial-audit-bench";
  for (bool fsync : {true, false}) {
    for (int threads : {1, 4}) {
      Run run = writeTrail(folder, records, threads, fsync);
      std::printf("RESULT audit_write fsync=%s callers=%d records=%d records_per_s=%.0f "
                  "records_per_cpu_s=%.0f record_call_ns=%.0f\n",
                  fsync ? "batch" : "none", threads, records, run.records_per_s,
                  run.records_per_cpu_s, run.record_call_ns);
    }
  }
  auto begin = std::chrono::steady_clock::now();
  auto report = audit::verifyTrail(folder, "benchmark anchor key, 32 bytes..");
  double verify_s = Seconds(std::chrono::steady_clock::now() - begin).count();
  std::printf("RESULT audit_verify records=%llu intact=%d records_per_s=%.0f\n",
              static_cast<unsigned long long>(report.records), report.intact() ? 1 : 0,
              report.records / verify_s);
  audit::TrailQuery query;
  query.patient_id = "PAT42";
  query.limit = 100000;
  begin = std::chrono::steady_clock::now();
  auto found = audit::queryTrail(folder, query);
  double query_s = Seconds(std::chrono::steady_clock::now() - begin).count();
  std::printf("RESULT audit_query_one_patient records_scanned=%d matches=%zu seconds=%.3f\n", records,
              found.records.size(), query_s);
  std::filesystem::remove_all(folder);
  return 0;
}
