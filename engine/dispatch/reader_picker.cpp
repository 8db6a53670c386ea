#include "engine/dispatch/reader_picker.h"

#include <tuple>

namespace sundial::engine {

std::optional<std::string> pickLeastLoaded(const std::vector<std::string>& eligible,
                                           const rules::Roster& roster,
                                           const rules::DecisionInput& input) {
  if (eligible.empty()) return std::nullopt;
  const std::size_t start = static_cast<std::size_t>(input.sequence % eligible.size());
  std::optional<std::string> best;
  std::tuple<double, int> best_key{0, 0};
  // Start the scan at the sequence's position: among equals, the first scanned wins, so
  // equal readers take turns.
  for (std::size_t k = 0; k < eligible.size(); ++k) {
    const std::string& id = eligible[(start + k) % eligible.size()];
    const rules::ReaderStatus* status = input.statusOf(id);
    double rvu = status ? status->load_rvu : 0;
    int tasks = status ? status->open_tasks : 0;
    const rules::ReaderProfile* profile = roster.findReader(id);
    if (profile && profile->rvu_capacity > 0) rvu /= profile->rvu_capacity;
    std::tuple<double, int> key{rvu, tasks};
    if (!best || key < best_key) {
      best = id;
      best_key = key;
    }
  }
  return best;
}

}  // namespace sundial::engine
