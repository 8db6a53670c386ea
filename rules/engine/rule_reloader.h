#pragma once
// RuleReloader: hot reload of the rule folder. Polls the folder's fingerprint (names, sizes,
// modification times); on a change it reads and compiles the files and runs the folder's own
// test cases against the running roster, and only then installs the new set in the engine.
// A broken change (compile error, a file that raises, a failing or unreadable case) is refused:
// logged with file, line and reason, raised as a "reload_refused" alert, and the running set
// stays. A refused change is reported once, not at every poll.
//
// Thread: start() runs the polling on a thread of its own; checkNow() may be called from any
// one thread at a time (tests call it directly instead of waiting for the poll).

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "engine/domain/result.h"
#include "rules/engine/rule_engine.h"

namespace sundial::rules {

class RuleReloader {
 public:
  RuleReloader(RuleEngine& engine, std::filesystem::path folder,
               std::chrono::milliseconds interval);
  ~RuleReloader();
  RuleReloader(const RuleReloader&) = delete;
  RuleReloader& operator=(const RuleReloader&) = delete;

  void start();
  void stop();

  // Looks at the folder now. true: a new set was installed; false: nothing changed (or the
  // change was refused before and the folder is as it was); an Error: this change is refused.
  [[nodiscard]] Result<bool> checkNow();

 private:
  void run();

  RuleEngine& engine_;
  const std::filesystem::path folder_;
  const std::chrono::milliseconds interval_;
  std::string seen_fingerprint_;  // the folder as last looked at (installed or refused)
  std::mutex mutex_;              // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sundial::rules
