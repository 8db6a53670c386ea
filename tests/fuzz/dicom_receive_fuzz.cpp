// libFuzzer target for the DICOM receive path: what our code does with the bytes of a
// received instance before it answers the C-STORE. The receiver has DCMTK write the data
// set, bit for bit, behind a File Meta header made from the request and the negotiated
// transfer syntax; then it reads the header facts (readDicomHeader) and checks the UIDs
// (checkReceivedUids). The input is tried two ways:
//  - as a whole file, as it is (a Part 10 file with preamble and meta header, or anything);
//  - as the bare data set of a C-STORE in one of the transfer syntaxes the receiver accepts
//    (a Part 10 input loses its preamble and meta header first), behind the meta header the
//    receiver's DCMTK would write.
// Invariants: a header that passes the checks has UIDs that are safe as spool path
// components; the study facts are UTF-8 with no unit separator or NUL (the bus's wire form); a
// modality made bus-safe holds only code-string characters; a header DCMTK could not read
// is an InvalidInput error with a message.
#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "adapters/dicom/dicom_header.h"
#include "adapters/dicom/receive_header_check.h"
#include "adapters/dicom/receive_negotiation.h"
#include "dcmtk/oflog/oflog.h"
#include "engine/domain/instance.h"
#include "engine/domain/log.h"

namespace {

using namespace sundial;
using namespace sundial::adapters::dicom;

void check(bool condition) {
  if (!condition) std::abort();
}

constexpr std::string_view kRequestedClass = "1.2.840.10008.5.1.4.1.1.2";  // CT Image Storage
constexpr std::string_view kRequestedInstance = "1.2.826.0.1.3680043.9.7133.1";
constexpr std::string_view kImplementationClass = "1.2.276.0.7230010.3.0.3.6.7";

// Where each try is written: memory-backed when the machine has it, one file per process.
std::filesystem::path scratchFile() {
  static const std::filesystem::path path = [] {
    std::filesystem::path folder = std::filesystem::is_directory("/dev/shm")
                                       ? std::filesystem::path("/dev/shm")
                                       : std::filesystem::temp_directory_path();
    return folder / ("sundial-dicom-fuzz-" + std::to_string(::getpid()) + ".dcm");
  }();
  // libFuzzer ends a timed run with exit(): the file goes then (a crash keeps it, for a look).
  static const bool cleaned_at_exit = [] {
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    });
    return true;
  }();
  (void)cleaned_at_exit;
  return path;
}

void writeFile(const std::filesystem::path& path, std::string_view a, std::string_view b = {}) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(a.data(), static_cast<std::streamsize>(a.size()));
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

void putLe16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>(v >> 8);
}
void putLe32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// One explicit VR little endian element of group 0002 with a short value (UI values padded
// with NUL to an even length, as the standard says).
void putMetaElement(std::string& out, std::uint16_t element, std::string_view vr,
                    std::string_view value) {
  std::string padded(value);
  if (padded.size() % 2) padded += vr == "UI" ? '\0' : ' ';
  putLe16(out, 0x0002);
  putLe16(out, element);
  out += vr;
  if (vr == "OB") {
    putLe16(out, 0);
    putLe32(out, static_cast<std::uint32_t>(padded.size()));
  } else {
    putLe16(out, static_cast<std::uint16_t>(padded.size()));
  }
  out += padded;
}

// Preamble, "DICM" and the File Meta group for a received data set: what DCMTK writes in
// front of the data set's bytes when it receives a C-STORE into a file.
std::string receivedFileHeader(std::string_view transfer_syntax) {
  std::string group;
  putMetaElement(group, 0x0001, "OB", std::string_view("\0\1", 2));
  putMetaElement(group, 0x0002, "UI", kRequestedClass);
  putMetaElement(group, 0x0003, "UI", kRequestedInstance);
  putMetaElement(group, 0x0010, "UI", transfer_syntax);
  putMetaElement(group, 0x0012, "UI", kImplementationClass);
  putMetaElement(group, 0x0016, "AE", "FUZZ_SCU");
  std::string out(128, '\0');
  out += "DICM";
  putLe16(out, 0x0002);
  putLe16(out, 0x0000);
  out += "UL";
  putLe16(out, 4);
  putLe32(out, static_cast<std::uint32_t>(group.size()));
  return out + group;
}

std::uint16_t le16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[at]) |
                                    (static_cast<unsigned char>(bytes[at + 1]) << 8));
}

// The data set of a Part 10 input (its preamble and meta group skipped, element by element
// as explicit VR little endian); the input itself when it has no "DICM" at 128.
std::string_view bareDataSet(std::string_view bytes) {
  if (bytes.size() < 132 || bytes.substr(128, 4) != "DICM") return bytes;
  std::size_t at = 132;
  while (at + 8 <= bytes.size() && le16(bytes, at) == 0x0002) {
    const std::string_view vr = bytes.substr(at + 4, 2);
    const bool long_form = vr == "OB" || vr == "OW" || vr == "UN" || vr == "SQ" || vr == "UT";
    std::size_t length = 0;
    std::size_t header = 8;
    if (long_form) {
      if (at + 12 > bytes.size()) return {};
      length = le16(bytes, at + 8) | (static_cast<std::size_t>(le16(bytes, at + 10)) << 16);
      header = 12;
    } else {
      length = le16(bytes, at + 6);
    }
    if (length > bytes.size() - at - header) return {};
    at += header + length;
  }
  return bytes.substr(at);
}

// Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF).
bool isUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    unsigned min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      min = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // cut short
    unsigned code = c & (0x3F >> extra);
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

bool isSafePathComponent(const std::string& text) {
  return !text.empty() && text != "." && text != ".." &&
         text.find_first_of(std::string_view("/\\\0", 3)) == std::string::npos;
}

// The receiver's steps after DCMTK wrote the file: header facts, then the checks.
void intake(const std::filesystem::path& file) {
  Result<DicomHeader> header = readDicomHeader(file);
  if (!header) {
    check(header.error().code == ErrorCode::InvalidInput);
    check(!header.error().message.empty());
    return;
  }
  const InstanceStudyAttributes& study = header->study;
  for (const std::string* fact :
       {&study.accession_number, &study.patient_id, &study.patient_name, &study.birth_date,
        &study.sex, &study.study_date, &study.study_time, &study.study_description,
        &study.body_part_examined, &study.referring_physician}) {
    check(fact->find_first_of(std::string_view("\x1f\0", 2)) == std::string::npos);
    check(isUtf8(*fact));  // converted from the Specific Character Set, never passed on raw
  }
  for (char c : busSafeModality(header->modality)) {
    check((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ' ');
  }
  // Once as the request that matches the data set, once as one that names other UIDs.
  std::optional<UidProblem> matching =
      checkReceivedUids(*header, header->sop_instance_uid, header->sop_class_uid);
  if (!matching) {
    check(isSafePathComponent(header->study_uid));
    check(isSafePathComponent(header->sop_instance_uid));
    check(isValidUid(header->series_uid) && isValidUid(header->transfer_syntax_uid));
  } else {
    check(!matching->detail.empty());
    check(matching->refusal != InstanceRefusal::UidMismatch);
  }
  std::optional<UidProblem> other = checkReceivedUids(*header, std::string(kRequestedInstance),
                                                      std::string(kRequestedClass));
  if (!other) {
    check(header->sop_instance_uid == kRequestedInstance);
    check(header->sop_class_uid == kRequestedClass);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Refusals and DCMTK's parse warnings would print for every input.
  log::setMinimumLevel(log::Level::Error);
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::filesystem::path file = scratchFile();

  writeFile(file, bytes);
  intake(file);

  // The same bytes as a C-STORE's data set, in a transfer syntax picked by the input (its
  // last byte), so that every accepted syntax is reached, each from every seed.
  const std::vector<std::string>& syntaxes = acceptedTransferSyntaxes();
  const std::size_t pick = size == 0 ? 0 : static_cast<unsigned char>(bytes.back());
  const std::string& syntax = syntaxes[pick % syntaxes.size()];
  check(isAcceptedTransferSyntax(syntax));
  writeFile(file, receivedFileHeader(syntax), bareDataSet(bytes));
  intake(file);
  return 0;
}
