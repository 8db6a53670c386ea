#include "adapters/redis/hl7_key_schema.h"

#include "adapters/redis/key_schema.h"

namespace sundial::adapters::redis {

std::string percentEncodeKeyPart(std::string_view part) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(part.size());
  for (char c : part) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (plain) {
      out += c;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0F];
  }
  return out;
}

Hl7KeySchema::Hl7KeySchema(std::string_view prefix)
    : base_(std::string(prefix) + ":" + std::string(KeySchema::kVersion) + ":hl7:") {}

std::string Hl7KeySchema::inbox() const { return base_ + "inbox"; }

std::string Hl7KeySchema::seen(std::string_view site, std::string_view sender,
                               std::string_view control_id) const {
  return base_ + "seen:" + percentEncodeKeyPart(site) + ":" + percentEncodeKeyPart(sender) + ":" +
         percentEncodeKeyPart(control_id);
}

std::string Hl7KeySchema::rejected() const { return base_ + "rejected"; }

}  // namespace sundial::adapters::redis
