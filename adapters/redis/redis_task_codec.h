#pragma once
// How a read task and its events are written in Redis: the task as flat hash fields (also
// the fields of its change-stream entries), an event as a small JSON object (history list).
// Pure functions; internal to adapters/redis.

#include <string>
#include <utility>
#include <vector>

#include "engine/domain/result.h"
#include "worklist/task.h"
#include "worklist/task_store.h"

namespace sundial::adapters::redis {

using FieldList = std::vector<std::pair<std::string, std::string>>;

// Every field of the task (empty values included, so that HSET replaces old ones).
FieldList encodeTask(const worklist::Task& task);
// From HGETALL's field/value list. InvalidInput when a field cannot be read back.
Result<worklist::Task> decodeTask(const std::vector<std::string>& field_values);

// Every field of encodeTask in one string (length-prefixed names and values), kept in the
// task's hash as kPackedField: a list reads it with one HGET per task instead of 39 fields,
// which is most of what a page of 200 tasks cost Redis. Names travel with the values, so a
// newer version reading an older packing finds each field or leaves it empty.
inline constexpr std::string_view kPackedField = "packed";
std::string packTask(const FieldList& fields);
// InvalidInput when the text is not such a packing or a field cannot be read back.
Result<worklist::Task> unpackTask(std::string_view packed);

std::string encodeEvent(const worklist::TaskEvent& event);
Result<worklist::TaskEvent> decodeEvent(const std::string& json);

std::string encodeBreach(const worklist::SlaBreachRecord& breach);
Result<worklist::SlaBreachRecord> decodeBreach(const std::string& json);

}  // namespace sundial::adapters::redis
