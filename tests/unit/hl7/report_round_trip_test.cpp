// A report Sundial sends (ORU out, report_message.h) read back by Sundial's own ORU reader
// (oru_report.h) is the same report, in every version and character set we write: the two
// ends agree on where each value goes.
#include <gtest/gtest.h>

#include "hl7/mapping/oru_report.h"
#include "hl7/mapping/report_message.h"
#include "hl7/message/message.h"

namespace sundial::hl7 {
namespace {

TEST(ReportRoundTrip, WhatWeSendIsWhatWeWouldRead) {
  Report sent;
  sent.site = "NORTH";
  sent.accession_number = "ACC123";
  sent.placer_order_number = "PL77";
  sent.filler_order_number = "FI88";
  sent.patient_id = "MRN001";
  sent.patient_name = "DOE^JANE";
  sent.procedure_code = "CTHEAD";
  sent.procedure_text = "CT head & neck";
  sent.status = ReportStatus::Corrected;
  sent.text = "FINDINGS: L\xC3\xA9sion | 5 mm ^ stable.\nIMPRESSION: Benign ~ \\ ok.";
  sent.reader_id = "RAD42";
  sent.observed_at = fromEpochMs(1'795'990'000'000);

  for (const std::string version : {"2.3", "2.4", "2.5.1", "2.7.1"}) {
    for (const std::string charset : {"8859/1", "UNICODE UTF-8"}) {
      ReportMessageSettings settings;
      settings.version = version;
      settings.charset = charset;
      auto text = buildReportMessage(sent, settings, "R1", fromEpochMs(1'795'991'972'000));
      ASSERT_TRUE(text.ok()) << text.error().describe();
      auto message = parseMessage(text.value());
      ASSERT_TRUE(message.ok()) << message.error().describe();
      auto read = mapping::mapReportMessage(message.value(), "NORTH", UtcTime{});
      ASSERT_TRUE(read.ok()) << read.error().describe();
      const std::string where = version + " " + charset;
      EXPECT_EQ(read->accession_number, sent.accession_number) << where;
      EXPECT_EQ(read->placer_order_number, sent.placer_order_number) << where;
      EXPECT_EQ(read->filler_order_number, sent.filler_order_number) << where;
      EXPECT_EQ(read->patient_id, sent.patient_id) << where;
      EXPECT_EQ(read->patient_name, sent.patient_name) << where;
      EXPECT_EQ(read->procedure_code, sent.procedure_code) << where;
      EXPECT_EQ(read->procedure_text, sent.procedure_text) << where;
      EXPECT_EQ(read->status, sent.status) << where;
      EXPECT_EQ(read->text, sent.text) << where;
      EXPECT_EQ(read->reader_id, sent.reader_id) << where;
      EXPECT_EQ(read->observed_at, sent.observed_at) << where;
    }
  }
}

}  // namespace
}  // namespace sundial::hl7
