#include "worklist/task.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace sundial::worklist {

std::string_view taskStateName(TaskState state) {
  switch (state) {
    case TaskState::Queued: return "queued";
    case TaskState::Assigned: return "assigned";
    case TaskState::Claimed: return "claimed";
    case TaskState::InProgress: return "in_progress";
    case TaskState::Preliminary: return "preliminary";
    case TaskState::Final: return "final";
    case TaskState::Delivered: return "delivered";
    case TaskState::Escalated: return "escalated";
    case TaskState::Cancelled: return "cancelled";
  }
  return "queued";
}

std::optional<TaskState> parseTaskState(std::string_view name) {
  for (TaskState state : kAllTaskStates) {
    if (taskStateName(state) == name) return state;
  }
  return std::nullopt;
}

bool isAwaitingReport(TaskState state) {
  switch (state) {
    case TaskState::Queued:
    case TaskState::Assigned:
    case TaskState::Claimed:
    case TaskState::InProgress:
    case TaskState::Escalated:
      return true;
    default:
      return false;
  }
}

bool isClosed(TaskState state) {
  return state == TaskState::Delivered || state == TaskState::Cancelled;
}

std::optional<Priority> parsePriority(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (Priority p : {Priority::Stat, Priority::Urgent, Priority::Routine}) {
    if (orderPriorityName(p) == upper) return p;
  }
  return std::nullopt;
}

int priorityRank(Priority priority) {
  switch (priority) {
    case Priority::Stat: return 0;
    case Priority::Urgent: return 1;
    case Priority::Routine: return 2;
  }
  return 2;
}

}  // namespace sundial::worklist
