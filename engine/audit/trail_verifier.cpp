#include "engine/audit/trail_verifier.h"

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "engine/audit/anchor.h"
#include "engine/audit/digest.h"
#include "engine/audit/stored_record.h"
#include "engine/audit/trail_files.h"

namespace sundial::engine::audit {
namespace {

struct Lines {
  std::vector<std::string> complete;
  std::string torn;  // after the last newline
};

Lines readLines(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  Lines lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    auto end = text.find('\n', begin);
    if (end == std::string::npos) {
      lines.torn = text.substr(begin);
      break;
    }
    lines.complete.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

struct Location {
  std::string file;
  int line = 0;
};

class Walk {
 public:
  Walk(std::string_view key, VerifyReport& report) : key_(key), report_(report) {}

  // Reads the anchors; keeps the first problem for after the records are walked.
  void readAnchors(const std::filesystem::path& folder) {
    auto path = folder / kAnchorFileName;
    if (!std::filesystem::exists(path)) return;
    Lines lines = readLines(path);
    for (std::size_t i = 0; i < lines.complete.size(); ++i) {
      int line = static_cast<int>(i) + 1;
      auto anchor = parseAnchorLine(lines.complete[i]);
      if (!anchor) {
        noteAnchorProblem(line, 0, "not an anchor: " + anchor.error().message);
        continue;
      }
      if (!anchorMacValid(*anchor, key_)) {
        noteAnchorProblem(line, anchor->seq, "its MAC does not match (forged, edited, or another key)");
        continue;
      }
      auto [it, inserted] = anchored_.emplace(anchor->seq, AnchorAt{anchor->hash, line});
      if (!inserted && it->second.hash != anchor->hash) {
        noteAnchorProblem(line, anchor->seq, "two anchors give seq " + std::to_string(anchor->seq) +
                                                 " different hashes");
      }
      ++report_.anchors;
      if (anchor->seq > report_.anchored_seq) {
        report_.anchored_seq = anchor->seq;
        last_anchor_line_ = line;
      }
    }
    if (!lines.torn.empty()) noteAnchorProblem(static_cast<int>(lines.complete.size()) + 1, 0,
                                               "an incomplete anchor line");
  }

  // False once a problem is found.
  bool walkFile(const std::filesystem::path& path, bool last_file) {
    const std::string name = path.filename().string();
    Lines lines = readLines(path);
    ++report_.files;
    if (!lines.torn.empty()) {
      if (!last_file) {
        fail(TrailProblemKind::Changed, {name, static_cast<int>(lines.complete.size()) + 1}, 0,
             "an incomplete line in the middle of the trail");
        return false;
      }
      report_.torn_tail_bytes = lines.torn.size();
    }
    for (std::size_t i = 0; i < lines.complete.size(); ++i) {
      if (!checkLine(lines, i, name)) return false;
    }
    return true;
  }

  void finish() {
    if (report_.problem) return;
    if (anchor_problem_) {
      report_.problem = anchor_problem_;
      return;
    }
    if (report_.records > 0 && report_.anchors == 0) {
      fail(TrailProblemKind::BadAnchor, {kAnchorFileName, 0}, 0,
           "the trail has records but no anchor (anchors.jsonl missing or emptied)");
      return;
    }
    if (report_.anchored_seq > report_.last_seq) {
      fail(TrailProblemKind::Truncated, last_, report_.last_seq,
           "the trail ends at seq " + std::to_string(report_.last_seq) + " but seq " +
               std::to_string(report_.anchored_seq) + " was anchored (" + kAnchorFileName + ":" +
               std::to_string(last_anchor_line_) + "): records " +
               std::to_string(report_.last_seq + 1) + ".." +
               std::to_string(report_.anchored_seq) + " are missing");
      return;
    }
    report_.unanchored_records = report_.last_seq - report_.anchored_seq;
  }

 private:
  struct AnchorAt {
    std::string hash;
    int line = 0;
  };

  bool checkLine(const Lines& lines, std::size_t i, const std::string& name) {
    Location here{name, static_cast<int>(i) + 1};
    const std::string& text = lines.complete[i];
    auto parsed = parseRecordLine(text);
    if (!parsed) return fail(TrailProblemKind::Changed, here, 0, "not a record: " + parsed.error().message);
    const StoredRecord& record = *parsed;
    if (canonicalLine(record) != text) {
      return fail(TrailProblemKind::Changed, here, record.seq, "not in canonical form (edited)");
    }
    if (sha256Hex(canonicalBody(record)) != record.hash) {
      return fail(TrailProblemKind::Changed, here, record.seq, "its content does not match its hash");
    }
    const std::uint64_t expected = report_.last_seq + 1;
    if (record.seq > expected) {
      for (std::size_t k = i + 1; k < lines.complete.size(); ++k) {
        auto later = parseRecordLine(lines.complete[k]);
        if (later && later->seq == expected) {
          return fail(TrailProblemKind::Reordered, here, record.seq,
                      "seq " + std::to_string(record.seq) + " stands where seq " +
                          std::to_string(expected) + " belongs (it is at line " +
                          std::to_string(k + 1) + ")");
        }
      }
      return fail(TrailProblemKind::Missing, here, record.seq,
                  expected == record.seq - 1
                      ? "seq " + std::to_string(expected) + " before it is missing"
                      : "seqs " + std::to_string(expected) + ".." + std::to_string(record.seq - 1) +
                            " before it are missing");
    }
    if (record.seq < expected) {
      return fail(TrailProblemKind::Reordered, here, record.seq,
                  "seq " + std::to_string(record.seq) + " comes after seq " +
                      std::to_string(report_.last_seq));
    }
    const std::string& expected_prev = report_.last_seq == 0 ? kGenesisHash : last_hash_;
    if (record.prev != expected_prev) {
      if (report_.last_seq == 0) {
        return fail(TrailProblemKind::Changed, here, record.seq,
                    "the first record does not start the chain");
      }
      // The previous record hashes correctly on its own, so it was rewritten with a new hash.
      return fail(TrailProblemKind::Changed, last_, report_.last_seq,
                  "rewritten: its hash is not the one the next record (seq " +
                      std::to_string(record.seq) + ") chains to");
    }
    auto anchored = anchored_.find(record.seq);
    if (anchored != anchored_.end() && anchored->second.hash != record.hash) {
      return fail(TrailProblemKind::BadAnchor, here, record.seq,
                  "its hash differs from the one anchored at " + std::string(kAnchorFileName) + ":" +
                      std::to_string(anchored->second.line) +
                      ": this record or one before it was rewritten and the chain recomputed");
    }
    ++report_.records;
    report_.last_seq = record.seq;
    last_hash_ = record.hash;
    last_ = here;
    return true;
  }

  void noteAnchorProblem(int line, std::uint64_t seq, std::string message) {
    if (anchor_problem_) return;
    anchor_problem_ = TrailProblem{TrailProblemKind::BadAnchor, kAnchorFileName, line, seq,
                                   std::move(message)};
  }

  bool fail(TrailProblemKind kind, const Location& where, std::uint64_t seq, std::string message) {
    report_.problem = TrailProblem{kind, where.file, where.line, seq, std::move(message)};
    return false;
  }

  std::string_view key_;
  VerifyReport& report_;
  std::map<std::uint64_t, AnchorAt> anchored_;
  std::optional<TrailProblem> anchor_problem_;
  int last_anchor_line_ = 0;
  std::string last_hash_;
  Location last_;
};

}  // namespace

std::string_view trailProblemKindName(TrailProblemKind kind) {
  switch (kind) {
    case TrailProblemKind::Changed: return "changed";
    case TrailProblemKind::Missing: return "missing";
    case TrailProblemKind::Reordered: return "reordered";
    case TrailProblemKind::BadAnchor: return "bad anchor";
    case TrailProblemKind::Truncated: return "truncated";
  }
  return "unknown";
}

std::string TrailProblem::describe() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (seq > 0) out += " seq " + std::to_string(seq);
  out += ": ";
  out += trailProblemKindName(kind);
  out += ": " + message;
  return out;
}

VerifyReport verifyTrail(const std::filesystem::path& folder, std::string_view key) {
  VerifyReport report;
  Walk walk(key, report);
  walk.readAnchors(folder);
  auto files = listTrailFiles(folder);
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!walk.walkFile(files[i], i + 1 == files.size())) return report;
  }
  walk.finish();
  return report;
}

}  // namespace sundial::engine::audit
