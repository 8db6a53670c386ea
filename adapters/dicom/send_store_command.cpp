#include "adapters/dicom/send_store_command.h"

#include "adapters/dicom/dicom_byte_order.h"

namespace sundial::adapters::dicom {
namespace {

constexpr std::uint16_t kCommandGroup = 0x0000;
constexpr std::uint16_t kGroupLength = 0x0000;
constexpr std::uint16_t kAffectedSopClassUid = 0x0002;
constexpr std::uint16_t kCommandField = 0x0100;
constexpr std::uint16_t kMessageId = 0x0110;
constexpr std::uint16_t kPriority = 0x0700;
constexpr std::uint16_t kCommandDataSetType = 0x0800;
constexpr std::uint16_t kAffectedSopInstanceUid = 0x1000;

// Implicit VR: tag, 4-byte length, value.
void putHeader(std::vector<std::uint8_t>& out, std::uint16_t element, std::uint32_t length) {
  appendLe16(out, kCommandGroup);
  appendLe16(out, element);
  appendLe32(out, length);
}

void putUint16Element(std::vector<std::uint8_t>& out, std::uint16_t element, std::uint16_t value) {
  putHeader(out, element, 2);
  appendLe16(out, value);
}

void putUidElement(std::vector<std::uint8_t>& out, std::uint16_t element, const std::string& uid) {
  const bool pad = uid.size() % 2 != 0;
  putHeader(out, element, static_cast<std::uint32_t>(uid.size() + (pad ? 1 : 0)));
  out.insert(out.end(), uid.begin(), uid.end());
  if (pad) out.push_back('\0');
}

}  // namespace

std::vector<std::uint8_t> encodeCStoreRequest(const CStoreRequest& request) {
  // The elements after the group length, in ascending tag order as PS3.5 7.1 requires.
  std::vector<std::uint8_t> body;
  putUidElement(body, kAffectedSopClassUid, request.sop_class_uid);
  putUint16Element(body, kCommandField, kCommandFieldCStoreRequest);
  putUint16Element(body, kMessageId, request.message_id);
  putUint16Element(body, kPriority, request.priority);
  putUint16Element(body, kCommandDataSetType, kCommandDataSetPresent);
  putUidElement(body, kAffectedSopInstanceUid, request.sop_instance_uid);

  std::vector<std::uint8_t> command;
  command.reserve(12 + body.size());
  putHeader(command, kGroupLength, 4);
  appendLe32(command, static_cast<std::uint32_t>(body.size()));
  command.insert(command.end(), body.begin(), body.end());
  return command;
}

}  // namespace sundial::adapters::dicom
