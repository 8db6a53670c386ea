// Parse speed on the HL7 corpus: every message that parses, parsed over and over on one
// thread; prints messages/s and MB/s for parse alone and for parse + typed access.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "hl7/message/message.h"
#include "hl7/message/segments.h"
#include "hl7/message/split.h"
#include "tests/unit/hl7/corpus.h"

int main(int argc, char** argv) {
  using namespace sundial::hl7;
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 2000;
  std::vector<std::string> messages;
  for (const auto& entry : testing::readManifest()) {
    const std::string text = testing::readCorpusFile(entry.file);
    for (const std::string_view piece : splitMessages(text).messages) {
      if (parseMessage(piece).ok()) messages.emplace_back(piece);
    }
  }
  std::size_t bytes = 0;
  for (const auto& m : messages) bytes += m.size();

  const auto run = [&](const char* label, bool typed) {
    std::size_t sink = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r) {
      for (const auto& text : messages) {
        auto parsed = parseMessage(text);
        sink += parsed->segmentCount();
        if (!typed) continue;
        sink += readMessageHeader(*parsed).control_id.size();
        for (std::size_t s = 1; s < parsed->segmentCount(); ++s) {
          if (auto pid = readPatientIdentification(*parsed, s)) sink += pid->name.family.size();
          if (auto obr = readObservationRequest(*parsed, s)) sink += obr->result_status.size();
          if (auto orc = readCommonOrder(*parsed, s)) sink += orc->order_control.size();
        }
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double count = static_cast<double>(messages.size()) * rounds;
    std::printf("%-22s %zu messages (%zu bytes) x %d rounds: %.0f messages/s, %.1f MB/s (sink %zu)\n",
                label, messages.size(), bytes, rounds, count / seconds,
                static_cast<double>(bytes) * rounds / seconds / 1e6, sink);
  };
  run("parse", false);
  run("parse + typed access", true);
  return 0;
}
