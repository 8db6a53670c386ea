#pragma once
// Anchors: the chain head (sequence number and hash) sealed with HMAC-SHA256 under a key the
// trail's writer keeps, one per line in `anchors.jsonl`:
//   {"seq":N,"hash":"<record N's hash>","time":"...","mac":"<hmac hex of the text before ,\"mac\">"}
// A trail that ends before the last anchored record has lost its tail; a record whose hash
// differs from the anchored one was rewritten (even with the whole chain recomputed after
// it). Someone who can read the key can forge anchors: keep it elsewhere (audit.anchor_key_file)
// where that matters, and rely on the export to the audit repository as the off-site copy.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::engine::audit {

struct Anchor {
  std::uint64_t seq = 0;  // 0 with the genesis hash: an empty trail
  std::string hash;
  UtcTime at{};
  std::string mac;
};

// Fills anchor.mac and returns the line (without the newline).
std::string sealAnchor(Anchor& anchor, std::string_view key);

// InvalidInput naming what is wrong when the line is not an anchor; the MAC is not checked.
Result<Anchor> parseAnchorLine(std::string_view line);

// Whether the anchor's MAC is the one `key` gives for its content.
bool anchorMacValid(const Anchor& anchor, std::string_view key);

// The key (raw bytes) from its file (64 hex digits). With `create`, a missing file is made
// with a fresh random key, readable by the owner only. InvalidInput for a malformed file,
// NotFound when missing and not created, Unavailable when it cannot be read or written.
Result<std::string> loadAnchorKey(const std::filesystem::path& file, bool create);

}  // namespace sundial::engine::audit
