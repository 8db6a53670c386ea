#include "adapters/dicom/dicom_file_meta.h"

#include "adapters/dicom/dicom_byte_order.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

namespace sundial::adapters::dicom {
namespace {

constexpr std::size_t kPreambleBytes = 128;
constexpr std::string_view kPrefix = "DICM";
constexpr std::size_t kMetaStart = kPreambleBytes + 4;
constexpr std::uint16_t kMetaGroup = 0x0002;
constexpr std::uint16_t kGroupLengthElement = 0x0000;
constexpr std::uint16_t kSopClassElement = 0x0002;
constexpr std::uint16_t kSopInstanceElement = 0x0003;
constexpr std::uint16_t kTransferSyntaxElement = 0x0010;
constexpr std::uint32_t kUndefinedLength = 0xFFFFFFFF;

// Explicit VR: these VRs have two reserved bytes and a 4-byte length (PS3.5 7.1.2).
bool hasLongLength(char first, char second) {
  static constexpr std::string_view kLongVrs[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                                  "SV", "UC", "UN", "UR", "UT", "UV"};
  const char vr[2] = {first, second};
  return std::any_of(std::begin(kLongVrs), std::end(kLongVrs),
                     [&](std::string_view known) { return known == std::string_view(vr, 2); });
}

bool isVrChar(std::uint8_t c) { return c >= 'A' && c <= 'Z'; }

std::string tagName(std::uint16_t group, std::uint16_t element) {
  char text[16];
  std::snprintf(text, sizeof text, "(%04X,%04X)", group, element);
  return text;
}

// UIDs are padded to even length with \0; tolerate a trailing space as well.
std::string trimmedValue(std::span<const std::uint8_t> value) {
  std::string text(value.begin(), value.end());
  while (!text.empty() && (text.back() == '\0' || text.back() == ' ')) text.pop_back();
  return text;
}

Error invalid(std::string what) {
  return makeError(ErrorCode::InvalidInput, "file meta information: " + std::move(what));
}

}  // namespace

Result<FileMetaInfo> parseFileMetaInfo(std::span<const std::uint8_t> head, std::uint64_t file_size) {
  if (head.size() > file_size) head = head.first(static_cast<std::size_t>(file_size));
  if (file_size < kMetaStart || head.size() < kMetaStart) {
    return invalid("file too short for a preamble and the DICM prefix (" +
                   std::to_string(file_size) + " bytes)");
  }
  if (std::memcmp(head.data() + kPreambleBytes, kPrefix.data(), kPrefix.size()) != 0) {
    return invalid("no DICM prefix after the 128-byte preamble (not a DICOM Part 10 file)");
  }

  FileMetaInfo meta;
  std::optional<std::uint64_t> group_end;  // from (0002,0000), when present
  std::size_t at = kMetaStart;
  bool first = true;
  while (true) {
    if (group_end && at == *group_end) break;
    if (!group_end) {
      // Without a group length the group ends at the first tag of another group.
      if (at == file_size) break;
      if (at + 2 > head.size()) {
        if (head.size() < file_size) return invalid("meta group longer than 64 KiB");
        return invalid("truncated element header at byte " + std::to_string(at));
      }
      if (readLe16(head, at) != kMetaGroup) break;
    }
    if (at + 8 > head.size()) {
      return invalid("truncated element header at byte " + std::to_string(at));
    }
    const std::uint16_t group = readLe16(head, at);
    const std::uint16_t element = readLe16(head, at + 2);
    const std::string tag = tagName(group, element);
    if (group != kMetaGroup) {
      return invalid("element " + tag + " inside the meta group (its group length is wrong)");
    }
    const std::uint8_t vr0 = head[at + 4];
    const std::uint8_t vr1 = head[at + 5];
    if (!isVrChar(vr0) || !isVrChar(vr1)) {
      return invalid("element " + tag + " has no explicit VR");
    }
    std::size_t header_bytes = 8;
    std::uint32_t length = readLe16(head, at + 6);
    if (hasLongLength(static_cast<char>(vr0), static_cast<char>(vr1))) {
      header_bytes = 12;
      if (at + header_bytes > head.size()) {
        return invalid("truncated element header of " + tag);
      }
      length = readLe32(head, at + 8);
    }
    if (length == kUndefinedLength) return invalid("element " + tag + " has an undefined length");
    const std::uint64_t value_at = at + header_bytes;
    const std::uint64_t value_end = value_at + length;
    if (value_end > file_size) {
      return invalid("element " + tag + " runs past the end of the file (" +
                     std::to_string(value_end) + " > " + std::to_string(file_size) + " bytes)");
    }
    if (group_end && value_end > *group_end) {
      return invalid("element " + tag + " runs past the end the group length gives");
    }
    if (value_end > head.size()) return invalid("meta group longer than 64 KiB");
    auto value = head.subspan(static_cast<std::size_t>(value_at), length);

    if (element == kGroupLengthElement) {
      if (!first || length != 4) {
        return invalid("group length " + tag + " is not the group's first 4-byte element");
      }
      group_end = value_end + readLe32(value, 0);
      if (*group_end > file_size) {
        return invalid("the group length says the meta group ends at byte " +
                       std::to_string(*group_end) + ", the file has " +
                       std::to_string(file_size) + " bytes");
      }
      if (*group_end > head.size()) return invalid("meta group longer than 64 KiB");
    } else if (element == kSopClassElement) {
      meta.sop_class_uid = trimmedValue(value);
    } else if (element == kSopInstanceElement) {
      meta.sop_instance_uid = trimmedValue(value);
    } else if (element == kTransferSyntaxElement) {
      meta.transfer_syntax_uid = trimmedValue(value);
    }
    at = static_cast<std::size_t>(value_end);
    first = false;
  }

  if (meta.transfer_syntax_uid.empty()) return invalid("no Transfer Syntax UID (0002,0010)");
  meta.data_set_offset = at;
  if (meta.data_set_offset >= file_size) return invalid("no data set after the meta group");
  meta.data_set_length = file_size - meta.data_set_offset;
  return meta;
}

Result<FileMetaInfo> readFileMetaInfo(int fd) {
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    return makeError(ErrorCode::Internal, std::string("cannot stat the file: ") + std::strerror(errno));
  }
  const auto file_size = static_cast<std::uint64_t>(status.st_size);
  std::vector<std::uint8_t> head(std::min<std::uint64_t>(file_size, kMaxFileMetaBytes));
  std::size_t got = 0;
  while (got < head.size()) {
    ssize_t n = ::pread(fd, head.data() + got, head.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return makeError(ErrorCode::Internal, std::string("cannot read the file: ") + std::strerror(errno));
    }
    if (n == 0) break;  // shrank since fstat: parse what is there, against the smaller size
    got += static_cast<std::size_t>(n);
  }
  head.resize(got);
  return parseFileMetaInfo(head, got < file_size && got < kMaxFileMetaBytes ? got : file_size);
}

}  // namespace sundial::adapters::dicom
