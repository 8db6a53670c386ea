#pragma once
// Order-to-study matching (top-level `matching:`). Loaded by matching_config.cpp.

#include <chrono>

namespace sundial::config {

struct MatchingConfig {
  // Without an accession number match: same site, patient ID and modality, study time within
  // this window of the order's time.
  std::chrono::minutes time_window{720};
  // A complete study still without its order this long goes to the exception list.
  std::chrono::milliseconds unmatched_after{120000};
};

}  // namespace sundial::config
