#pragma once
// StaticRouting: every study from a site goes to the destinations its configuration names.
// Pure; reads an immutable configuration snapshot. (Lua rules replace the choice later; the
// split between streaming and on-completion destinations stays.)

#include <memory>
#include <string>
#include <vector>

#include "engine/config/config.h"

namespace sundial::engine {

struct RoutePlan {
  std::vector<std::string> destinations;   // every destination of the instance
  std::vector<std::string> streaming;      // forwarded as soon as the instance is spooled
  std::vector<std::string> on_completion;  // forwarded when the study is complete
};

class StaticRouting {
 public:
  explicit StaticRouting(std::shared_ptr<const config::Config> config);
  // The plan for one site; empty when the site is unknown (nothing is forwarded).
  const RoutePlan& planFor(const std::string& site) const;

 private:
  std::shared_ptr<const config::Config> config_;
  std::vector<std::pair<std::string, RoutePlan>> plans_;
  RoutePlan empty_;
};

}  // namespace sundial::engine
