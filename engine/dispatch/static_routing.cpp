#include "engine/dispatch/static_routing.h"

namespace sundial::engine {

StaticRouting::StaticRouting(std::shared_ptr<const config::Config> config)
    : config_(std::move(config)) {
  for (const auto& site : config_->sites) {
    RoutePlan plan;
    for (const auto& name : site.destinations) {
      const config::DestinationConfig* dest = config_->findDestination(name);
      if (!dest) continue;  // the loader already refused unknown names
      plan.destinations.push_back(name);
      if (dest->mode == config::ForwardMode::Streaming) {
        plan.streaming.push_back(name);
      } else {
        plan.on_completion.push_back(name);
      }
    }
    plans_.emplace_back(site.name, std::move(plan));
  }
}

const RoutePlan& StaticRouting::planFor(const std::string& site) const {
  for (const auto& [name, plan] : plans_) {
    if (name == site) return plan;
  }
  return empty_;
}

}  // namespace sundial::engine
