#include "engine/audit/anchor.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/audit/digest.h"
#include "engine/audit/stored_record.h"

namespace sundial::engine::audit {
namespace {

constexpr std::size_t kKeyBytes = 32;

std::string anchorBody(const Anchor& anchor) {
  std::string out = "{\"seq\":" + std::to_string(anchor.seq) + ",\"hash\":";
  appendJsonString(out, anchor.hash);
  out += ",\"time\":";
  appendJsonString(out, formatUtc(anchor.at));
  out += '}';
  return out;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

std::string sealAnchor(Anchor& anchor, std::string_view key) {
  std::string line = anchorBody(anchor);
  anchor.mac = hmacSha256Hex(key, line);
  line.pop_back();
  line += ",\"mac\":\"" + anchor.mac + "\"}";
  return line;
}

bool anchorMacValid(const Anchor& anchor, std::string_view key) {
  return constantTimeEqual(hmacSha256Hex(key, anchorBody(anchor)), anchor.mac);
}

Result<Anchor> parseAnchorLine(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return makeError(ErrorCode::InvalidInput, "not a JSON object");
  Anchor anchor;
  auto seq = j.find("seq");
  auto hash = j.find("hash");
  auto time = j.find("time");
  auto mac = j.find("mac");
  if (seq == j.end() || !seq->is_number_unsigned()) {
    return makeError(ErrorCode::InvalidInput, "no unsigned \"seq\"");
  }
  if (hash == j.end() || !hash->is_string() || time == j.end() || !time->is_string() ||
      mac == j.end() || !mac->is_string()) {
    return makeError(ErrorCode::InvalidInput, "\"hash\", \"time\" and \"mac\" must be strings");
  }
  anchor.seq = seq->get<std::uint64_t>();
  anchor.hash = hash->get<std::string>();
  auto at = parseUtc(time->get<std::string>());
  if (!at) return at.error();
  anchor.at = at.value();
  anchor.mac = mac->get<std::string>();
  return anchor;
}

Result<std::string> loadAnchorKey(const std::filesystem::path& file, bool create) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (!create) return makeError(ErrorCode::NotFound, "the anchor key file does not exist", file.string());
    std::string key = randomBytes(kKeyBytes);
    if (key.empty()) return makeError(ErrorCode::Internal, "no random bytes for a new anchor key");
    // O_EXCL: never overwrite a key another process just made; 0600: the owner only.
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return makeError(ErrorCode::Unavailable, "cannot create the anchor key file", file.string());
    }
    std::string text = toHex(key) + "\n";
    bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!written || !synced) {
      return makeError(ErrorCode::Unavailable, "cannot write the anchor key file", file.string());
    }
    return key;
  }
  std::ifstream in(file);
  if (!in) return makeError(ErrorCode::Unavailable, "cannot read the anchor key file", file.string());
  std::stringstream text;
  text << in.rdbuf();
  std::string key = fromHex(trimmed(text.str()));
  if (key.size() < 16) {
    return makeError(ErrorCode::InvalidInput,
                     "the anchor key file must hold at least 32 hex digits (16 bytes)", file.string());
  }
  return key;
}

}  // namespace sundial::engine::audit
