#pragma once
// What the worklist's task endpoints read from a request, checked before any store is
// touched: the list filter from the query, a new task from a JSON body, and a task command
// ("POST /api/v1/tasks/{id}/{action}") from the path and body. Pure: no I/O, any thread;
// the handlers (worklist_api.cpp) add what needs the configuration or the store, and the
// HTTP fuzz target runs these on arbitrary bytes. Every failure is InvalidInput with a
// message for the client.

#include <map>
#include <optional>
#include <string>

#include "engine/domain/result.h"
#include "worklist/report_intake.h"
#include "worklist/task_service.h"
#include "worklist/task_store.h"

namespace sundial::app {

inline constexpr std::size_t kDefaultTaskLimit = 200;
inline constexpr std::size_t kMaxTaskLimit = 1000;

// reader, site (comma list), priority, state (comma list), due_before, due_after (epoch ms),
// limit (1..1000), after (a page cursor, task_cursor.h); any other key is refused.
Result<worklist::TaskFilter> taskFilterFrom(const std::map<std::string, std::string>& query);

// A JSON object (an empty body is an empty object) with the fields docs/api.md lists for
// POST /api/v1/tasks; priority is required. Whether the site exists is the handler's check.
Result<worklist::NewTask> newTaskFrom(const std::string& body);

struct TaskCommandRequest {
  std::string task_id;
  std::string action;  // claim, release, renew, start, report, assign, unassign, cancel, ...
  std::string reader;  // the body's "reader" (may be empty)
  std::string reason;
  std::string pool;                 // unassign
  worklist::IncomingReport report;  // report: status and text (reader is the handler's)
  // What is wrong with the fields only this action reads (report's, unassign's). Kept apart
  // because the handler says it only after the caller proved they may see the task.
  std::optional<Error> action_problem;
};

// path_tail is what follows "/api/v1/tasks/": "{id}/{action}". NotFound when it has another
// shape (the handler answers 404); InvalidInput for a body that is not a JSON object or
// whose reader or reason is not a string.
Result<TaskCommandRequest> taskCommandFrom(const std::string& path_tail, const std::string& body);

}  // namespace sundial::app
