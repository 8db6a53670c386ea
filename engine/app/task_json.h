#pragma once
// The JSON shape of read tasks and their events in the worklist API and its live updates
// (docs/api.md). Patient identity (name, patient ID) is included only when the caller's role
// needs it.

#include <nlohmann/json.hpp>
#include <string>

#include "worklist/task.h"

namespace sundial::app {

struct TaskJsonOptions {
  bool include_identity = true;
  std::string viewer_url_template;  // the site's viewer_url; {study_uid} {accession} {site} {task_id}
  UtcTime now{};                    // for sla.remaining_ms
};

nlohmann::json taskToJson(const worklist::Task& task, const TaskJsonOptions& options);
nlohmann::json eventToJson(const worklist::TaskEvent& event);

// Expands the placeholders of a viewer URL template (values percent-encoded).
std::string expandViewerUrl(const std::string& url_template, const worklist::Task& task);

}  // namespace sundial::app
