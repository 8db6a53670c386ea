// Parser speed on typical ORM/ORU messages, on the calling thread (run it pinned to one core):
//   hl7_ingest_parse_bench FILE [REPS]
// FILE holds messages separated by FS (0x1C), as bench/hl7/gen_typical.py writes them. Prints
// messages/s and MB/s for parseMessage() alone and for the whole per-message work of the
// ingest service apart from the store: parse, check (site, type, segments) and build the ACK.
// The best of REPS runs of about 2 s each. Not a test: speed is measured, not asserted.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/hl7_ingest/message_check.h"
#include "hl7/ack/ack_builder.h"
#include "hl7/message/message.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> readMessages(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string text = bytes.str();
  std::vector<std::string> messages;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\x1c', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) messages.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return messages;
}

template <typename Work>
double bestSeconds(int reps, std::size_t rounds, Work work) {
  double best = 1e9;
  for (int r = 0; r < reps; ++r) {
    const auto started = Clock::now();
    for (std::size_t i = 0; i < rounds; ++i) work();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - started).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sundial;
  if (argc < 2) {
    std::fprintf(stderr, "usage: hl7_ingest_parse_bench FILE [REPS]\n");
    return 64;
  }
  const int reps = argc > 2 ? std::atoi(argv[2]) : 3;
  const std::vector<std::string> messages = readMessages(argv[1]);
  std::size_t bytes = 0;
  std::size_t parsed_ok = 0;
  for (const auto& m : messages) {
    bytes += m.size();
    parsed_ok += hl7::parseMessage(m).ok();
  }
  if (messages.empty()) {
    std::fprintf(stderr, "no messages in %s\n", argv[1]);
    return 1;
  }
  config::SiteConfig site;
  site.name = "BENCH";
  site.hl7.senders = {{"RIS", ""}};  // the template's MSH-3, any facility
  const engine::SenderDirectory senders({site});

  std::size_t sink = 0;
  const auto parseAll = [&] {
    for (const auto& m : messages) {
      auto parsed = hl7::parseMessage(m);
      sink += parsed.ok() ? parsed.value().segmentCount() : 1;
    }
  };
  const auto ingestAll = [&] {
    for (const auto& m : messages) {
      auto parsed = hl7::parseMessage(m);
      if (!parsed) continue;
      const hl7::AckHeaderSource header = hl7::ackHeaderSource(parsed.value());
      engine::CheckedMessage checked = engine::checkMessage(parsed.value(), m, senders);
      hl7::AckRequest request;
      request.ack_class = checked.accepted ? hl7::AckClass::Accept : checked.refusal;
      if (!checked.accepted) request.error = checked.error;
      request.control_id = "SDL-1";
      request.date_time = "20261130010101";
      auto ack = hl7::buildAck(header, request);
      sink += ack ? ack->size() : 0;
    }
  };
  // Rounds for about 2 s per repetition, from one timed pass.
  const double one = std::max(1e-6, bestSeconds(1, 1, parseAll));
  const auto rounds = static_cast<std::size_t>(std::max(1.0, 2.0 / one));
  const double parse_s = bestSeconds(reps, rounds, parseAll);
  const double ingest_s = bestSeconds(reps, rounds, ingestAll);
  const double total_bytes = static_cast<double>(bytes) * static_cast<double>(rounds);
  const double total_messages = static_cast<double>(messages.size()) * static_cast<double>(rounds);
  std::printf("messages=%zu parsed_ok=%zu avg_bytes=%.0f rounds=%zu reps=%d\n", messages.size(),
              parsed_ok, static_cast<double>(bytes) / static_cast<double>(messages.size()), rounds,
              reps);
  std::printf("RESULT parse           msg_per_s=%.0f MB_per_s=%.1f us_per_msg=%.2f\n",
              total_messages / parse_s, total_bytes / parse_s / 1e6, parse_s / total_messages * 1e6);
  std::printf("RESULT parse_check_ack msg_per_s=%.0f MB_per_s=%.1f us_per_msg=%.2f\n",
              total_messages / ingest_s, total_bytes / ingest_s / 1e6,
              ingest_s / total_messages * 1e6);
  return sink == 0 ? 1 : 0;
}
