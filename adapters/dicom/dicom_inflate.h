#pragma once
// Inflating a Deflated Explicit VR Little Endian data set (PS3.5 A.5: raw deflate after the
// File Meta group) into a plain data set file. DCMTK can leave long values of a plain file
// on disk and checks each length against the bytes left; in a deflated stream it can do
// neither, and allocates whatever a length field claims before reading it (a 7 KB file
// claiming a 3 GB element: found by tests/fuzz/dicom_receive_fuzz). Any thread.

#include <cstdint>
#include <filesystem>

#include "engine/domain/result.h"

namespace sundial::adapters::dicom {

// Inflates what follows `data_set_offset` in `file` into `into`, at most `max_bytes` of it
// (the rest is not needed for the header and is dropped). InvalidInput when the stream is
// not raw deflate from its first byte; Unavailable when a file cannot be read or written.
Result<std::uint64_t> inflateDataSet(const std::filesystem::path& file,
                                     std::uint64_t data_set_offset,
                                     const std::filesystem::path& into, std::uint64_t max_bytes);

}  // namespace sundial::adapters::dicom
