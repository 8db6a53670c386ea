// The task endpoints' request parsing, apart from the handlers and their store.
#include "engine/app/task_request.h"

#include <gtest/gtest.h>

namespace sundial::app {
namespace {

TEST(TaskFilterFrom, ReadsEveryParameter) {
  auto filter = taskFilterFrom({{"reader", "bob"},
                                {"site", "DEMO,,OTHER"},
                                {"priority", "STAT"},
                                {"state", "claimed"},
                                {"due_before", "1800000000000"},
                                {"limit", "5"}});
  ASSERT_TRUE(filter) << filter.error().message;
  EXPECT_EQ(filter->reader, "bob");
  EXPECT_EQ(filter->sites, (std::vector<std::string>{"DEMO", "OTHER"}));
  EXPECT_EQ(filter->states.size(), 1u);
  EXPECT_EQ(filter->limit, 5u);
  EXPECT_EQ(toEpochMs(*filter->due_before), 1800000000000);
}

TEST(TaskFilterFrom, RefusesUnknownKeysAndBadValues) {
  EXPECT_FALSE(taskFilterFrom({{"readr", "bob"}}));
  EXPECT_FALSE(taskFilterFrom({{"limit", "0"}}));
  EXPECT_FALSE(taskFilterFrom({{"limit", "1001"}}));
  EXPECT_FALSE(taskFilterFrom({{"due_after", "-1"}}));
  EXPECT_FALSE(taskFilterFrom({{"priority", "SOON"}}));
  EXPECT_EQ(taskFilterFrom({}).value().limit, kDefaultTaskLimit);
}

TEST(NewTaskFrom, ReadsABody) {
  auto task = newTaskFrom(R"({"study_uids":["1.2.3"],"site":"DEMO","priority":"URGENT",
      "due_ms":1800000000000,"rvu":2.5,"order":{"accession_number":"A1"},
      "patient":{"name":"X^Y"},"tags":["night"]})");
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(task->study_uids, std::vector<std::string>{"1.2.3"});
  EXPECT_EQ(task->site, "DEMO");
  EXPECT_EQ(task->order.accession_number, "A1");
  EXPECT_EQ(task->patient.name, "X^Y");
  EXPECT_EQ(toEpochMs(*task->due), 1800000000000);
  EXPECT_DOUBLE_EQ(*task->rvu, 2.5);
}

TEST(NewTaskFrom, NamesTheFirstBadField) {
  EXPECT_EQ(newTaskFrom("[1]").error().message, "the body must be a JSON object");
  EXPECT_EQ(newTaskFrom("{").error().message, "the body is not valid JSON");
  EXPECT_EQ(newTaskFrom(R"({"sight":"DEMO"})").error().message, "unknown field 'sight'");
  EXPECT_EQ(newTaskFrom(R"({"priority":"STAT","site":7})").error().message,
            "site must be a string");
  EXPECT_EQ(newTaskFrom(R"({"priority":"STAT","order":[]})").error().message,
            "order must be an object");
  EXPECT_EQ(newTaskFrom(R"({"site":"DEMO"})").error().message,
            "priority is required (STAT, URGENT or ROUTINE)");
  EXPECT_EQ(newTaskFrom(R"({"priority":"STAT","rvu":"1"})").error().message,
            "rvu must be a number");
  EXPECT_EQ(newTaskFrom(R"({"priority":"STAT","due_ms":-5})").error().code,
            ErrorCode::InvalidInput);
}

TEST(TaskCommandFrom, SplitsThePathAndReadsTheBody) {
  auto command = taskCommandFrom("t-1/claim", R"({"reader":"bob","reason":"mine"})");
  ASSERT_TRUE(command);
  EXPECT_EQ(command->task_id, "t-1");
  EXPECT_EQ(command->action, "claim");
  EXPECT_EQ(command->reader, "bob");
  EXPECT_EQ(command->reason, "mine");
  EXPECT_FALSE(command->action_problem);
  EXPECT_EQ(taskCommandFrom("t-1", "").error().code, ErrorCode::NotFound);
  EXPECT_EQ(taskCommandFrom("t-1/claim/x", "").error().code, ErrorCode::NotFound);
  EXPECT_EQ(taskCommandFrom("t-1/claim", R"({"reader":1})").error().code, ErrorCode::InvalidInput);
}

TEST(TaskCommandFrom, KeepsAReportsProblemForTheHandlerToSayLater) {
  auto good = taskCommandFrom("t-1/report", R"({"status":"corrected","text":"ok"})");
  ASSERT_TRUE(good);
  EXPECT_FALSE(good->action_problem);
  EXPECT_EQ(good->report.status, ReportStatus::Corrected);
  EXPECT_EQ(good->report.text, "ok");
  auto empty = taskCommandFrom("t-1/report", R"({"status":"final"})");
  ASSERT_TRUE(empty);
  ASSERT_TRUE(empty->action_problem);
  EXPECT_EQ(empty->action_problem->message, "text: the report text is required");
  auto pool = taskCommandFrom("t-1/unassign", R"({"pool":3})");
  ASSERT_TRUE(pool);
  ASSERT_TRUE(pool->action_problem);
  // Other actions do not read the report's fields.
  EXPECT_FALSE(taskCommandFrom("t-1/claim", R"({"status":"nonsense"})")->action_problem);
}

}  // namespace
}  // namespace sundial::app
