#include "engine/audit/stored_record.h"

#include <gtest/gtest.h>

#include "engine/audit/digest.h"

namespace sundial::engine::audit {
namespace {

StoredRecord example() {
  StoredRecord s;
  s.seq = 7;
  s.prev = kGenesisHash;
  s.record.action = "instance.received";
  s.record.actor = "MODALITY";
  s.record.site = "DEMO";
  s.record.study_uid = "1.2.3";
  s.record.patient_id = "PAT\"1";
  s.record.accession_number = "A1";
  s.record.details = {{"z", "last"}, {"a", "first\nline"}};
  s.record.at = fromEpochMs(1'800'000'000'123);
  return s;
}

TEST(StoredRecord, CanonicalFormHasFixedFieldOrderAndSortedDetails) {
  StoredRecord s = example();
  EXPECT_EQ(canonicalBody(s),
            "{\"seq\":7,\"time\":\"2027-01-15T08:00:00.123Z\",\"action\":\"instance.received\","
            "\"actor\":\"MODALITY\",\"outcome\":\"success\",\"site\":\"DEMO\",\"study_uid\":\"1.2.3\","
            "\"patient_id\":\"PAT\\\"1\",\"accession_number\":\"A1\","
            "\"details\":{\"a\":\"first\\nline\",\"z\":\"last\"},\"prev\":\"" +
                kGenesisHash + "\"}");
}

TEST(StoredRecord, HashIsSha256OfTheBodyAndTheLineCarriesIt) {
  StoredRecord s = example();
  std::string body = canonicalBody(s);
  std::string line = sealRecord(s);
  EXPECT_EQ(s.hash, sha256Hex(body));
  EXPECT_EQ(s.hash.size(), 64u);
  EXPECT_EQ(line, body.substr(0, body.size() - 1) + ",\"hash\":\"" + s.hash + "\"}");
}

TEST(StoredRecord, ParsedLineGivesTheSameCanonicalLine) {
  StoredRecord s = example();
  std::string line = sealRecord(s);
  auto parsed = parseRecordLine(line);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(canonicalLine(*parsed), line);
  EXPECT_EQ(parsed->seq, 7u);
  EXPECT_EQ(parsed->record.patient_id, "PAT\"1");
  EXPECT_EQ(parsed->record.details.at("a"), "first\nline");
  EXPECT_EQ(toEpochMs(parsed->record.at), 1'800'000'000'123);
}

TEST(StoredRecord, ReorderedFieldsParseButAreNotCanonical) {
  StoredRecord s = example();
  std::string line = sealRecord(s);
  // Same members, another order: valid JSON, same content, different text.
  std::string moved = "{\"time\":\"2027-01-15T08:00:00.123Z\",\"seq\":7" +
                      line.substr(line.find(",\"action\""));
  auto parsed = parseRecordLine(moved);
  ASSERT_TRUE(parsed);
  EXPECT_NE(canonicalLine(*parsed), moved);
}

TEST(StoredRecord, ControlCharactersAreEscapedAndInvalidUtf8Replaced) {
  AuditRecord r;
  r.actor = std::string("a\x01" "b\xff" "c\xc3\xa9", 7);
  AuditRecord clean = withValidUtf8(r);
  EXPECT_EQ(clean.actor, "a\x01" "b\xEF\xBF\xBD" "c\xc3\xa9");
  std::string out;
  appendJsonString(out, clean.actor);
  EXPECT_EQ(out, "\"a\\u0001b\xEF\xBF\xBD" "c\xc3\xa9\"");
}

TEST(StoredRecord, OverlongAndSurrogateSequencesAreInvalid) {
  AuditRecord r;
  r.site = "\xC0\xAF|\xED\xA0\x80";  // overlong '/', a UTF-16 surrogate
  EXPECT_EQ(withValidUtf8(r).site,
            "\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(StoredRecord, ParseNamesWhatIsWrong) {
  EXPECT_EQ(parseRecordLine("not json").error().message, "not valid JSON");
  EXPECT_EQ(parseRecordLine("[1]").error().message, "not a JSON object");
  EXPECT_EQ(parseRecordLine("{\"seq\":-1}").error().message, "no unsigned \"seq\"");
  auto no_time = parseRecordLine("{\"seq\":1}");
  EXPECT_EQ(no_time.error().message, "no \"time\"");
  auto bad_time = parseRecordLine("{\"seq\":1,\"time\":\"yesterday\"}");
  EXPECT_EQ(bad_time.error().code, ErrorCode::InvalidInput);
}

TEST(StoredRecord, UtcTimeRoundTrips) {
  UtcTime t = fromEpochMs(1'700'000'000'007);
  EXPECT_EQ(formatUtc(t), "2023-11-14T22:13:20.007Z");
  EXPECT_EQ(toEpochMs(parseUtc("2023-11-14T22:13:20.007Z").value()), 1'700'000'000'007);
  EXPECT_FALSE(parseUtc("2023-11-14T22:13:20Z"));
  EXPECT_FALSE(parseUtc("2023-13-14T22:13:20.007Z"));
}

}  // namespace
}  // namespace sundial::engine::audit
