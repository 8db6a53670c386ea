// encodeCStoreRequest read back by DCMTK, and the P-DATA-TF headers of the streamed path.
#include "adapters/dicom/send_store_command.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/dicom/send_pdata_framing.h"
#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcelem.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmnet/dimse.h"

namespace sundial::adapters::dicom {
namespace {

// The command set as DCMTK parses it from implicit VR little endian bytes.
struct ParsedCommand {
  DcmDataset dataset;
  OFCondition read_status;
};

void parseCommand(const std::vector<std::uint8_t>& bytes, ParsedCommand& parsed) {
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  parsed.dataset.transferInit();
  parsed.read_status = parsed.dataset.read(stream, EXS_LittleEndianImplicit);
  parsed.dataset.transferEnd();
}

Uint16 uint16Of(DcmDataset& dataset, const DcmTagKey& tag) {
  Uint16 value = 0;
  EXPECT_TRUE(dataset.findAndGetUint16(tag, value).good()) << tag.toString();
  return value;
}

std::string stringOf(DcmDataset& dataset, const DcmTagKey& tag) {
  OFString value;
  EXPECT_TRUE(dataset.findAndGetOFString(tag, value).good()) << tag.toString();
  return value.c_str();
}

TEST(CStoreRequestEncoding, DcmtkReadsBackEveryField) {
  CStoreRequest request{0x1234, "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5.6.7", kPriorityMedium};
  std::vector<std::uint8_t> bytes = encodeCStoreRequest(request);
  ParsedCommand parsed;
  parseCommand(bytes, parsed);
  ASSERT_TRUE(parsed.read_status.good()) << parsed.read_status.text();
  DcmDataset& command = parsed.dataset;
  EXPECT_EQ(command.card(), 7u);
  Uint32 group_length = 0;
  ASSERT_TRUE(command.findAndGetUint32(DCM_CommandGroupLength, group_length).good());
  EXPECT_EQ(group_length, bytes.size() - 12);  // everything after the group length element
  EXPECT_EQ(stringOf(command, DCM_AffectedSOPClassUID), request.sop_class_uid);
  EXPECT_EQ(uint16Of(command, DCM_CommandField), DIMSE_C_STORE_RQ);
  EXPECT_EQ(uint16Of(command, DCM_MessageID), 0x1234);
  EXPECT_EQ(uint16Of(command, DCM_Priority), DIMSE_PRIORITY_MEDIUM);
  EXPECT_EQ(uint16Of(command, DCM_CommandDataSetType), DIMSE_DATASET_PRESENT);
  EXPECT_NE(uint16Of(command, DCM_CommandDataSetType), DIMSE_DATASET_NULL);
  EXPECT_EQ(stringOf(command, DCM_AffectedSOPInstanceUID), request.sop_instance_uid);
}

TEST(CStoreRequestEncoding, OddUidsArePaddedWithNulToEvenLength) {
  // 25 and 13 characters: both need one \0.
  CStoreRequest request{1, "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5.6.7", kPriorityMedium};
  ASSERT_EQ(request.sop_class_uid.size() % 2, 1u);
  std::vector<std::uint8_t> bytes = encodeCStoreRequest(request);
  EXPECT_EQ(bytes.size() % 2, 0u);
  ParsedCommand parsed;
  parseCommand(bytes, parsed);
  ASSERT_TRUE(parsed.read_status.good());
  DcmElement* element = nullptr;
  ASSERT_TRUE(parsed.dataset.findAndGetElement(DCM_AffectedSOPClassUID, element).good());
  EXPECT_EQ(element->getLength(), 26u);
  char* raw = nullptr;
  ASSERT_TRUE(element->getString(raw).good());
  EXPECT_EQ(raw[25], '\0');
  ASSERT_TRUE(parsed.dataset.findAndGetElement(DCM_AffectedSOPInstanceUID, element).good());
  EXPECT_EQ(element->getLength(), 14u);
}

TEST(CStoreRequestEncoding, EvenUidsAreNotPadded) {
  CStoreRequest request{1, "1.2.840.10008.5.1.4.1.1.20", "1.2.3.4", kPriorityMedium};
  ParsedCommand parsed;
  parseCommand(encodeCStoreRequest(request), parsed);
  ASSERT_TRUE(parsed.read_status.good());
  DcmElement* element = nullptr;
  ASSERT_TRUE(parsed.dataset.findAndGetElement(DCM_AffectedSOPClassUID, element).good());
  EXPECT_EQ(element->getLength(), 26u);
  EXPECT_EQ(stringOf(parsed.dataset, DCM_AffectedSOPClassUID), request.sop_class_uid);
}

TEST(CStoreRequestEncoding, ElementsAreInAscendingTagOrder) {
  ParsedCommand parsed;
  parseCommand(encodeCStoreRequest(CStoreRequest{7, "1.2", "3.4", kPriorityMedium}), parsed);
  ASSERT_TRUE(parsed.read_status.good());
  DcmTagKey previous(0, 0);
  for (unsigned long i = 0; i < parsed.dataset.card(); ++i) {
    DcmTagKey tag = parsed.dataset.getElement(i)->getTag();
    if (i > 0) {
      EXPECT_LT(previous, tag);
    }
    previous = tag;
  }
}

TEST(PDataFraming, CommandHeaderIsBigEndianWithCommandAndLastBits) {
  std::uint8_t header[kPDataHeaderBytes] = {};
  writePDataHeader(header, 5, 0x0102, PdvKind::Command, /*last_fragment=*/true);
  const std::vector<std::uint8_t> expected = {0x04, 0x00, 0x00, 0x00, 0x01, 0x08,
                                              0x00, 0x00, 0x01, 0x04, 0x05, 0x03};
  EXPECT_EQ(std::vector<std::uint8_t>(header, header + kPDataHeaderBytes), expected);
}

TEST(PDataFraming, DataSetFragmentsSetTheLastBitOnlyAtTheEnd) {
  std::uint8_t header[kPDataHeaderBytes] = {};
  writePDataHeader(header, 0xFF, 16372, PdvKind::DataSet, /*last_fragment=*/false);
  EXPECT_EQ(header[0], 0x04);
  // PDU length = payload + 6 = 16378 = 0x3FFA; PDV item length = payload + 2 = 0x3FF6.
  EXPECT_EQ(header[4], 0x3F);
  EXPECT_EQ(header[5], 0xFA);
  EXPECT_EQ(header[8], 0x3F);
  EXPECT_EQ(header[9], 0xF6);
  EXPECT_EQ(header[10], 0xFF);
  EXPECT_EQ(header[11], 0x00);
  writePDataHeader(header, 0xFF, 1, PdvKind::DataSet, /*last_fragment=*/true);
  EXPECT_EQ(header[11], 0x02);
}

}  // namespace
}  // namespace sundial::adapters::dicom
