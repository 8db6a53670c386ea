#pragma once
// P-DATA-TF framing (PS3.8 9.3.5, E.2) for the forwarder's own data path: one PDV per PDU, so
// every PDU starts with the same 12-byte header and its payload can be read from a file into
// the bytes right after it. Pure code; any thread.

#include <cstddef>
#include <cstdint>

namespace sundial::adapters::dicom {

// PDU type and reserved byte, PDU length (4), PDV item length (4), presentation context ID,
// message control header.
inline constexpr std::size_t kPDataHeaderBytes = 12;

enum class PdvKind { Command, DataSet };

// Writes the header of a P-DATA-TF PDU carrying one PDV of `payload_bytes` into `out`
// (kPDataHeaderBytes bytes). Lengths are big endian; the message control header has bit 0 set
// for a command fragment and bit 1 on the last fragment of the command or data set.
void writePDataHeader(std::uint8_t* out, std::uint8_t context_id, std::uint32_t payload_bytes,
                      PdvKind kind, bool last_fragment);

}  // namespace sundial::adapters::dicom
