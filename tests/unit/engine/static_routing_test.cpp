#include "engine/dispatch/static_routing.h"

#include <gtest/gtest.h>

#include "engine/config/config_loader.h"

namespace sundial::engine {
namespace {

std::shared_ptr<const config::Config> load(const char* text) {
  auto outcome = config::loadConfigText(text, "t.yaml", "/tmp");
  EXPECT_TRUE(outcome.problems.empty());
  return outcome.config;
}

const char* kConfig = R"(
node: {data_dir: d}
destinations:
  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 11113}
  - {name: READER1, ae_title: READER1, host: 127.0.0.1, port: 11114, mode: streaming}
sites:
  - name: DEMO
    callers: [{ae_title: MODALITY, addresses: [127.0.0.1]}]
    destinations: [ARCHIVE, READER1]
  - name: QUIET
    callers: [{ae_title: OTHER, addresses: [127.0.0.1]}]
)";

TEST(StaticRouting, SplitsStreamingFromOnCompletionDestinations) {
  StaticRouting routing(load(kConfig));
  const RoutePlan& plan = routing.planFor("DEMO");
  EXPECT_EQ(plan.destinations, (std::vector<std::string>{"ARCHIVE", "READER1"}));
  EXPECT_EQ(plan.streaming, (std::vector<std::string>{"READER1"}));
  EXPECT_EQ(plan.on_completion, (std::vector<std::string>{"ARCHIVE"}));
}

TEST(StaticRouting, UnknownOrUnroutedSiteGoesNowhere) {
  StaticRouting routing(load(kConfig));
  EXPECT_TRUE(routing.planFor("QUIET").destinations.empty());
  EXPECT_TRUE(routing.planFor("NOPE").destinations.empty());
}

}  // namespace
}  // namespace sundial::engine
