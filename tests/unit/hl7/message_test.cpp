#include "hl7/message/message.h"

#include <gtest/gtest.h>

#include <string>

namespace sundial::hl7 {
namespace {

constexpr std::string_view kAdt =
    "MSH|^~\\&|SENDER|FAC|RECV|RFAC|20260101120000||ADT^A01^ADT_A01|MSG001|P|2.5.1\r"
    "PID|1||123^^^HOSP^MR~456^^^OTHER&1.2.3&ISO^PI||DOE^JOHN^Q||19800101|M\r"
    "ZPD|1|vendor^data&sub|keep me\r";

Message parseOk(std::string_view text) {
  auto parsed = parseMessage(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().describe());
  if (!parsed.ok()) std::abort();
  return std::move(parsed).value();
}

Error parseError(std::string_view text) {
  auto parsed = parseMessage(text);
  EXPECT_FALSE(parsed.ok());
  if (parsed.ok()) std::abort();
  EXPECT_EQ(parsed.error().code, ErrorCode::InvalidInput);
  return parsed.error();
}

TEST(ParseMessage, ReadsFieldsRepetitionsComponentsSubcomponents) {
  const Message m = parseOk(kAdt);
  ASSERT_EQ(m.segmentCount(), 3u);
  EXPECT_EQ(m.segmentId(1), "PID");
  EXPECT_EQ(m.value(0, {.field = 3}), "SENDER");
  EXPECT_EQ(m.value(0, {.field = 9, .component = 2}), "A01");
  EXPECT_EQ(m.repetitionCount(1, 3), 2u);
  EXPECT_EQ(m.value(1, {.field = 3, .repetition = 2}), "456");
  EXPECT_EQ(m.value(1, {.field = 3, .repetition = 2, .component = 4, .subcomponent = 2}),
            "1.2.3");
  EXPECT_EQ(m.raw(1, {.field = 3, .repetition = 2, .component = 4, .subcomponent = 0}),
            "OTHER&1.2.3&ISO");
  EXPECT_EQ(m.raw(1, {.field = 3, .repetition = 0}), "123^^^HOSP^MR~456^^^OTHER&1.2.3&ISO^PI");
  EXPECT_EQ(m.componentCount(1, 5), 3u);
  EXPECT_EQ(m.fieldCount(1), 8u);
}

TEST(ParseMessage, AbsentPartsAreEmpty) {
  const Message m = parseOk(kAdt);
  EXPECT_EQ(m.value(1, {.field = 99}), "");
  EXPECT_EQ(m.value(1, {.field = 3, .repetition = 7}), "");
  EXPECT_EQ(m.value(1, {.field = 5, .component = 9}), "");
  EXPECT_EQ(m.value(1, {.field = 5, .component = 1, .subcomponent = 4}), "");
  EXPECT_EQ(m.value(1, {.field = 0}), "");
  EXPECT_EQ(m.repetitionCount(1, 2), 0u);
}

TEST(ParseMessage, MshOneAndTwoAreTheDelimitersThemselves) {
  const Message m = parseOk(kAdt);
  EXPECT_EQ(m.value(0, {.field = 1}), "|");
  EXPECT_EQ(m.value(0, {.field = 2}), "^~\\&");
  EXPECT_EQ(m.value(0, {.field = 12}), "2.5.1");
}

TEST(ParseMessage, TakesDelimitersFromTheHeader) {
  const Message m = parseOk("MSH#!@%*#SEND#FAC#RECV#FAC#20260301##ADT!A01#M7#P#2.5\n"
                            "PID#1##12345!!!MRN@999!!!OTHER##DOE!JOHN%F%X!A\n");
  EXPECT_EQ(m.delimiters().field, '#');
  EXPECT_EQ(m.delimiters().component, '!');
  EXPECT_EQ(m.delimiters().repetition, '@');
  EXPECT_EQ(m.delimiters().escape, '%');
  EXPECT_EQ(m.delimiters().subcomponent, '*');
  EXPECT_EQ(m.value(0, {.field = 9, .component = 2}), "A01");
  EXPECT_EQ(m.value(1, {.field = 3, .repetition = 2, .component = 4}), "OTHER");
  EXPECT_EQ(m.value(1, {.field = 5}), "DOE");
  EXPECT_EQ(m.value(1, {.field = 5, .component = 2}), "JOHN#X");
}

TEST(ParseMessage, FifthEncodingCharacterIsTruncation) {
  const Message m = parseOk("MSH|^~\\&#|A|B|C|D|20260101||ORU^R01|1|P|2.7\rNTE|1||a\\P\\b\r");
  EXPECT_EQ(m.delimiters().truncation, '#');
  EXPECT_EQ(m.value(1, {.field = 3}), "a#b");
}

TEST(ParseMessage, AcceptsEverySegmentTerminator) {
  for (const std::string terminator : {"\r", "\n", "\r\n"}) {
    const std::string text = "MSH|^~\\&|A||||||ADT^A01|1|P|2.5" + terminator + "PID|1||42" +
                             terminator + "PV1|1|E" + terminator;
    const Message m = parseOk(text);
    ASSERT_EQ(m.segmentCount(), 3u);
    EXPECT_EQ(m.value(1, {.field = 3}), "42");
    EXPECT_EQ(m.value(2, {.field = 2}), "E");
    EXPECT_EQ(m.toString(), text);
  }
}

TEST(ParseMessage, MixedTerminatorsAndBlankLines) {
  const std::string text = "MSH|^~\\&|A||||||ADT^A01|1|P|2.5\r\n\r\nPID|1||42\rPV1|1|E\n\n";
  const Message m = parseOk(text);
  ASSERT_EQ(m.segmentCount(), 3u);
  EXPECT_EQ(m.value(2, {.field = 2}), "E");
  EXPECT_EQ(m.toString(), text);
}

TEST(ParseMessage, LastSegmentWithoutTerminator) {
  const Message m = parseOk("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1||42");
  EXPECT_EQ(m.value(1, {.field = 3}), "42");
}

TEST(ParseMessage, ToleratesByteOrderMarkAndMllpFraming) {
  const std::string body = "MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1||42\r";
  for (const std::string& text : {"\xEF\xBB\xBF" + body, "\x0B" + body + "\x1C\r", "\r\n" + body}) {
    const Message m = parseOk(text);
    EXPECT_EQ(m.segmentCount(), 2u);
    EXPECT_EQ(m.value(1, {.field = 3}), "42");
    EXPECT_EQ(m.toString(), text);
  }
}

TEST(ParseMessage, DecodesEscapesOnAccess) {
  const Message m = parseOk(
      "MSH|^~\\&|A||||||ADT^A01|1|P|2.5\r"
      "OBX|1|ST|NOTE||pipe \\F\\ amp \\T\\ caret \\S\\ tilde \\R\\ backslash \\E\\ \\.br\\end\r");
  EXPECT_EQ(m.value(1, {.field = 5}), "pipe | amp & caret ^ tilde ~ backslash \\ \nend");
  // An escaped delimiter does not split.
  EXPECT_EQ(m.componentCount(1, 5), 1u);
  EXPECT_EQ(m.raw(1, {.field = 5}).substr(0, 9), "pipe \\F\\ ");
}

TEST(ParseMessage, ConvertsLatin1ToUtf8OnAccess) {
  const Message m = parseOk(
      "MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||8859/1\rPID|1||42||M\xFCller^Ren\\XE9\\\r");
  EXPECT_EQ(m.charset(), Charset::Latin1);
  EXPECT_EQ(m.value(1, {.field = 5}), "M\xC3\xBCller");
  EXPECT_EQ(m.value(1, {.field = 5, .component = 2}), "Ren\xC3\xA9");
}

TEST(ParseMessage, Utf8StaysUtf8) {
  const Message m = parseOk(
      "MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||UNICODE UTF-8\rPID|1||42||M\xC3\xBCller\r");
  EXPECT_EQ(m.charset(), Charset::Utf8);
  EXPECT_EQ(m.value(1, {.field = 5}), "M\xC3\xBCller");
}

TEST(ParseMessage, RepeatedMsh18UsesTheFirst) {
  const Message m = parseOk("MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||8859/1~UNICODE UTF-8\r");
  EXPECT_EQ(m.charset(), Charset::Latin1);
}

TEST(ParseMessage, ZSegmentsAreKeptUntouched) {
  Message m = parseOk(kAdt);
  EXPECT_EQ(m.segmentId(2), "ZPD");
  EXPECT_EQ(m.raw(2, {.field = 2, .repetition = 0}), "vendor^data&sub");
  m.setValue(1, {.field = 8}, "F");
  const std::string out = m.toString();
  EXPECT_NE(out.find("ZPD|1|vendor^data&sub|keep me\r"), std::string::npos);
}

TEST(MessageEdit, UnchangedMessageIsByteIdentical) {
  const Message m = parseOk(kAdt);
  EXPECT_FALSE(m.edited());
  EXPECT_EQ(m.toString(), kAdt);
}

TEST(MessageEdit, EditRewritesOnlyItsSegmentAndEscapes) {
  const std::string text = "MSH|^~\\&|A||||||ADT^A01|1|P|2.5\r\nPID|1||42||DOE^JOHN\r\n"
                           "NTE|1||  spaced  |\r\n";
  Message m = parseOk(text);
  m.setValue(1, {.field = 5, .component = 2}, "JANE|ANN & CO");
  EXPECT_EQ(m.value(1, {.field = 5, .component = 2}), "JANE|ANN & CO");
  EXPECT_EQ(m.toString(), "MSH|^~\\&|A||||||ADT^A01|1|P|2.5\r\nPID|1||42||DOE^JANE\\F\\ANN \\T\\ CO\r\n"
                          "NTE|1||  spaced  |\r\n");
  EXPECT_EQ(m.originalText(), text);
}

TEST(MessageEdit, AddsMissingFieldsRepetitionsAndComponents) {
  Message m = parseOk("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1\rPV1|1\r");
  m.setValue(1, {.field = 3, .repetition = 2, .component = 4, .subcomponent = 2}, "1.2.3");
  EXPECT_EQ(m.raw(1, {.field = 3, .repetition = 0}), "~^^^&1.2.3");
  EXPECT_EQ(m.toString(), "MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1||~^^^&1.2.3\rPV1|1\r");
}

TEST(MessageEdit, EditingTheHeaderKeepsItsDelimiters) {
  Message m = parseOk(kAdt);
  m.setValue(0, {.field = 10}, "NEW");
  EXPECT_EQ(m.value(0, {.field = 10}), "NEW");
  std::string expected(kAdt);
  expected.replace(expected.find("MSG001"), 6, "NEW");
  EXPECT_EQ(m.toString(), expected);
}

TEST(MessageEdit, SettingMsh18ChangesTheCharset) {
  Message m = parseOk(kAdt);
  m.setValue(0, {.field = 18}, "8859/1");
  EXPECT_EQ(m.charset(), Charset::Latin1);
  m.setValue(1, {.field = 5}, "M\xC3\xBCller");
  EXPECT_EQ(m.raw(1, {.field = 5}), "M\xFCller");
  EXPECT_EQ(m.value(1, {.field = 5}), "M\xC3\xBCller");
}

TEST(MessageEdit, AppendedSegmentsUseTheMessagesTerminator) {
  Message m = parseOk("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\nPID|1||42");
  const std::size_t nte = m.appendSegment("NTE");
  m.setValue(nte, {.field = 3}, "note");
  EXPECT_EQ(m.toString(), "MSH|^~\\&|A||||||ADT^A01|1|P|2.5\nPID|1||42\nNTE|||note\n");
}

TEST(MessageEdit, MovedMessageKeepsItsViews) {
  Message m = parseOk(kAdt);
  Message moved = std::move(m);
  EXPECT_EQ(moved.value(1, {.field = 5}), "DOE");
  EXPECT_EQ(moved.toString(), kAdt);
}

TEST(ParseMessageErrors, EmptyText) {
  EXPECT_NE(parseError("").message.find("does not start with an MSH"), std::string::npos);
}

TEST(ParseMessageErrors, NoMshFirst) {
  const Error e = parseError("PID|1||42\rMSH|^~\\&|A||||||ADT^A01|1|P|2.5\r");
  EXPECT_NE(e.message.find("does not start with an MSH"), std::string::npos);
  EXPECT_EQ(e.context, "segment=0");
}

TEST(ParseMessageErrors, TruncatedHeader) {
  const Error e = parseError("MSH|^~");
  EXPECT_NE(e.message.find("too short"), std::string::npos);
}

TEST(ParseMessageErrors, LetterAsFieldSeparator) {
  const Error e = parseError("MSHA^~\\&A||||ADT^A01\r");
  EXPECT_NE(e.message.find("MSH-1"), std::string::npos);
  EXPECT_EQ(e.context, "segment=0 field=1");
}

TEST(ParseMessageErrors, WrongNumberOfEncodingCharacters) {
  const Error e = parseError("MSH|^|||||||ADT^A01|1|P|2.5\r");
  EXPECT_NE(e.message.find("MSH-2 must hold 4"), std::string::npos);
  EXPECT_EQ(e.context, "segment=0 field=2");
  parseError("MSH|^~\\&#!|A||||||ADT^A01|1|P|2.5\r");
}

TEST(ParseMessageErrors, DigitOrRepeatedEncodingCharacters) {
  EXPECT_EQ(parseError("MSH|0000|||||||00|||2.8.1\r").context, "segment=0 field=2");
  EXPECT_NE(parseError("MSH|^~^&|A||||||ADT^A01|1|P|2.5\r").message.find("repeat"),
            std::string::npos);
  EXPECT_EQ(parseError("MSH|^\xFD\xA0&|A||||||ADT^A01|1|P|2.5\r").context, "segment=0 field=2");
}

TEST(ParseMessageErrors, LineThatIsNotASegment) {
  const Error e = parseError("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1\r^AA\r");
  EXPECT_NE(e.message.find("'^AA' is not a segment"), std::string::npos);
  EXPECT_EQ(e.context, "segment=2");
  EXPECT_EQ(parseError("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rpid|1\r").context, "segment=1");
  EXPECT_EQ(parseError("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPIDX|1\r").context, "segment=1");
}

TEST(ParseMessageErrors, SecondMessageOrBatchSegment) {
  const std::string one = "MSH|^~\\&|A||||||ADT^A01|1|P|2.5\r";
  EXPECT_NE(parseError(one + one).message.find("splitMessages"), std::string::npos);
  EXPECT_EQ(parseError(one + "BTS|1\r").context, "segment=1");
  EXPECT_NE(parseError("FHS|^~\\&\r" + one).message.find("batch header (FHS)"),
            std::string::npos);
}

TEST(ParseMessageErrors, EmptyMessageType) {
  const Error e = parseError("MSH|^~\\&|A||||||^A01|1|P|2.5\r");
  EXPECT_NE(e.message.find("MSH-9"), std::string::npos);
  EXPECT_EQ(e.context, "segment=0 field=9");
}

TEST(ParseMessageErrors, EveryPrefixOfAMessageIsHandled) {
  // Truncation at every byte either parses or fails cleanly; sanitizer builds check bounds.
  const std::string text(kAdt);
  for (std::size_t n = 0; n <= text.size(); ++n) {
    auto parsed = parseMessage(std::string_view(text).substr(0, n));
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, ErrorCode::InvalidInput);
      continue;
    }
    const Message& m = parsed.value();
    for (std::size_t s = 0; s < m.segmentCount(); ++s) {
      for (std::size_t f = 0; f <= m.fieldCount(s) + 1; ++f) (void)m.value(s, {.field = f});
    }
    EXPECT_EQ(m.toString(), text.substr(0, n));
  }
}

}  // namespace
}  // namespace sundial::hl7
