#pragma once
// Spool: the instances on local disk, the source of truth for pixels. An instance is
// written under a temporary name, flushed and renamed; only then is it acknowledged.
// Implemented in adapters/spool. Safe to call from any thread.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/domain/result.h"

namespace sundial::engine {

class Spool {
 public:
  virtual ~Spool() = default;

  // What the writer of a temporary file has done with it before commit().
  enum class FileState {
    Written,  // written and closed: commit() flushes it to disk before the rename
    Synced,   // written, fsynced (data and size) on the writer's own descriptor, then closed:
              // commit() goes straight to the rename
  };

  // A temporary file inside the spool for an incoming instance. It exists and may hold an
  // earlier, removed instance's bytes (a recycled file): the writer overwrites it from the
  // start and cuts it to its own length. Fails with ResourceExhausted when the disk is below
  // its free-space floor or not writable. `expected_bytes`: the length the writer expects
  // (0: unknown; a receiver gives the length of the last instance of the same SOP class from
  // the same AE title), so that a recycled file of about that length can be chosen.
  virtual Result<std::filesystem::path> reserveTemporary(std::uint64_t expected_bytes) = 0;

  // Whether commit() makes each file durable (fsync) before it returns. A writer that still
  // has the file open may then fsync it itself and commit it as FileState::Synced, which
  // saves commit() re-opening it.
  virtual bool syncsFiles() const = 0;

  // Makes the temporary file durable (unless `state` says the writer did: only claim Synced
  // after a successful fsync), renames it to its final name for this study and instance
  // (UIDs already checked) and makes the rename durable. Returns the final path; the
  // instance may be acknowledged only after that.
  virtual Result<std::filesystem::path> commit(const std::filesystem::path& temporary,
                                               const std::string& study_uid,
                                               const std::string& sop_instance_uid,
                                               FileState state) = 0;

  // Gives up a temporary file that will not be committed: it is deleted, or kept under a
  // temporary name for reuse by reserveTemporary(); never committed.
  virtual void discard(const std::filesystem::path& temporary) = 0;

  // Removes a committed file once every destination has it (its name at least: the file
  // may be kept for reuse by reserveTemporary, never under a committed name).
  virtual Result<void> remove(const std::filesystem::path& committed) = 0;

  // Removes a committed file only if that is cheap (its file kept for reuse: a rename);
  // false when it was left for remove(). Lets a caller do the cheap case inline and defer
  // the costly one (freeing the file's blocks).
  virtual bool removeIfCheap(const std::filesystem::path& /*committed*/) { return false; }

  // Every committed file (after a restart, to find instances acknowledged but not recorded).
  virtual std::vector<std::filesystem::path> listCommitted() = 0;
};

}  // namespace sundial::engine
