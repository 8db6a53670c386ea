#pragma once
// Who may see and do what in the worklist API, from the authenticated Principal. Without a
// principal (no authentication configured, tests) the caller may do everything.
// Pure functions; any thread.

#include <optional>
#include <string>
#include <vector>

#include "adapters/http/http_message.h"
#include "engine/app/claim_policy.h"
#include "worklist/task.h"

namespace sundial::app {

struct TaskCaller {
  bool authenticated = false;
  bool dispatcher = false;          // admin or dispatcher: every task, every command
  bool reads_all = false;           // sees every task (dispatcher, admin, auditor)
  std::string reader_id;            // a reader: acts as this reader only
  std::vector<std::string> sites;   // a site viewer: these sites, read only
  bool sees_identity = true;        // patient name and ID
  std::string name;                 // for the history and the audit trail

  // The reader a reader-command acts for: the caller's own id, or (dispatchers and
  // unauthenticated callers) the one named in the request. Empty: not allowed.
  std::string actingReader(const std::string& requested) const;
};

TaskCaller taskCallerFrom(const std::optional<adapters::http::Principal>& principal);

// A reader sees the tasks in their hands and exactly those waiting in a pool that `claims`
// lets them claim (a pull pool of theirs, a study they may read); nothing of push pools.
bool maySee(const TaskCaller& caller, const worklist::Task& task, const ClaimPolicy& claims);

}  // namespace sundial::app
