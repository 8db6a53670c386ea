// Reading a received file's header facts: deflated data sets (inflated by us, bounded) and a
// forged element length that once made DCMTK ask for 3 GB (found by dicom_receive_fuzz).
// This test binary counts DCMTK's value allocations by replacing the nothrow new[] it uses.
#include "adapters/dicom/dicom_header.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>

namespace {

std::atomic<std::size_t> largest_nothrow_array{0};

}  // namespace

// DCMTK allocates element values with new (std::nothrow) Uint8[length]: record the largest.
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  std::size_t seen = largest_nothrow_array.load();
  while (size > seen && !largest_nothrow_array.compare_exchange_weak(seen, size)) {
  }
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete[](void* pointer, const std::nothrow_t&) noexcept { std::free(pointer); }

namespace sundial::adapters::dicom {
namespace {

constexpr const char* kDeflated = "1.2.840.10008.1.2.1.99";

void putLe16(std::string& out, unsigned v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>((v >> 8) & 0xff);
}
void putLe32(std::string& out, unsigned long v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
// Explicit VR little endian, short form (2-byte length).
void putElement(std::string& out, unsigned group, unsigned element, const char* vr,
                std::string value) {
  if (value.size() % 2) value += std::string(vr) == "UI" ? '\0' : ' ';
  putLe16(out, group);
  putLe16(out, element);
  out += vr;
  putLe16(out, static_cast<unsigned>(value.size()));
  out += value;
}

std::string rawDeflate(const std::string& data) {
  z_stream stream{};
  deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(data.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// A Part 10 file in the Deflated transfer syntax: meta information, then `body`.
std::string deflatedPart10(const std::string& body) {
  std::string group;
  putLe16(group, 0x0002);
  putLe16(group, 0x0001);
  group += "OB";
  putLe16(group, 0);
  putLe32(group, 2);
  group += std::string("\0\1", 2);
  putElement(group, 0x0002, 0x0002, "UI", "1.2.840.10008.5.1.4.1.1.7");
  putElement(group, 0x0002, 0x0003, "UI", "1.2.3.4.5");
  putElement(group, 0x0002, 0x0010, "UI", kDeflated);
  std::string file(128, '\0');
  file += "DICM";
  putLe16(file, 0x0002);
  putLe16(file, 0x0000);
  file += "UL";
  putLe16(file, 4);
  putLe32(file, group.size());
  return file + group + body;
}

// A Part 10 file in the Deflated transfer syntax around `data_set` (not yet deflated).
std::string deflatedFile(const std::string& data_set) {
  return deflatedPart10(rawDeflate(data_set));
}

std::string identifyingDataSet() {
  std::string data_set;
  putElement(data_set, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  putElement(data_set, 0x0008, 0x0018, "UI", "1.2.3.4.5");
  putElement(data_set, 0x0008, 0x0060, "CS", "OT");
  putElement(data_set, 0x0010, 0x0020, "LO", "PID-7");
  return data_set;
}

class DicomHeaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("sundial-dicom-header-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }
  std::filesystem::path write(const std::string& name, const std::string& bytes) {
    std::ofstream(folder_ / name, std::ios::binary) << bytes;
    return folder_ / name;
  }
  std::filesystem::path folder_;
};

TEST_F(DicomHeaderTest, ReadsADeflatedDataSet) {
  std::string data_set = identifyingDataSet();
  putElement(data_set, 0x0020, 0x000D, "UI", "1.2.3");
  putElement(data_set, 0x0020, 0x000E, "UI", "1.2.3.4");
  putElement(data_set, 0x0020, 0x0013, "IS", "1");
  auto header = readDicomHeader(write("good.dcm", deflatedFile(data_set)));
  ASSERT_TRUE(header) << header.error().describe();
  EXPECT_EQ(header->transfer_syntax_uid, kDeflated);
  EXPECT_EQ(header->sop_instance_uid, "1.2.3.4.5");
  EXPECT_EQ(header->study_uid, "1.2.3");
  EXPECT_EQ(header->series_uid, "1.2.3.4");
  EXPECT_EQ(header->modality, "OT");
  EXPECT_EQ(header->study.patient_id, "PID-7");
  EXPECT_FALSE(std::filesystem::exists(folder_ / "good.dcm.inflated"));
}

// Regression (issue 6, fuzzing): a 7 KB deflated file whose element claimed 3 GB made DCMTK
// allocate the 3 GB before finding the data missing.
TEST_F(DicomHeaderTest, Issue6ForgedLengthInADeflatedDataSetAllocatesNothingLarge) {
  std::string data_set = identifyingDataSet();
  putLe16(data_set, 0x0011);
  putLe16(data_set, 0x1000);
  data_set += "OB";
  putLe16(data_set, 0);
  putLe32(data_set, 0xC0000000UL);
  data_set += std::string(64, 'x');
  largest_nothrow_array = 0;
  auto header = readDicomHeader(write("forged.dcm", deflatedFile(data_set)));
  EXPECT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::InvalidInput);
  EXPECT_LT(largest_nothrow_array.load(), std::size_t{1} << 20);
}

TEST_F(DicomHeaderTest, RefusesADeflatedFileThatIsNotDeflate) {
  auto header = readDicomHeader(write("garbage.dcm", deflatedPart10(std::string(64, '\xff'))));
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::InvalidInput);
}

// Deflate that breaks off after the header: what came is enough (the pixel data is not read).
TEST_F(DicomHeaderTest, ReadsTheHeaderOfADeflatedDataSetCutShort) {
  std::string data_set = identifyingDataSet();
  putElement(data_set, 0x0020, 0x000D, "UI", "1.2.3");
  putElement(data_set, 0x0020, 0x000E, "UI", "1.2.3.4");
  putElement(data_set, 0x0028, 0x0010, "US", std::string(2, '\0'));
  // Pixel-like bytes that do not compress (a fixed LCG), so half the stream is past the header.
  unsigned state = 12345;
  for (int i = 0; i < 100000; ++i) {
    state = state * 1103515245u + 12345u;
    data_set += static_cast<char>(state >> 24);
  }
  std::string deflated = rawDeflate(data_set);
  deflated.resize(deflated.size() / 2);
  auto header = readDicomHeader(write("short.dcm", deflatedPart10(deflated)));
  ASSERT_TRUE(header) << header.error().describe();
  EXPECT_EQ(header->series_uid, "1.2.3.4");
}

TEST_F(DicomHeaderTest, ReadsTheSharedCorpusDeflatedFiles) {
  // By manifest name, copied first (the shared corpus is never written).
  for (const char* name : {"dcm4che_report_dfl.dcm", "fodicom_GH227.dcm"}) {
    const std::filesystem::path copy = folder_ / name;
    std::filesystem::copy_file(std::filesystem::path(SUNDIAL_CORPUS_DIR) / "dicom" / name, copy);
    auto header = readDicomHeader(copy);
    ASSERT_TRUE(header) << name << ": " << header.error().describe();
    EXPECT_EQ(header->transfer_syntax_uid, kDeflated) << name;
    EXPECT_FALSE(header->sop_instance_uid.empty()) << name;
    EXPECT_FALSE(header->study_uid.empty()) << name;
  }
}

}  // namespace
}  // namespace sundial::adapters::dicom
