#include "adapters/dicom/receive_length_hints.h"

namespace sundial::adapters::dicom {

std::string ReceiveLengthHints::keyOf(std::string_view calling_ae, std::string_view sop_class) {
  std::string key;
  key.reserve(calling_ae.size() + 1 + sop_class.size());
  key.append(calling_ae).push_back('\n');  // in neither an AE title nor a UID
  key.append(sop_class);
  return key;
}

std::uint64_t ReceiveLengthHints::expected(std::string_view calling_ae,
                                           std::string_view sop_class) const {
  const std::string key = keyOf(calling_ae, sop_class);
  std::lock_guard lock(mutex_);
  auto found = lengths_.find(key);
  return found == lengths_.end() ? 0 : found->second;
}

void ReceiveLengthHints::remember(std::string_view calling_ae, std::string_view sop_class,
                                  std::uint64_t bytes) {
  std::string key = keyOf(calling_ae, sop_class);
  std::lock_guard lock(mutex_);
  if (lengths_.size() >= kMaxEntries && lengths_.find(key) == lengths_.end()) lengths_.clear();
  lengths_[std::move(key)] = bytes;
}

}  // namespace sundial::adapters::dicom
