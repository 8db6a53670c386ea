// The `after` cursor of GET /api/v1/tasks reads back as the place it was made from.

#include "engine/app/task_cursor.h"

#include <gtest/gtest.h>

namespace sundial::app {
namespace {

TEST(TaskCursor, ReadsBackThePositionOfTheLastTask) {
  worklist::Task last;
  last.id = "T1.2-x_9";
  last.priority = worklist::Priority::Urgent;
  last.due = fromEpochMs(1'700'000'123'456);
  auto position = parseTaskCursor(taskCursorAfter(last));
  ASSERT_TRUE(position.has_value());
  EXPECT_EQ(position->priority, worklist::Priority::Urgent);
  EXPECT_EQ(position->due, last.due);
  EXPECT_EQ(position->id, last.id);
}

TEST(TaskCursor, RefusesTextThatIsNotOne) {
  for (const char* text : {"", "STAT", "STAT:12", "SOON:12:T1", "STAT:x:T1", "STAT:-5:T1",
                           "STAT:12:", "STAT:12:T:1", "STAT:12:T 1"}) {
    EXPECT_FALSE(parseTaskCursor(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace sundial::app
