#pragma once
// The length of the last instance each calling AE title sent of each SOP class: what the
// receiver expects the next one to be, so that the spool hands it a recycled file of about
// that length (engine::Spool::reserveTemporary). Kept across associations: modalities that
// open one association per image (common for CR, DX and MG) send the same kind again, and a
// scanner's next series is usually alike. Bounded: past kMaxEntries pairs the table starts
// afresh. Thread-safe; shared by every association of one receiver.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sundial::adapters::dicom {

class ReceiveLengthHints {
 public:
  static constexpr std::size_t kMaxEntries = 4096;

  // 0 when nothing of that SOP class has come from that AE title yet.
  std::uint64_t expected(std::string_view calling_ae, std::string_view sop_class) const;
  void remember(std::string_view calling_ae, std::string_view sop_class, std::uint64_t bytes);

 private:
  static std::string keyOf(std::string_view calling_ae, std::string_view sop_class);

  mutable std::mutex mutex_;  // guards lengths_
  std::unordered_map<std::string, std::uint64_t> lengths_;
};

}  // namespace sundial::adapters::dicom
