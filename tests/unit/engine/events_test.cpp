#include "engine/domain/events.h"

#include <gtest/gtest.h>

#include "tests/support/fakes.h"

namespace sundial {
namespace {

TEST(EventCodec, InstanceSpooledRoundTrips) {
  SpooledInstance i = testing::makeInstance("DEMO", "1.2.3", "1.2.3.4.5");
  i.received_at = fromEpochMs(1'800'000'000'123);
  auto decoded = decodeEvent(encodeEvent(InstanceSpooled{i}));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  const auto& back = std::get<InstanceSpooled>(decoded.value()).instance;
  EXPECT_EQ(back.site, "DEMO");
  EXPECT_EQ(back.sop_instance_uid, "1.2.3.4.5");
  EXPECT_EQ(back.spool_path, i.spool_path);
  EXPECT_EQ(back.bytes, 1000u);
  EXPECT_EQ(back.received_at, i.received_at);
}

TEST(EventCodec, InstanceSpooledCarriesStudyAttributes) {
  SpooledInstance i = testing::makeInstance("DEMO", "1.2.3", "1.2.3.4.5");
  i.study.accession_number = "ACC1";
  i.study.patient_id = "PID9";
  i.study.patient_name = "Doe^Jane";
  i.study.study_date = "20260101";
  i.study.referring_physician = "Who^Doctor";
  auto decoded = decodeEvent(encodeEvent(InstanceSpooled{i}));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  const auto& back = std::get<InstanceSpooled>(decoded.value()).instance.study;
  EXPECT_EQ(back.accession_number, "ACC1");
  EXPECT_EQ(back.patient_id, "PID9");
  EXPECT_EQ(back.patient_name, "Doe^Jane");
  EXPECT_EQ(back.study_date, "20260101");
  EXPECT_EQ(back.referring_physician, "Who^Doctor");
  EXPECT_EQ(back.body_part_examined, "");
}

TEST(EventCodec, InstanceSpooledWithoutStudyAttributesStillDecodes) {
  SpooledInstance i = testing::makeInstance("DEMO", "1.2.3", "1.2.3.4.5");
  i.study.accession_number = "ACC1";
  std::string wire = encodeEvent(InstanceSpooled{i});
  // An older publisher's form: the eleven instance fields only.
  size_t cut = 0;
  for (int n = 0; n < 12; ++n) cut = wire.find('\x1f', cut + 1);
  auto decoded = decodeEvent(std::string_view(wire).substr(0, cut));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(std::get<InstanceSpooled>(decoded.value()).instance.study.accession_number, "");
}

TEST(EventCodec, Hl7EventsRoundTrip) {
  OrderReceived order{"DEMO", "DEMO|ACC1", "cancelled", "STAT", "ACC1", fromEpochMs(7)};
  auto decoded = decodeEvent(encodeEvent(order));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(eventName(decoded.value()), "OrderReceived");
  const auto& o = std::get<OrderReceived>(decoded.value());
  EXPECT_EQ(o.order_key, "DEMO|ACC1");
  EXPECT_EQ(o.status, "cancelled");
  EXPECT_EQ(o.priority, "STAT");
  EXPECT_EQ(o.received_at, fromEpochMs(7));

  auto merged = decodeEvent(encodeEvent(PatientsMerged{"DEMO", "NEW", "OLD", fromEpochMs(9)}));
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(std::get<PatientsMerged>(merged.value()).prior_patient_id, "OLD");

  auto updated = decodeEvent(encodeEvent(PatientUpdated{"DEMO", "P1", fromEpochMs(3)}));
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(std::get<PatientUpdated>(updated.value()).patient_id, "P1");

  auto report = decodeEvent(encodeEvent(ReportReceived{"DEMO", "ACC1", "final", fromEpochMs(5)}));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(std::get<ReportReceived>(report.value()).status, "final");
}

TEST(EventCodec, MalformedHl7EventNamesTheProblem) {
  auto decoded = decodeEvent("OrderReceived\x1f" "DEMO\x1f" "k");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("OrderReceived"), std::string::npos);
  EXPECT_FALSE(decodeEvent("PatientsMerged\x1f" "a\x1f" "b\x1f" "c\x1f" "notatime").ok());
}

TEST(EventCodec, StudyCompletedRoundTrips) {
  StudyCompleted c{"1.2.3", "DEMO", fromEpochMs(42)};
  auto decoded = decodeEvent(encodeEvent(c));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<StudyCompleted>(decoded.value()).study_uid, "1.2.3");
}

TEST(EventCodec, RejectsGarbageWithAClearError) {
  auto decoded = decodeEvent("Nonsense\x1f" "1");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::InvalidInput);
  EXPECT_FALSE(decodeEvent("InstanceSpooled\x1f" "too few").ok());
}

TEST(UidValidation, AcceptsDicomUidsOnly) {
  EXPECT_TRUE(isValidUid("1.2.840.10008.5.1.4.1.1.2"));
  EXPECT_FALSE(isValidUid(""));
  EXPECT_FALSE(isValidUid("1..2"));
  EXPECT_FALSE(isValidUid(".1.2"));
  EXPECT_FALSE(isValidUid("1.2/../../etc"));
  EXPECT_FALSE(isValidUid(std::string(65, '1')));
}

}  // namespace
}  // namespace sundial
