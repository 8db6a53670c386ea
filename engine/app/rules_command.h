#pragma once
// `sundial rules test DIR [--config FILE]` and
// `sundial rules replay --config FILE --since T [--until T] [--rules DIR] [--redis ADDRESS]`.

#include <string>

namespace sundial::app {

struct RulesTestArgs {
  std::string folder;
  std::string config_file;  // empty: DIR/../config.yaml when it exists
};

struct RulesReplayArgs {
  std::string config_file;
  std::string since;         // "2026-11-29T00:00:00Z", an offset time, or epoch milliseconds
  std::string until;         // empty: up to the newest record
  std::string rules_folder;  // empty: the configured rules.folder
  std::string redis_address; // empty: the configured one (or the embedded server's socket)
};

// Exit codes: 0 every case passed / replay ran; 1 a case failed or the rules do not load;
// 2 configuration problems; 64 usage.
int runRulesTest(const RulesTestArgs& args);
int runRulesReplay(const RulesReplayArgs& args);

}  // namespace sundial::app
