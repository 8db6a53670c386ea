#pragma once
// Relative value units of a read (reader load is counted in RVUs as well as in tasks): by
// procedure code first, else by modality, else a default. Immutable after construction.

#include <map>
#include <string>

namespace sundial::worklist {

class RvuTable {
 public:
  RvuTable() = default;
  RvuTable(double default_rvu, std::map<std::string, double> by_modality,
           std::map<std::string, double> by_procedure)
      : default_(default_rvu),
        by_modality_(std::move(by_modality)),
        by_procedure_(std::move(by_procedure)) {}

  double rvuFor(const std::string& modality, const std::string& procedure_code) const {
    if (auto it = by_procedure_.find(procedure_code); it != by_procedure_.end()) return it->second;
    if (auto it = by_modality_.find(modality); it != by_modality_.end()) return it->second;
    return default_;
  }

 private:
  double default_ = 1.0;
  std::map<std::string, double> by_modality_;
  std::map<std::string, double> by_procedure_;
};

}  // namespace sundial::worklist
