#include "adapters/redis/redis_state_store.h"

#include <algorithm>
#include <map>

#include "adapters/redis/redis_scripts.h"
#include "engine/domain/instance.h"
#include "engine/domain/log.h"

namespace sundial::adapters::redis {
namespace {

constexpr std::string_view kProgressPending = "p:";
constexpr std::string_view kProgressSent = "s:";
constexpr std::string_view kProgressFailed = "f:";
constexpr std::string_view kStateComplete = "complete";

Result<void> checkUid(const std::string& uid, std::string_view what, std::string_view context) {
  if (isValidUid(uid)) return okResult();
  return makeError(ErrorCode::InvalidInput, std::string(what) + " is not a valid DICOM UID",
                   std::string(context));
}

Result<void> checkNames(const std::vector<std::string>& names, std::string_view context) {
  for (const auto& name : names) {
    if (!isValidKeyName(name)) {
      return makeError(ErrorCode::InvalidInput,
                       "destination name '" + name + "' cannot be used in a Redis key",
                       std::string(context));
    }
  }
  return okResult();
}

Result<void> checkRecord(const engine::InstanceRecord& record) {
  const auto& instance = record.instance;
  const std::string context =
      "sop_instance_uid=" + std::string(log::identifying(instance.sop_instance_uid));
  if (auto ok = checkUid(instance.sop_instance_uid, "SOP Instance UID", context); !ok) return ok;
  if (auto ok = checkUid(instance.study_uid, "Study Instance UID", context); !ok) return ok;
  if (auto ok = checkNames(record.destinations, context); !ok) return ok;
  return checkNames(record.enqueue_now, context);
}

ScriptCall recordCall(const KeySchema& keys, const std::string& node,
                      const engine::InstanceRecord& record) {
  const auto& instance = record.instance;
  ScriptCall call;
  call.keys = {keys.instance(instance.sop_instance_uid), keys.study(instance.study_uid),
               keys.studyInstances(instance.study_uid), keys.openStudies(), keys.activeStudies()};
  for (const auto& destination : record.enqueue_now) {
    call.keys.push_back(keys.ready(destination, node));
  }
  call.args = {instance.sop_instance_uid,
               instance.study_uid,
               instance.series_uid,
               instance.sop_class_uid,
               instance.transfer_syntax_uid,
               instance.spool_path,
               std::to_string(instance.bytes),
               std::to_string(toEpochMs(instance.received_at)),
               instance.site,
               instance.calling_ae,
               instance.modality,
               std::to_string(record.destinations.size())};
  call.args.insert(call.args.end(), record.destinations.begin(), record.destinations.end());
  call.args.insert(call.args.end(), record.enqueue_now.begin(), record.enqueue_now.end());
  // Study attributes last, in the script's order (kept with the study from its first
  // instance; sent with each so no round trip asks whether the study is new).
  const InstanceStudyAttributes& s = instance.study;
  for (const std::string* field :
       {&s.accession_number, &s.patient_id, &s.patient_name, &s.birth_date, &s.sex,
        &s.study_date, &s.study_time, &s.study_description, &s.body_part_examined,
        &s.referring_physician}) {
    call.args.push_back(*field);
  }
  call.args.push_back(record.hold_for_dispatch ? "1" : "0");
  call.args.push_back(node);
  return call;
}

const std::string& elementString(const Reply& reply, size_t index) {
  static const std::string kEmpty;
  if (reply.type != Reply::Type::Array || index >= reply.elements.size()) return kEmpty;
  return reply.elements[index].str;
}

long long elementInteger(const Reply& reply, size_t index) {
  if (reply.type != Reply::Type::Array || index >= reply.elements.size()) return 0;
  return reply.elements[index].asInteger();
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Builds a summary from a study hash given as HGETALL's flat field/value list.
engine::StudySummary toSummary(const std::string& uid, const Reply& fields) {
  engine::StudySummary summary;
  summary.study_uid = uid;
  std::map<std::string, engine::DestinationProgress> progress;
  auto progressOf = [&progress](std::string_view destination) -> engine::DestinationProgress& {
    auto& entry = progress[std::string(destination)];
    entry.destination = destination;
    return entry;
  };
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    const std::string_view name = fields.elements[i].str;
    const Reply& value = fields.elements[i + 1];
    if (name == "site") {
      summary.site = value.str;
    } else if (name == "modality") {
      summary.modality = value.str;
    } else if (name == "state") {
      summary.state = value.str == kStateComplete ? engine::StudyState::Complete
                                                  : engine::StudyState::Receiving;
    } else if (name == "instances") {
      summary.instances = value.asInteger();
    } else if (name == "bytes") {
      summary.bytes = value.asInteger();
    } else if (name == "first_ms") {
      summary.first_received_at = fromEpochMs(value.asInteger());
    } else if (name == "last_ms") {
      summary.last_received_at = fromEpochMs(value.asInteger());
    } else if (name == "completed_ms") {
      summary.completed_at = fromEpochMs(value.asInteger());
    } else if (startsWith(name, kProgressPending)) {
      progressOf(name.substr(kProgressPending.size())).pending = value.asInteger();
    } else if (startsWith(name, kProgressSent)) {
      progressOf(name.substr(kProgressSent.size())).sent = value.asInteger();
    } else if (startsWith(name, kProgressFailed)) {
      progressOf(name.substr(kProgressFailed.size())).failed = value.asInteger();
    }
  }
  for (auto& [name, entry] : progress) summary.destinations.push_back(std::move(entry));
  return summary;
}

// Fills StudyFacts from a study hash (HGETALL's flat list), by the field names the record
// script writes.
StudyFacts toFacts(const std::string& uid, const Reply& fields) {
  StudyFacts facts;
  facts.study_uid = uid;
  const std::map<std::string_view, std::string*> text = {
      {"site", &facts.site},
      {"modality", &facts.modality},
      {"accession", &facts.accession_number},
      {"patient_id", &facts.patient_id},
      {"patient_name", &facts.patient_name},
      {"birth_date", &facts.birth_date},
      {"sex", &facts.sex},
      {"study_date", &facts.study_date},
      {"study_time", &facts.study_time},
      {"description", &facts.study_description},
      {"body_part", &facts.body_part_examined},
      {"referring", &facts.referring_physician}};
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    const std::string_view name = fields.elements[i].str;
    const Reply& value = fields.elements[i + 1];
    if (auto it = text.find(name); it != text.end()) {
      *it->second = value.str;
    } else if (name == "instances") {
      facts.instances = value.asInteger();
    } else if (name == "state") {
      facts.complete = value.str == kStateComplete;
    } else if (name == "first_ms") {
      facts.first_received_at = fromEpochMs(value.asInteger());
    } else if (name == "completed_ms") {
      facts.completed_at = fromEpochMs(value.asInteger());
    }
  }
  return facts;
}

}  // namespace

RedisStateStore::RedisStateStore(RedisClientOptions client, std::string_view key_prefix,
                                 std::string node)
    : client_(std::move(client)), keys_(key_prefix), node_(std::move(node)) {}

Result<std::vector<engine::RecordOutcome>> RedisStateStore::recordInstances(
    const std::vector<engine::InstanceRecord>& batch) {
  std::vector<engine::RecordOutcome> outcomes;
  if (batch.empty()) return outcomes;
  std::vector<ScriptCall> calls;
  calls.reserve(batch.size());
  for (const auto& record : batch) {
    if (auto ok = checkRecord(record); !ok) return ok.error();
    calls.push_back(recordCall(keys_, node_, record));
  }
  auto replies = client_.evalPipeline(scripts::kRecordInstance, calls);
  if (!replies) return replies.error();
  outcomes.reserve(batch.size());
  for (size_t i = 0; i < replies.value().size(); ++i) {
    const Reply& reply = replies.value()[i];
    if (reply.isError()) {
      return makeError(
          ErrorCode::Internal, "recording an instance failed: " + reply.str,
          "sop_instance_uid=" + std::string(log::identifying(batch[i].instance.sop_instance_uid)));
    }
    switch (reply.asInteger()) {
      case scripts::kRecordedNew: outcomes.push_back(engine::RecordOutcome::Recorded); break;
      case scripts::kRecordedDuplicateInUse:
        outcomes.push_back(engine::RecordOutcome::Duplicate);
        break;
      default: outcomes.push_back(engine::RecordOutcome::DuplicateFileUnneeded); break;
    }
  }
  return outcomes;
}

Result<StudyFacts> RedisStateStore::studyFacts(const std::string& study_uid) {
  const std::string context = "study_uid=" + std::string(log::identifying(study_uid));
  if (auto ok = checkUid(study_uid, "Study Instance UID", context); !ok) return ok.error();
  auto reply = client_.command({"HGETALL", keys_.study(study_uid)});
  if (!reply) return reply.error();
  if (reply.value().elements.empty()) {
    return makeError(ErrorCode::NotFound, "no instance of this study was recorded", context);
  }
  return toFacts(study_uid, reply.value());
}

Result<void> RedisStateStore::completeStudy(const std::string& study_uid, UtcTime completed_at,
                                            const std::vector<std::string>& destinations) {
  auto done = runCompletion(study_uid, completed_at, std::nullopt, destinations);
  if (!done) return done.error();
  return okResult();
}

Result<std::optional<UtcTime>> RedisStateStore::completeStudyIfQuiet(
    const std::string& study_uid, UtcTime completed_at, std::chrono::milliseconds quiet,
    const std::vector<std::string>& destinations) {
  return runCompletion(study_uid, completed_at, quiet, destinations);
}

Result<std::optional<UtcTime>> RedisStateStore::runCompletion(
    const std::string& study_uid, UtcTime completed_at,
    std::optional<std::chrono::milliseconds> quiet, const std::vector<std::string>& destinations) {
  const std::string context = "study_uid=" + std::string(log::identifying(study_uid));
  if (auto ok = checkUid(study_uid, "Study Instance UID", context); !ok) return ok.error();
  if (auto ok = checkNames(destinations, context); !ok) return ok.error();
  ScriptCall call;
  call.keys = {keys_.study(study_uid), keys_.studyInstances(study_uid), keys_.openStudies(),
               keys_.activeStudies(), keys_.dispatchPending()};
  for (const auto& destination : destinations) call.keys.push_back(keys_.ready(destination));
  call.args = {study_uid, std::to_string(toEpochMs(completed_at)), keys_.instancePrefix(),
               keys_.forwardPrefix(), std::to_string(quiet ? quiet->count() : -1)};
  call.args.insert(call.args.end(), destinations.begin(), destinations.end());
  auto reply = client_.eval(scripts::kCompleteStudy, call);
  if (!reply) return reply.error();
  if (reply.value().type == Reply::Type::Array) {
    // Not quiet yet: another node recorded an instance within the quiet period.
    return std::optional<UtcTime>{fromEpochMs(elementInteger(reply.value(), 0))};
  }
  if (reply.value().asInteger() < 0) {
    return makeError(ErrorCode::NotFound, "no instance of this study was recorded", context);
  }
  return std::optional<UtcTime>{};
}

Result<engine::RouteOutcome> RedisStateStore::routeStudy(
    const std::string& study_uid, const std::vector<std::string>& destinations) {
  const std::string context = "study_uid=" + std::string(log::identifying(study_uid));
  if (auto ok = checkUid(study_uid, "Study Instance UID", context); !ok) return ok.error();
  if (auto ok = checkNames(destinations, context); !ok) return ok.error();
  ScriptCall call;
  call.keys = {keys_.study(study_uid), keys_.studyInstances(study_uid)};
  for (const auto& destination : destinations) call.keys.push_back(keys_.ready(destination));
  call.args = {keys_.instancePrefix(), keys_.forwardPrefix(), node_, keys_.spoolPrefix()};
  call.args.insert(call.args.end(), destinations.begin(), destinations.end());
  auto reply = client_.eval(scripts::kRouteStudy, call);
  if (!reply) return reply.error();
  if (reply.value().type != Reply::Type::Array || reply.value().elements.empty()) {
    return makeError(ErrorCode::NotFound, "no instance of this study was recorded", context);
  }
  engine::RouteOutcome outcome;
  outcome.enqueued = static_cast<int>(reply.value().elements[0].asInteger());
  for (size_t i = 1; i < reply.value().elements.size(); ++i) {
    outcome.unneeded_files.push_back(reply.value().elements[i].str);
  }
  return outcome;
}

Result<std::vector<engine::OpenStudy>> RedisStateStore::openStudies() {
  auto reply = client_.eval(scripts::kOpenStudies, {{keys_.openStudies()}, {keys_.studyPrefix()}});
  if (!reply) return reply.error();
  std::vector<engine::OpenStudy> studies;
  studies.reserve(reply.value().elements.size());
  for (const Reply& row : reply.value().elements) {
    engine::OpenStudy study;
    study.study_uid = elementString(row, 0);
    study.site = elementString(row, 1);
    study.modality = elementString(row, 2);
    study.last_received_at = fromEpochMs(elementInteger(row, 3));
    study.node = elementString(row, 4);
    studies.push_back(std::move(study));
  }
  return studies;
}

Result<std::vector<std::string>> RedisStateStore::takeReleasedFiles(int max) {
  std::vector<std::string> paths;
  if (node_.empty() || max <= 0) return paths;
  auto reply = client_.command({"LPOP", keys_.spoolRelease(node_), std::to_string(max)});
  if (!reply) return reply.error();
  for (const Reply& path : reply.value().elements) paths.push_back(path.str);
  return paths;
}

Result<std::vector<bool>> RedisStateStore::knownInstances(
    const std::vector<std::string>& sop_uids) {
  std::vector<bool> known(sop_uids.size(), false);
  std::vector<std::vector<std::string>> commands;
  std::vector<size_t> asked;  // index in sop_uids of each command
  for (size_t i = 0; i < sop_uids.size(); ++i) {
    // An invalid UID was never recorded: the store refuses them.
    if (!isValidUid(sop_uids[i])) continue;
    commands.push_back({"EXISTS", keys_.instance(sop_uids[i])});
    asked.push_back(i);
  }
  if (commands.empty()) return known;
  auto replies = client_.pipeline(commands);
  if (!replies) return replies.error();
  for (size_t j = 0; j < asked.size(); ++j) {
    auto reply = replyOrError(std::move(replies.value()[j]), "EXISTS");
    if (!reply) return reply.error();
    known[asked[j]] = reply.value().asInteger() == 1;
  }
  return known;
}

Result<std::vector<bool>> RedisStateStore::finishedInstances(
    const std::vector<std::string>& sop_uids) {
  std::vector<bool> finished(sop_uids.size(), false);
  std::vector<std::vector<std::string>> commands;
  std::vector<size_t> asked;  // index in sop_uids of each command
  for (size_t i = 0; i < sop_uids.size(); ++i) {
    if (!isValidUid(sop_uids[i])) continue;
    commands.push_back({"HGET", keys_.instance(sop_uids[i]), "remaining"});
    asked.push_back(i);
  }
  if (commands.empty()) return finished;
  auto replies = client_.pipeline(commands);
  if (!replies) return replies.error();
  for (size_t j = 0; j < asked.size(); ++j) {
    auto reply = replyOrError(std::move(replies.value()[j]), "HGET");
    if (!reply) return reply.error();
    // Nil: never recorded (or forgotten), so not known to be finished.
    finished[asked[j]] = !reply.value().isNil() && reply.value().str == "0";
  }
  return finished;
}

Result<std::vector<engine::StudySummary>> RedisStateStore::listStudies(int limit) {
  if (limit <= 0) return std::vector<engine::StudySummary>{};
  auto reply = client_.eval(scripts::kListStudies, {{keys_.activeStudies()},
                                                    {std::to_string(limit), keys_.studyPrefix()}});
  if (!reply) return reply.error();
  std::vector<engine::StudySummary> studies;
  studies.reserve(reply.value().elements.size());
  for (const Reply& row : reply.value().elements) {
    if (row.elements.size() < 2) continue;
    studies.push_back(toSummary(row.elements[0].str, row.elements[1]));
  }
  return studies;
}

Result<int> RedisStateStore::forgetFinishedStudies(UtcTime cutoff, int max) {
  ScriptCall call;
  call.keys = {keys_.activeStudies(), keys_.openStudies(), keys_.dispatchPending()};
  call.args = {std::to_string(toEpochMs(cutoff)), std::to_string(max), keys_.studyPrefix(),
               keys_.instancePrefix(), keys_.dispatchExclusions("")};
  auto reply = client_.eval(scripts::kForgetFinished, call);
  if (!reply) return reply.error();
  return static_cast<int>(reply.value().asInteger());
}

Result<void> RedisStateStore::ping() {
  auto reply = client_.command({"PING"});
  if (!reply) return reply.error();
  return okResult();
}

}  // namespace sundial::adapters::redis
