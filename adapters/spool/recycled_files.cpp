#include "adapters/spool/recycled_files.h"

#include <cassert>
#include <iterator>
#include <utility>

namespace sundial::adapters::spool {

RecycledFiles::RecycledFiles(Limits limits) : limits_(limits) {}

bool RecycledFiles::reserve(std::uintmax_t bytes) {
  std::lock_guard lock(mutex_);
  if (bytes > limits_.max_file_bytes || count_ >= limits_.max_files ||
      total_bytes_ + bytes > limits_.max_total_bytes) {
    return false;
  }
  ++count_;
  total_bytes_ += bytes;
  return true;
}

std::optional<std::vector<RecycledFiles::File>> RecycledFiles::reserveEvictingOldest(
    std::uintmax_t bytes) {
  std::lock_guard lock(mutex_);
  if (bytes > limits_.max_file_bytes) return std::nullopt;
  // Reservations in progress keep their room: only files already added can go.
  const std::size_t pending_files = count_ - files_.size();
  const std::uintmax_t pending_bytes = total_bytes_ - files_bytes_;
  if (pending_files + 1 > limits_.max_files ||
      pending_bytes + bytes > limits_.max_total_bytes) {
    return std::nullopt;
  }
  std::size_t going = 0;
  while (count_ + 1 > limits_.max_files || total_bytes_ + bytes > limits_.max_total_bytes) {
    --count_;
    total_bytes_ -= files_[going].bytes;
    files_bytes_ -= files_[going].bytes;
    ++going;
  }
  std::vector<File> evicted(std::make_move_iterator(files_.begin()),
                            std::make_move_iterator(files_.begin() + going));
  files_.erase(files_.begin(), files_.begin() + going);
  ++count_;
  total_bytes_ += bytes;
  return evicted;
}

void RecycledFiles::add(File file) {
  std::lock_guard lock(mutex_);
  // reserve() counted it already; more files than reservations would break the limits.
  assert(files_.size() < count_);
  files_bytes_ += file.bytes;
  files_.push_back(std::move(file));
}

void RecycledFiles::release(std::uintmax_t bytes) {
  std::lock_guard lock(mutex_);
  assert(count_ > files_.size() && total_bytes_ >= bytes);
  --count_;
  total_bytes_ -= bytes;
}

std::optional<RecycledFiles::File> RecycledFiles::take(std::uintmax_t expected_bytes) {
  std::lock_guard lock(mutex_);
  if (files_.empty()) return std::nullopt;
  const auto distance = [expected_bytes](std::uintmax_t bytes) {
    return bytes > expected_bytes ? bytes - expected_bytes : expected_bytes - bytes;
  };
  std::size_t best = files_.size() - 1;  // the most recent
  const std::size_t oldest = expected_bytes == 0        ? best
                             : files_.size() > kFitScan ? files_.size() - kFitScan
                                                        : 0;
  for (std::size_t i = best; i-- > oldest && distance(files_[best].bytes) > 0;) {
    if (distance(files_[i].bytes) < distance(files_[best].bytes)) best = i;
  }
  File file = std::move(files_[best]);
  files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(best));
  files_bytes_ -= file.bytes;
  --count_;
  total_bytes_ -= file.bytes;
  return file;
}

std::vector<RecycledFiles::File> RecycledFiles::takeAll() {
  std::lock_guard lock(mutex_);
  std::vector<File> all = std::move(files_);
  files_.clear();
  files_bytes_ = 0;
  for (const File& file : all) {
    --count_;
    total_bytes_ -= file.bytes;
  }
  return all;
}

std::size_t RecycledFiles::files() const {
  std::lock_guard lock(mutex_);
  return count_;
}

std::uintmax_t RecycledFiles::bytes() const {
  std::lock_guard lock(mutex_);
  return total_bytes_;
}

}  // namespace sundial::adapters::spool
