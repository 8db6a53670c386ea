#include "hl7/mapping/order_message.h"

#include <gtest/gtest.h>

#include "tests/unit/hl7_mapping/mapping_support.h"

namespace sundial::hl7::mapping {
namespace {

using testing::corpusMessage;
using testing::messageOf;
using testing::segment;

const UtcTime kReceived = fromEpochMs(1'795'996'800'000);  // 2026-11-30T00:00Z

const std::string kMsh = "MSH|^~\\&|RIS|NORTH|SUNDIAL|TELERAD|20261130010000||ORM^O01|C1|P|2.3";
const std::string kPid = "PID|1||P123^^^NORTH^MR||Doe^Jane||19700102|F";

std::vector<Order> mapOk(const Message& message) {
  auto orders = mapOrderMessage(message, "north", kReceived);
  EXPECT_TRUE(orders.ok()) << (orders.ok() ? "" : orders.error().describe());
  return orders.ok() ? orders.value() : std::vector<Order>{};
}

std::string mapError(const Message& message) {
  auto orders = mapOrderMessage(message, "north", kReceived);
  EXPECT_FALSE(orders.ok());
  return orders.ok() ? "" : orders.error().describe();
}

TEST(OrderMapping, NewRadiologyOrderCarriesWhatTheReaderNeeds) {
  auto orders = mapOk(messageOf(
      {kMsh, kPid,
       "ORC|NW|PL1|FI1||||^^^^^S||202611300045|||77^Ordering^Olga",
       "OBR|1|PL1|FI1|CTHEAD^CT head w/o contrast|||||||||Headache after fall|||77^Ordering^Olga||ACC-1||||||CT|||||||Fall, rule out bleed"}));
  ASSERT_EQ(orders.size(), 1u);
  const Order& o = orders[0];
  EXPECT_EQ(o.site, "north");
  EXPECT_EQ(o.status, OrderStatus::Scheduled);
  EXPECT_EQ(o.placer_order_number, "PL1");
  EXPECT_EQ(o.filler_order_number, "FI1");
  EXPECT_EQ(o.accession_number, "ACC-1");
  EXPECT_EQ(o.patient_id, "P123");
  EXPECT_EQ(o.patient_name, "Doe^Jane");
  EXPECT_EQ(o.birth_date, "19700102");
  EXPECT_EQ(o.sex, "F");
  EXPECT_EQ(o.modality, "CT");
  EXPECT_EQ(o.procedure_code, "CTHEAD");
  EXPECT_EQ(o.procedure_text, "CT head w/o contrast");
  EXPECT_EQ(o.priority, OrderPriority::Stat);
  EXPECT_EQ(o.reason_for_exam, "Fall, rule out bleed");
  EXPECT_EQ(o.ordering_provider, "Ordering^Olga");
  EXPECT_EQ(toEpochMs(o.ordered_at), 1'795'996'800'000 + 45 * 60'000);
  EXPECT_EQ(o.received_at, kReceived);
}

TEST(OrderMapping, OrderControlCodesGiveTheStatus) {
  EXPECT_EQ(orderStatusFor("NW", "").value(), OrderStatus::Scheduled);
  EXPECT_EQ(orderStatusFor("XO", "IP").value(), OrderStatus::InProgress);
  EXPECT_EQ(orderStatusFor("SC", "CM").value(), OrderStatus::Completed);
  EXPECT_EQ(orderStatusFor("SC", "").value(), OrderStatus::Scheduled);
  EXPECT_EQ(orderStatusFor("CA", "").value(), OrderStatus::Cancelled);
  EXPECT_EQ(orderStatusFor("OC", "").value(), OrderStatus::Cancelled);
  EXPECT_EQ(orderStatusFor("DC", "").value(), OrderStatus::Discontinued);
  EXPECT_EQ(orderStatusFor("SC", "DC").value(), OrderStatus::Discontinued);
  auto unknown = orderStatusFor("ZZ", "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("ORC-1"), std::string::npos);
  EXPECT_NE(orderStatusFor("", "").error().message.find("ORC-1"), std::string::npos);
}

TEST(OrderMapping, PriorityComesFromOrcThenObrThenTq1) {
  EXPECT_EQ(orderPriorityFor("S"), OrderPriority::Stat);
  EXPECT_EQ(orderPriorityFor("stat"), OrderPriority::Stat);
  EXPECT_EQ(orderPriorityFor("A"), OrderPriority::Urgent);
  EXPECT_EQ(orderPriorityFor("R"), OrderPriority::Routine);
  EXPECT_EQ(orderPriorityFor(""), OrderPriority::Routine);

  auto obr27 = mapOk(messageOf({kMsh, kPid, "ORC|NW|PL1", segment("OBR", {{1, "1"}, {2, "PL1"}, {4, "X"}, {18, "ACC"}, {27, "^^^^^A"}})}));
  ASSERT_EQ(obr27.size(), 1u);
  EXPECT_EQ(obr27[0].priority, OrderPriority::Urgent);
  auto tq1 = mapOk(messageOf({kMsh, kPid, "ORC|NW|PL1", "TQ1|||||||||S", segment("OBR", {{1, "1"}, {2, "PL1"}, {4, "X"}, {18, "ACC"}})}));
  ASSERT_EQ(tq1.size(), 1u);
  EXPECT_EQ(tq1[0].priority, OrderPriority::Stat);
}

TEST(OrderMapping, CancelOfAKnownOrder) {
  auto orders = mapOk(messageOf({kMsh, kPid, "ORC|CA|PL1|FI1", segment("OBR", {{1, "1"}, {2, "PL1"}, {3, "FI1"}, {4, "X"}, {18, "ACC-1"}})}));
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].status, OrderStatus::Cancelled);
  EXPECT_EQ(orders[0].accession_number, "ACC-1");
}

TEST(OrderMapping, EachOrcIsAnOrder) {
  auto orders = mapOk(messageOf({kMsh, kPid, "ORC|NW|PL1", segment("OBR", {{1, "1"}, {2, "PL1"}, {4, "X"}, {18, "ACC-1"}}),
                                 "ORC|NW|PL2", segment("OBR", {{1, "2"}, {2, "PL2"}, {4, "Y"}, {18, "ACC-2"}, {24, "MR"}})}));
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0].accession_number, "ACC-1");
  EXPECT_EQ(orders[1].accession_number, "ACC-2");
  EXPECT_EQ(orders[1].modality, "MR");
}

TEST(OrderMapping, AnOrderTimeWithoutOneIsWhenReceived) {
  auto orders = mapOk(messageOf({kMsh, kPid, "ORC|NW|PL1", segment("OBR", {{1, "1"}, {2, "PL1"}, {4, "X"}, {18, "ACC-1"}})}));
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].ordered_at, kReceived);
}

TEST(OrderMapping, MissingOrWrongFieldsAreNamed) {
  EXPECT_NE(mapError(messageOf({kMsh, "ORC|NW|PL1", "OBR|1|PL1"})).find("PID"), std::string::npos);
  EXPECT_NE(mapError(messageOf({kMsh, kPid, "OBR|1|PL1"})).find("ORC"), std::string::npos);
  EXPECT_NE(mapError(messageOf({kMsh, "PID|1||||Doe^Jane", "ORC|NW|PL1", segment("OBR", {{1, "1"}, {2, "PL1"}, {4, "X"}, {18, "ACC"}})}))
                .find("PID-3"),
            std::string::npos);
  EXPECT_NE(mapError(messageOf({kMsh, kPid, "ORC|NW", "OBR|1|||X"})).find("ORC-2"),
            std::string::npos);
  EXPECT_NE(mapError(messageOf({kMsh, kPid, segment("ORC", {{1, "NW"}, {2, "PL1"}, {9, "yesterday"}})})).find("ORC-9"),
            std::string::npos);
  EXPECT_NE(mapError(messageOf({kMsh, kPid, "ORC|QQ|PL1"})).find("ORC-1"), std::string::npos);
}

TEST(OrderMapping, IheOmiTakesAccessionModalityAndStudyUidFromIpc) {
  auto orders = mapOrderMessage(corpusMessage("dcm4che_OMI_O23-ImagingOrder.hl7"), "north",
                                kReceived);
  ASSERT_TRUE(orders.ok()) << orders.error().describe();
  ASSERT_EQ(orders->size(), 1u);
  const Order& o = orders->front();
  EXPECT_EQ(o.accession_number, "AccessionNumber");
  EXPECT_EQ(o.modality, "CT");
  EXPECT_EQ(o.study_instance_uid, "1.2.392.200036.9125.0.198811291108.7");
  EXPECT_EQ(o.placer_order_number, "PlacerOrderNumberImagingServiceRequest");
  EXPECT_EQ(o.patient_id, "PID_1");
  EXPECT_EQ(o.patient_name, "Smith^Lucy");
  EXPECT_EQ(o.status, OrderStatus::Scheduled);  // NW with ORC-5 SC
  EXPECT_EQ(o.procedure_code, "10637-7");
}

TEST(OrderMapping, OrderTimeWithAnOffsetFromTheCorpus) {
  auto orders = mapOrderMessage(corpusMessage("msfhirconv_ORM-O01-01.hl7"), "north", kReceived);
  ASSERT_TRUE(orders.ok()) << orders.error().describe();
  ASSERT_EQ(orders->size(), 1u);
  // ORC-9 202110201126+0215 is 09:11 UTC.
  EXPECT_EQ(toEpochMs(orders->front().ordered_at), 1634721060000);
  EXPECT_EQ(orders->front().procedure_text, "CT Head");
  EXPECT_EQ(orders->front().patient_id, "PATID1234");
}

TEST(OrderMapping, ChangeOrderFromTheCorpus) {
  auto orders = mapOrderMessage(corpusMessage("mirth_test-hl7-input.hl7"), "north", kReceived);
  ASSERT_TRUE(orders.ok()) << orders.error().describe();
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ(orders->front().status, OrderStatus::Scheduled);  // XO, ORC-5 'R' is no status
  EXPECT_EQ(orders->front().placer_order_number, "801887.001");
  EXPECT_EQ(orders->front().patient_id, "4223161584");
  EXPECT_EQ(orders->front().ordering_provider, "Shephard^Jack");
}

}  // namespace
}  // namespace sundial::hl7::mapping
