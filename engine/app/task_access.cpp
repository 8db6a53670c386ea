#include "engine/app/task_access.h"

#include <algorithm>

namespace sundial::app {

TaskCaller taskCallerFrom(const std::optional<adapters::http::Principal>& principal) {
  TaskCaller caller;
  if (!principal) {
    caller.dispatcher = true;
    caller.reads_all = true;
    caller.name = "api";
    return caller;
  }
  caller.authenticated = true;
  caller.name = principal->user;
  caller.dispatcher = principal->hasRole("admin") || principal->hasRole("dispatcher");
  caller.reads_all = caller.dispatcher || principal->hasRole("auditor");
  if (principal->hasRole("reader")) caller.reader_id = principal->reader_id;
  if (principal->hasRole("site_viewer")) caller.sites = principal->sites;
  // Identity for those who read the images or steer the work, not for viewers and auditors.
  caller.sees_identity = caller.dispatcher || !caller.reader_id.empty();
  return caller;
}

std::string TaskCaller::actingReader(const std::string& requested) const {
  if (!reader_id.empty() && (requested.empty() || requested == reader_id)) return reader_id;
  if (dispatcher) return requested;
  return {};
}

bool maySee(const TaskCaller& caller, const worklist::Task& task, const ClaimPolicy& claims) {
  if (caller.reads_all) return true;
  if (!caller.reader_id.empty()) {
    if (task.assigned_reader == caller.reader_id || task.claimed_by == caller.reader_id) return true;
    if (claims.mayClaimFromPool(task, caller.reader_id)) return true;
  }
  return std::find(caller.sites.begin(), caller.sites.end(), task.site) != caller.sites.end();
}

}  // namespace sundial::app
