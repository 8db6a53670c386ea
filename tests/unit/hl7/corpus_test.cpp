// Every file of ../shared/corpus/hl7 (by MANIFEST.tsv): messages parse, are written back
// byte-identical, and MSH fields land where the manifest says; malformed files fail with a
// clear InvalidInput, never a crash.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "hl7/message/message.h"
#include "hl7/message/segments.h"
#include "hl7/message/split.h"
#include "tests/unit/hl7/corpus.h"

namespace sundial::hl7 {
namespace {

using testing::ManifestEntry;

// The value of `key=...;` in the manifest's exercises column, or "".
std::string manifestFact(const std::string& exercises, const std::string& key) {
  const std::size_t at = exercises.find(key + "=");
  if (at == std::string::npos || (at > 0 && exercises[at - 1] != ' ')) return {};
  const std::size_t start = at + key.size() + 1;
  const std::size_t end = exercises.find(';', start);
  return exercises.substr(start, end == std::string::npos ? end : end - start);
}

bool malformed(const ManifestEntry& entry) {
  return entry.exercises.find("no parsable MSH") != std::string::npos ||
         entry.exercises.find("malformed") != std::string::npos;
}

// Reads every field of every segment, the way a careless caller might.
void touchEverything(const Message& m) {
  for (std::size_t s = 0; s < m.segmentCount(); ++s) {
    for (std::size_t f = 0; f <= m.fieldCount(s); ++f) {
      for (std::size_t r = 1; r <= m.repetitionCount(s, f); ++r) {
        for (std::size_t c = 1; c <= m.componentCount(s, f, r); ++c) {
          (void)m.value(s, {f, r, c, 0});
        }
      }
    }
  }
  (void)readMessageHeader(m);
}

TEST(Hl7Corpus, ManifestListsEveryFile) {
  const auto entries = testing::readManifest();
  EXPECT_GE(entries.size(), 100u);
  for (const auto& entry : entries) {
    EXPECT_FALSE(testing::readCorpusFile(entry.file).empty()) << entry.file;
  }
}

TEST(Hl7Corpus, WellFormedFilesParseAndRoundTripByteIdentical) {
  std::size_t messages = 0;
  for (const auto& entry : testing::readManifest()) {
    if (malformed(entry)) continue;
    SCOPED_TRACE(entry.file);
    const std::string text = testing::readCorpusFile(entry.file);
    const SplitMessages split = splitMessages(text);
    ASSERT_FALSE(split.messages.empty());
    EXPECT_TRUE(split.stray_lines.empty());
    const std::regex count_re("([0-9]+) messages in file");
    std::smatch count;
    if (std::regex_search(entry.exercises, count, count_re)) {
      EXPECT_EQ(split.messages.size(), std::stoul(count[1]));
    } else {
      EXPECT_EQ(split.messages.size(), 1u);
    }
    for (const std::string_view piece : split.messages) {
      auto parsed = parseMessage(piece);
      ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
      EXPECT_EQ(parsed->toString(), piece);
      touchEverything(*parsed);
      ++messages;
    }
    if (split.messages.size() == 1 && split.batch_segments.empty()) {
      auto whole = parseMessage(text);
      ASSERT_TRUE(whole.ok()) << whole.error().describe();
      EXPECT_EQ(whole->toString(), text);  // framing, BOM and blank lines included
    }
  }
  EXPECT_GT(messages, 100u);
}

TEST(Hl7Corpus, HeaderFieldsLandWhereTheManifestSays) {
  for (const auto& entry : testing::readManifest()) {
    if (malformed(entry)) continue;
    SCOPED_TRACE(entry.file);
    const std::string text = testing::readCorpusFile(entry.file);
    auto parsed = parseMessage(splitMessages(text).messages.at(0));
    ASSERT_TRUE(parsed.ok());
    const Message& m = *parsed;
    EXPECT_EQ(m.raw(0, {.field = 9, .repetition = 0}), manifestFact(entry.exercises, "type"));
    EXPECT_EQ(m.raw(0, {.field = 12, .repetition = 0, .component = 0}).substr(0, 5),
              manifestFact(entry.exercises, "version").substr(0, 5));
    const std::string msh18 = manifestFact(entry.exercises, "MSH-18");
    EXPECT_EQ(m.raw(0, {.field = 18, .repetition = 0}), msh18);
    const std::string encoding = manifestFact(entry.exercises, "encoding chars");
    if (!encoding.empty() && encoding.find('\\') == std::string::npos) {
      EXPECT_EQ("'" + std::string(m.raw(0, {.field = 2})) + "'", encoding);
    }
  }
}

TEST(Hl7Corpus, MalformedFilesFailWithAClearError) {
  std::size_t checked = 0;
  for (const auto& entry : testing::readManifest()) {
    if (!malformed(entry)) continue;
    SCOPED_TRACE(entry.file);
    const std::string text = testing::readCorpusFile(entry.file);
    auto whole = parseMessage(text);
    ASSERT_FALSE(whole.ok());
    EXPECT_EQ(whole.error().code, ErrorCode::InvalidInput);
    EXPECT_FALSE(whole.error().message.empty());
    EXPECT_EQ(whole.error().context.rfind("segment=", 0), 0u);
    for (const std::string_view piece : splitMessages(text).messages) {
      auto parsed = parseMessage(piece);
      if (parsed.ok()) touchEverything(*parsed);
    }
    ++checked;
  }
  EXPECT_GE(checked, 9u);
}

TEST(Hl7Corpus, EditedCopyChangesOnlyTheEditedSegment) {
  const std::string text = testing::readCorpusFile("cdcdex_DREAMS_2020-05-27-11-36-15-217_2_3z.hl7");
  auto parsed = parseMessage(text);
  ASSERT_TRUE(parsed.ok());
  Message& m = *parsed;
  const std::size_t pid = *m.findSegment("PID");
  m.setValue(pid, {.field = 8}, "U");
  const std::string out = m.toString();
  EXPECT_NE(out, text);
  // Every other segment, the Z-segment included, is byte for byte what it was.
  auto reparsed = parseMessage(out);
  ASSERT_TRUE(reparsed.ok());
  ASSERT_EQ(reparsed->segmentCount(), m.segmentCount());
  for (std::size_t s = 0; s < m.segmentCount(); ++s) {
    if (s == pid) continue;
    for (std::size_t f = 1; f <= m.fieldCount(s); ++f) {
      EXPECT_EQ(reparsed->raw(s, {.field = f, .repetition = 0}),
                m.raw(s, {.field = f, .repetition = 0}));
    }
  }
  EXPECT_EQ(reparsed->value(pid, {.field = 8}), "U");
  EXPECT_TRUE(reparsed->findSegment("ZLR"));
}

}  // namespace
}  // namespace sundial::hl7
