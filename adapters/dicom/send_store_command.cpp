#include "adapters/dicom/send_store_command.h"

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

void putUint16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value & 0xFF));
  out.push_back(static_cast<std::uint8_t>(value >> 8));
}

void putUint32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    out.push_back(static_cast<std::uint8_t>((value >> shift) & 0xFF));
  }
}

// Implicit VR: tag, 4-byte length, value.
void putHeader(std::vector<std::uint8_t>& out, std::uint16_t element, std::uint32_t length) {
  putUint16(out, kCommandGroup);
  putUint16(out, element);
  putUint32(out, length);
}

void putUint16Element(std::vector<std::uint8_t>& out, std::uint16_t element, std::uint16_t value) {
  putHeader(out, element, 2);
  putUint16(out, value);
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
  putUint32(command, static_cast<std::uint32_t>(body.size()));
  command.insert(command.end(), body.begin(), body.end());
  return command;
}

}  // namespace sundial::adapters::dicom
