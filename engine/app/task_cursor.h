#pragma once
// The `after` cursor of GET /api/v1/tasks: where a page of open tasks ended, in the
// most-urgent-first order ("<priority>:<due ms>:<task id>"; clients pass it back as it came).
// Pure functions; any thread.

#include <optional>
#include <string>

#include "worklist/task.h"
#include "worklist/task_store.h"

namespace sundial::app {

std::string taskCursor(const worklist::TaskPosition& position);
std::string taskCursorAfter(const worklist::Task& last);
worklist::TaskPosition positionOf(const worklist::Task& task);
// nullopt for text that is not such a cursor.
std::optional<worklist::TaskPosition> parseTaskCursor(const std::string& text);

}  // namespace sundial::app
