#pragma once
// Writes a read task as JSON text straight into a string: the same object as taskToJson()
// (task_json.h) byte for byte, keys in the same order, without building a JSON tree first.
// Lists of 200 tasks spent about as long building and dumping trees as Redis spent finding
// the tasks (issue 5, query p99). Pure functions; any thread.

#include <string>
#include <string_view>

#include "engine/app/task_json.h"
#include "worklist/task.h"

namespace sundial::app {

void appendTaskJson(std::string& out, const worklist::Task& task, const TaskJsonOptions& options);

// A JSON string literal (quotes included), escaped as nlohmann::json::dump() escapes it;
// bytes that are not UTF-8 become U+FFFD rather than an unreadable answer.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace sundial::app
