// The list's JSON writer must say exactly what taskToJson says (the page, the API tests and
// live updates read that shape), whatever the task holds.

#include "engine/app/task_json_writer.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

namespace sundial::app {
namespace {

using worklist::Priority;
using worklist::Task;
using worklist::TaskState;

constexpr long long kBaseMs = 1'700'000'000'000;

Task fullTask() {
  Task t;
  t.id = "T17";
  t.study_uids = {"1.2.840.99.1", "1.2.840.99.2"};
  t.site = "north";
  t.modality = "CT";
  t.priority = Priority::Stat;
  t.due = fromEpochMs(kBaseMs + 1'800'000);
  t.warn_at = fromEpochMs(kBaseMs + 1'350'000);
  t.state = TaskState::Claimed;
  t.assigned_reader = "alice";
  t.pool = "night";
  t.claimed_by = "alice";
  t.lease_expires = fromEpochMs(kBaseMs + 600'000);
  t.order = {"ACC 1/2", "P9", "CTHEAD", "CT head \"stroke\" \\ protocol", "fall\nline two\t\x01",
             "Dr. Ünal"};
  t.patient = {"MRN1", "DOE^JANE", "67Y", "F"};
  t.times.ordered = fromEpochMs(kBaseMs - 5000);
  t.times.created = fromEpochMs(kBaseMs);
  t.times.claimed = fromEpochMs(kBaseMs + 1000);
  t.tags = {"neuro", "stroke"};
  t.decision_id = "D5";
  t.rvu = 1.5;
  t.sla_warned = true;
  t.version = 4;
  return t;
}

void expectSameAsTaskToJson(const Task& task, const TaskJsonOptions& options) {
  std::string written;
  appendTaskJson(written, task, options);
  EXPECT_EQ(written, taskToJson(task, options).dump());
}

TEST(TaskJsonWriter, WritesWhatTaskToJsonDumps) {
  const Task t = fullTask();
  expectSameAsTaskToJson(t, {true, "https://viewer/{site}/{study_uid}?a={accession}", fromEpochMs(kBaseMs)});
  expectSameAsTaskToJson(t, {false, "", fromEpochMs(kBaseMs)});
  expectSameAsTaskToJson(t, {true, "", UtcTime{}});
}

TEST(TaskJsonWriter, WritesUnsetFieldsAsTaskToJsonDoes) {
  Task t;
  t.id = "T1";
  expectSameAsTaskToJson(t, {true, "", UtcTime{}});
  t.rvu = 2;  // integral: 2.0
  t.sla_breached = true;
  expectSameAsTaskToJson(t, {true, "", fromEpochMs(kBaseMs)});
  t.rvu = 0.1;
  expectSameAsTaskToJson(t, {true, "", fromEpochMs(kBaseMs)});
  t.rvu = 1e22;
  expectSameAsTaskToJson(t, {true, "", fromEpochMs(kBaseMs)});
}

TEST(TaskJsonWriter, KeepsUtf8AndReplacesBytesThatAreNot) {
  std::string out;
  appendJsonString(out, "Zoë 東京 \xF0\x9F\x98\x80");
  EXPECT_EQ(out, nlohmann::json("Zoë 東京 \xF0\x9F\x98\x80").dump());
  // As jsonResponse (api_json.h) dumps them: each bad byte becomes U+FFFD.
  for (const char* bad : {"a\xFF" "b\xC3", "\xE6\x9D", "x\xC3\x28y", "\xED\xA0\x80", "\xC0\xAF",
                          "\xE0\x80\xAF", "\xF0\x9F\x98", "\xF4\x90\x80\x80", "\xF0\x9F\x98z\x80"}) {
    out.clear();
    appendJsonString(out, bad);
    EXPECT_EQ(out, nlohmann::json(bad).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        << testing::PrintToString(std::string(bad));
    EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded());
  }
}

}  // namespace
}  // namespace sundial::app
