#pragma once
// Checks an audit trail folder: every record's hash, the chain of `prev` hashes, the
// sequence numbers, the canonical form, and the anchors (MAC, anchored hashes, and that the
// trail reaches the last anchored record). Stops at the first problem and names it. Reads
// files only; safe to run while the writer appends (it sees a prefix of the trail).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sundial::engine::audit {

enum class TrailProblemKind {
  Changed,    // a record's content, form or hash was edited (or it is not a record)
  Missing,    // records were removed (a gap in the sequence, or the head of the trail)
  Reordered,  // records are out of sequence order
  BadAnchor,  // an anchor is forged, malformed, or disagrees with the record it anchors
  Truncated,  // the trail ends before the last anchored record
};

std::string_view trailProblemKindName(TrailProblemKind kind);  // "changed", "missing", ...

struct TrailProblem {
  TrailProblemKind kind = TrailProblemKind::Changed;
  std::string file;  // file name inside the folder (a trail file or anchors.jsonl)
  int line = 0;      // 1-based; 0 when the problem is not at a line
  std::uint64_t seq = 0;
  std::string message;

  // "trail-20261130-0001.jsonl:12 seq 12: changed: ..."
  std::string describe() const;
};

struct VerifyReport {
  std::optional<TrailProblem> problem;  // the first one found; none: intact
  std::uint64_t records = 0;
  std::size_t files = 0;
  std::uint64_t last_seq = 0;
  std::uint64_t anchored_seq = 0;       // the highest anchored sequence number
  std::size_t anchors = 0;
  // Records after the last anchor: expected after kill -9 (written, not yet anchored); the
  // trail cannot prove these were not followed by others.
  std::uint64_t unanchored_records = 0;
  std::uint64_t torn_tail_bytes = 0;    // a last line without newline (a crash mid-write)

  bool intact() const { return !problem.has_value(); }
};

// `key` is the anchor key (raw bytes).
VerifyReport verifyTrail(const std::filesystem::path& folder, std::string_view key);

}  // namespace sundial::engine::audit
