#include "adapters/dicom/send_pdata_framing.h"

#include "adapters/dicom/dicom_byte_order.h"

namespace sundial::adapters::dicom {
namespace {

constexpr std::uint8_t kPDataTfType = 0x04;
constexpr std::uint8_t kControlCommand = 0x01;
constexpr std::uint8_t kControlLastFragment = 0x02;
// What a PDV item's length counts besides the payload: context ID and control header.
constexpr std::uint32_t kPdvItemOverhead = 2;
// What the PDU length counts besides the payload: the PDV item length field and the above.
constexpr std::uint32_t kPduOverhead = 4 + kPdvItemOverhead;

}  // namespace

void writePDataHeader(std::uint8_t* out, std::uint8_t context_id, std::uint32_t payload_bytes,
                      PdvKind kind, bool last_fragment) {
  out[0] = kPDataTfType;
  out[1] = 0;
  writeBe32(out + 2, payload_bytes + kPduOverhead);
  writeBe32(out + 6, payload_bytes + kPdvItemOverhead);
  out[10] = context_id;
  std::uint8_t control = kind == PdvKind::Command ? kControlCommand : 0;
  if (last_fragment) control |= kControlLastFragment;
  out[11] = control;
}

}  // namespace sundial::adapters::dicom
