// parseFileMetaInfo / readFileMetaInfo: the meta group of corpus files (../shared/corpus/dicom,
// read only; compared with what DCMTK reads) and of crafted broken headers.
#include "adapters/dicom/dicom_file_meta.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcistrmf.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcxfer.h"

namespace sundial::adapters::dicom {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

fs::path corpus(const std::string& name) { return fs::path(SUNDIAL_CORPUS_DIR) / "dicom" / name; }

Bytes readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Result<FileMetaInfo> parse(const Bytes& bytes) { return parseFileMetaInfo(bytes, bytes.size()); }

// The message of a parse that must fail with InvalidInput.
std::string failureOf(const Bytes& bytes) {
  Result<FileMetaInfo> meta = parse(bytes);
  EXPECT_FALSE(meta.ok());
  if (meta.ok()) return {};
  EXPECT_EQ(meta.error().code, ErrorCode::InvalidInput);
  return meta.error().message;
}

void putUint32(Bytes& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

std::uint32_t uint32At(const Bytes& bytes, std::size_t at) {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) |
         (static_cast<std::uint32_t>(bytes[at + 3]) << 24);
}

// A well-formed explicit VR little endian file with a group length (the receiver's kind).
constexpr const char* kExplicitCt = "pydicom_CT_small.dcm";
constexpr std::size_t kGroupLengthValueAt = 132 + 8;
constexpr std::size_t kFirstElementAfterGroupLength = 132 + 12;

// Every corpus file with a preamble and a meta group that DCMTK reads: the same transfer
// syntax and Media Storage UIDs, and the data set starts where DCMTK's meta group ends.
TEST(FileMetaInfo, AgreesWithDcmtkOnTheCorpus) {
  int compared = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SUNDIAL_CORPUS_DIR) / "dicom")) {
    if (entry.path().extension() != ".dcm") continue;
    DcmFileFormat file;
    if (file.loadFile(entry.path().c_str()).bad()) continue;
    DcmMetaInfo& dcmtk_meta = *file.getMetaInfo();
    OFString transfer_syntax;
    if (dcmtk_meta.findAndGetOFString(DCM_TransferSyntaxUID, transfer_syntax).bad()) continue;
    SCOPED_TRACE(entry.path().filename().string());
    Bytes bytes = readAll(entry.path());
    if (bytes.size() < 132 || std::string(bytes.begin() + 128, bytes.begin() + 132) != "DICM") {
      continue;  // DCMTK also reads files without a preamble; we need not
    }
    Result<FileMetaInfo> meta = parse(bytes);
    ASSERT_TRUE(meta.ok()) << meta.error().message;
    EXPECT_EQ(meta->transfer_syntax_uid, transfer_syntax.c_str());
    OFString sop_class;
    OFString sop_instance;
    dcmtk_meta.findAndGetOFString(DCM_MediaStorageSOPClassUID, sop_class);
    dcmtk_meta.findAndGetOFString(DCM_MediaStorageSOPInstanceUID, sop_instance);
    EXPECT_EQ(meta->sop_class_uid, sop_class.c_str());
    EXPECT_EQ(meta->sop_instance_uid, sop_instance.c_str());
    EXPECT_EQ(meta->data_set_offset + meta->data_set_length, bytes.size());
    // DCMTK reading a data set from our offset finds the data set it read from the file.
    // (Comparing lengths instead would not do: DCMTK trims padding when it computes them.)
    DcmInputFileStream stream(entry.path().c_str(),
                              static_cast<offile_off_t>(meta->data_set_offset));
    DcmDataset from_offset;
    from_offset.transferInit();
    from_offset.read(stream, DcmXfer(transfer_syntax.c_str()).getXfer());
    from_offset.transferEnd();
    EXPECT_EQ(from_offset.card(), file.getDataset()->card());
    EXPECT_GT(from_offset.card(), 0u);
    ++compared;
  }
  EXPECT_GT(compared, 50);
}

TEST(FileMetaInfo, ReadsTheGroupLengthAndTheElements) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  Result<FileMetaInfo> meta = parse(bytes);
  ASSERT_TRUE(meta.ok()) << meta.error().message;
  EXPECT_EQ(meta->transfer_syntax_uid, "1.2.840.10008.1.2.1");
  EXPECT_EQ(meta->sop_class_uid, "1.2.840.10008.5.1.4.1.1.2");
  EXPECT_EQ(meta->data_set_offset, kFirstElementAfterGroupLength + uint32At(bytes, kGroupLengthValueAt));
}

TEST(FileMetaInfo, WalksTheElementsWhenThereIsNoGroupLength) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  Result<FileMetaInfo> with = parse(bytes);
  ASSERT_TRUE(with.ok());
  Bytes without = bytes;
  without.erase(without.begin() + 132, without.begin() + kFirstElementAfterGroupLength);
  Result<FileMetaInfo> meta = parse(without);
  ASSERT_TRUE(meta.ok()) << meta.error().message;
  EXPECT_EQ(meta->transfer_syntax_uid, with->transfer_syntax_uid);
  EXPECT_EQ(meta->sop_instance_uid, with->sop_instance_uid);
  EXPECT_EQ(meta->data_set_offset, with->data_set_offset - 12);
  EXPECT_EQ(meta->data_set_length, with->data_set_length);
}

TEST(FileMetaInfo, TooShortForThePrefixIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  bytes.resize(100);
  EXPECT_NE(failureOf(bytes).find("too short"), std::string::npos);
  EXPECT_NE(failureOf(Bytes{}).find("too short"), std::string::npos);
}

TEST(FileMetaInfo, NoDicmPrefixIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  bytes[128] = 'X';
  EXPECT_NE(failureOf(bytes).find("no DICM prefix"), std::string::npos);
}

TEST(FileMetaInfo, FileEndingInsideTheMetaGroupIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  const std::uint32_t group_end = kFirstElementAfterGroupLength + uint32At(bytes, kGroupLengthValueAt);
  for (std::size_t cut : {std::size_t{132}, std::size_t{134}, kFirstElementAfterGroupLength + 3,
                          std::size_t{group_end - 1}}) {
    SCOPED_TRACE(cut);
    Bytes truncated(bytes.begin(), bytes.begin() + cut);
    std::string message = failureOf(truncated);
    EXPECT_FALSE(message.empty());
  }
  Bytes truncated(bytes.begin(), bytes.begin() + group_end - 1);
  EXPECT_NE(failureOf(truncated).find("the file has"), std::string::npos);
}

TEST(FileMetaInfo, GroupLengthBeyondTheFileIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  putUint32(bytes, kGroupLengthValueAt, static_cast<std::uint32_t>(bytes.size()));
  EXPECT_NE(failureOf(bytes).find("group length says"), std::string::npos);
}

TEST(FileMetaInfo, GroupLengthEndingInsideAnElementIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  putUint32(bytes, kGroupLengthValueAt, uint32At(bytes, kGroupLengthValueAt) - 3);
  EXPECT_NE(failureOf(bytes).find("runs past the end the group length gives"), std::string::npos);
}

TEST(FileMetaInfo, GroupLengthReachingIntoTheDataSetIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  putUint32(bytes, kGroupLengthValueAt, uint32At(bytes, kGroupLengthValueAt) + 8);
  EXPECT_NE(failureOf(bytes).find("inside the meta group"), std::string::npos);
}

TEST(FileMetaInfo, UndefinedLengthIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  // (0002,0001) File Meta Information Version, OB: 2 reserved bytes then a 4-byte length.
  ASSERT_EQ(bytes[kFirstElementAfterGroupLength + 2], 0x01);
  ASSERT_EQ(bytes[kFirstElementAfterGroupLength + 4], 'O');
  putUint32(bytes, kFirstElementAfterGroupLength + 8, 0xFFFFFFFF);
  EXPECT_NE(failureOf(bytes).find("undefined length"), std::string::npos);
}

TEST(FileMetaInfo, ImplicitVrInTheMetaGroupIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  bytes[kFirstElementAfterGroupLength + 4] = 0x02;
  EXPECT_NE(failureOf(bytes).find("no explicit VR"), std::string::npos);
}

TEST(FileMetaInfo, ElementRunningPastTheFileIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  Bytes without = bytes;  // no group length, so only the file's end bounds the element
  without.erase(without.begin() + 132, without.begin() + kFirstElementAfterGroupLength);
  putUint32(without, 132 + 8, 0x7FFFFFF0);
  EXPECT_NE(failureOf(without).find("runs past the end of the file"), std::string::npos);
}

TEST(FileMetaInfo, NoTransferSyntaxIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  Result<FileMetaInfo> meta = parse(bytes);
  ASSERT_TRUE(meta.ok());
  // Rename (0002,0010) to (0002,0011): still a valid element, no longer the syntax.
  for (std::size_t at = kFirstElementAfterGroupLength; at + 4 < meta->data_set_offset; ++at) {
    if (bytes[at] == 0x02 && bytes[at + 1] == 0 && bytes[at + 2] == 0x10 && bytes[at + 3] == 0 &&
        bytes[at + 4] == 'U' && bytes[at + 5] == 'I') {
      bytes[at + 2] = 0x11;
      break;
    }
  }
  EXPECT_NE(failureOf(bytes).find("no Transfer Syntax UID"), std::string::npos);
}

TEST(FileMetaInfo, NoDataSetAfterTheMetaGroupIsInvalid) {
  Bytes bytes = readAll(corpus(kExplicitCt));
  Result<FileMetaInfo> meta = parse(bytes);
  ASSERT_TRUE(meta.ok());
  bytes.resize(meta->data_set_offset);
  EXPECT_NE(failureOf(bytes).find("no data set"), std::string::npos);
}

TEST(FileMetaInfo, ReadsFromAnOpenFile) {
  char path[] = "/tmp/sundial-file-meta-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  Bytes bytes = readAll(corpus(kExplicitCt));
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  Result<FileMetaInfo> meta = readFileMetaInfo(fd);
  Result<FileMetaInfo> expected = parse(bytes);
  ::close(fd);
  ::unlink(path);
  ASSERT_TRUE(meta.ok()) << meta.error().message;
  EXPECT_EQ(meta->data_set_offset, expected->data_set_offset);
  EXPECT_EQ(meta->data_set_length, expected->data_set_length);
  EXPECT_EQ(meta->sop_instance_uid, expected->sop_instance_uid);
}

}  // namespace
}  // namespace sundial::adapters::dicom
