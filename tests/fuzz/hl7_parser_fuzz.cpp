// libFuzzer target for the HL7 parser: split, parse, read every field (and the typed
// segments), edit, write, and parse the written text again. Any crash, sanitizer report or
// failed invariant is a bug.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hl7/message/escape.h"
#include "hl7/message/message.h"
#include "hl7/message/segments.h"
#include "hl7/message/split.h"

namespace {

using namespace sundial::hl7;

// Fuzzing has no test framework: a broken invariant aborts so libFuzzer keeps the input.
void check(bool condition) {
  if (!condition) std::abort();
}

// Bounds on what the harness walks, so that one input takes milliseconds: the library's own
// costs are linear, but walking every component of a field one by one is not.
constexpr std::size_t kMaxWalk = 8;

void readEverything(const Message& m) {
  for (std::size_t s = 0; s < m.segmentCount(); ++s) {
    (void)m.segmentId(s);
    const std::size_t fields = std::min(m.fieldCount(s) + 1, 8 * kMaxWalk);
    for (std::size_t f = 0; f <= fields; ++f) {
      (void)m.value(s, {.field = f, .repetition = 0});
      const std::size_t repetitions = std::min(m.repetitionCount(s, f) + 1, kMaxWalk);
      for (std::size_t r = 1; r <= repetitions; ++r) {
        const std::size_t components = std::min(m.componentCount(s, f, r) + 1, kMaxWalk);
        for (std::size_t c = 1; c <= components; ++c) {
          (void)m.value(s, {f, r, c, 0});
        }
      }
    }
    (void)readEventType(m, s);
    (void)readPatientIdentification(m, s);
    (void)readPatientVisit(m, s);
    (void)readCommonOrder(m, s);
    (void)readObservationRequest(m, s);
    (void)readObservation(m, s);
    (void)readNote(m, s);
    (void)readMergeInformation(m, s);
  }
  (void)readMessageHeader(m);
  (void)findAccessionNumber(m);
}

void fuzzOne(std::string_view text) {
  auto parsed = parseMessage(text);
  if (!parsed.ok()) {
    check(!parsed.error().message.empty());
    return;
  }
  Message& m = parsed.value();
  check(m.segmentCount() >= 1 && m.segmentId(0) == "MSH");
  check(m.toString() == text);  // unedited: byte-identical
  readEverything(m);

  // Edit, write, read back: the written text must parse and hold the value.
  const std::string value(text.substr(0, 16));
  const std::size_t nte = m.appendSegment("NTE");
  m.setValue(nte, {.field = 3, .repetition = 2, .component = 2, .subcomponent = 2}, value);
  if (m.segmentCount() > 1) m.setValue(1, {.field = 2}, value);
  const std::string written = m.toString();
  auto again = parseMessage(written);
  check(again.ok());
  readEverything(*again);
  // Values come back as UTF-8 of what was set (set text that is not UTF-8 may be repaired).
  (void)again->value(again->segmentCount() - 1, {3, 2, 2, 2});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzzOne(text);
  for (const std::string_view piece : splitMessages(text).messages) fuzzOne(piece);
  (void)decodeEscapes(text, kDefaultDelimiters);
  return 0;
}
