#pragma once
// The file meta information of a DICOM Part 10 file (PS3.10 7.1: 128-byte preamble, "DICM",
// group 0002 in explicit VR little endian), read without DCMTK and without touching the data
// set that follows. The forwarder uses it to send a spool file's data set bytes as they are.
// Pure parsing plus one small read; any thread.

#include <cstdint>
#include <span>
#include <string>

#include "engine/domain/result.h"

namespace sundial::adapters::dicom {

struct FileMetaInfo {
  std::string transfer_syntax_uid;  // (0002,0010)
  // Media Storage SOP Class / Instance UID, (0002,0002) and (0002,0003); empty when absent
  // (files from elsewhere may lack them; our receiver always writes them).
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::uint64_t data_set_offset = 0;  // first byte after the meta group
  std::uint64_t data_set_length = 0;  // from there to the end of the file; never 0
};

// The meta group of a file must fit in this many bytes; real ones are a few hundred.
inline constexpr std::size_t kMaxFileMetaBytes = 64 * 1024;

// `head` is the start of a file of `file_size` bytes: all of it, or at least its first
// kMaxFileMetaBytes. The meta group ends where (0002,0000) Group Length says; without one, at
// the first element of another group. InvalidInput naming what is wrong for a missing prefix,
// a truncated or inconsistent element, a group length beyond the file, a missing Transfer
// Syntax UID, or no data set after the meta group.
Result<FileMetaInfo> parseFileMetaInfo(std::span<const std::uint8_t> head, std::uint64_t file_size);

// Reads the start of the open file `fd` (pread: the file offset is left alone) and parses it.
// InvalidInput as above; Internal when the file cannot be read.
Result<FileMetaInfo> readFileMetaInfo(int fd);

}  // namespace sundial::adapters::dicom
