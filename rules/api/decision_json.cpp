#include "rules/api/decision_json.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sundial::rules {
namespace {

using nlohmann::json;

// Schema 2 (written): reader statuses as [online, load_rvu, open_tasks] and rejected candidates
// grouped by constraint and detail. Schema 1 (still read): one object per status and per
// rejected candidate, a recorded decision about three times the size (12 KB for ~100
// candidates), most of it repeated key names and repeated details.
constexpr int kSchema = 2;
constexpr int kSchemaOneObjectPerCandidate = 1;

bool parsePriorityName(const std::string& text, OrderPriority& out) {
  if (text == "STAT") out = OrderPriority::Stat;
  else if (text == "URGENT") out = OrderPriority::Urgent;
  else if (text == "ROUTINE") out = OrderPriority::Routine;
  else return false;
  return true;
}

json inputJson(const DecisionInput& input) {
  json study = {{"key", input.study.key},
                {"modality", input.study.modality},
                {"body_part", input.study.body_part},
                {"description", input.study.description},
                {"images", input.study.image_count},
                {"site", input.study.site},
                {"arrived_ms", toEpochMs(input.study.arrived)}};
  json order = {{"present", input.order.present}};
  if (input.order.present) {
    order["procedure_code"] = input.order.procedure_code;
    order["procedure_text"] = input.order.procedure_text;
    order["priority"] = std::string(orderPriorityName(input.order.priority));
    order["reason"] = input.order.reason_for_exam;
    order["ordering_provider"] = input.order.ordering_provider;
  }
  json patient = {{"sex", input.patient.sex}};
  if (input.patient.age_years) patient["age"] = *input.patient.age_years;
  json readers = json::object();
  for (const auto& [id, status] : input.readers) {
    readers[id] = json::array({status.online, status.load_rvu, status.open_tasks});
  }
  return {{"study", std::move(study)},   {"order", std::move(order)},
          {"patient", std::move(patient)}, {"now_ms", toEpochMs(input.now)},
          {"sequence", input.sequence},  {"readers", std::move(readers)}};
}

json recordJson(const DecisionRecord& record) {
  const Decision& d = record.decision;
  json decision = {{"priority", std::string(orderPriorityName(d.priority))},
                   {"reader", d.reader},
                   {"pool", d.pool},
                   {"destinations", d.destinations},
                   {"tags", d.tags},
                   {"hold", d.hold},
                   {"notify", d.notify},
                   {"reasons", d.reasons}};
  decision["due_ms"] = d.due ? json(toEpochMs(*d.due)) : json(nullptr);
  // One group per (constraint, detail), in order of first appearance; readers in record order.
  json rejected = json::array();
  std::vector<std::pair<const Rejection*, std::size_t>> groups;  // first member, index in `rejected`
  for (const Rejection& r : record.rejected) {
    auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return g.first->constraint == r.constraint && g.first->detail == r.detail;
    });
    if (group == groups.end()) {
      groups.emplace_back(&r, rejected.size());
      rejected.push_back({{"constraint", std::string(constraintName(r.constraint))},
                          {"detail", r.detail},
                          {"readers", json::array()}});
      group = groups.end() - 1;
    }
    rejected[group->second]["readers"].push_back(r.reader);
  }
  return {{"decision", std::move(decision)},
          {"rule_set_version", record.rule_set_version},
          {"roster_version", record.roster_version},
          {"decided_by", record.decided_by},
          {"fallback", record.fallback},
          {"fallback_reason", record.fallback_reason},
          {"eligible", record.eligible},
          {"rejected", std::move(rejected)}};
}

// Reads with a path for the message when a field is missing or of the wrong type.
struct Fields {
  const json& object;
  std::string path;

  template <typename T>
  T get(const char* key, T fallback = T{}) const {
    auto found = object.find(key);
    if (found == object.end() || found->is_null()) return fallback;
    try {
      return found->get<T>();
    } catch (const json::exception&) {
      throw std::invalid_argument(path + "." + key + " has the wrong type");
    }
  }
  Fields sub(const char* key) const {
    auto found = object.find(key);
    if (found == object.end() || !found->is_object()) {
      throw std::invalid_argument(path + "." + key + " is missing or not an object");
    }
    return Fields{*found, path + "." + key};
  }
};

ReaderStatus readStatus(const json& value, const std::string& path, int schema) {
  if (schema == kSchemaOneObjectPerCandidate) {
    if (!value.is_object()) throw std::invalid_argument(path + " is not an object");
    const Fields status{value, path};
    return ReaderStatus{status.get<bool>("online"), status.get<double>("load_rvu"),
                        status.get<int>("open_tasks")};
  }
  if (!value.is_array() || value.size() != 3 || !value[0].is_boolean() || !value[1].is_number() ||
      !value[2].is_number_integer()) {
    throw std::invalid_argument(path + " is not [online, load_rvu, open_tasks]");
  }
  return ReaderStatus{value[0].get<bool>(), value[1].get<double>(), value[2].get<int>()};
}

DecisionInput readInput(const Fields& in, int schema) {
  DecisionInput input;
  const Fields study = in.sub("study");
  input.study.key = study.get<std::string>("key");
  input.study.modality = study.get<std::string>("modality");
  input.study.body_part = study.get<std::string>("body_part");
  input.study.description = study.get<std::string>("description");
  input.study.image_count = study.get<int>("images");
  input.study.site = study.get<std::string>("site");
  input.study.arrived = fromEpochMs(study.get<long long>("arrived_ms"));
  const Fields order = in.sub("order");
  input.order.present = order.get<bool>("present");
  if (input.order.present) {
    input.order.procedure_code = order.get<std::string>("procedure_code");
    input.order.procedure_text = order.get<std::string>("procedure_text");
    if (!parsePriorityName(order.get<std::string>("priority", "ROUTINE"), input.order.priority)) {
      throw std::invalid_argument(order.path + ".priority is not STAT, URGENT or ROUTINE");
    }
    input.order.reason_for_exam = order.get<std::string>("reason");
    input.order.ordering_provider = order.get<std::string>("ordering_provider");
  }
  const Fields patient = in.sub("patient");
  if (patient.object.contains("age") && !patient.object["age"].is_null()) {
    input.patient.age_years = patient.get<int>("age");
  }
  input.patient.sex = patient.get<std::string>("sex");
  input.now = fromEpochMs(in.get<long long>("now_ms"));
  input.sequence = in.get<std::uint64_t>("sequence");
  const Fields readers = in.sub("readers");
  for (const auto& [id, value] : readers.object.items()) {
    input.readers[id] = readStatus(value, readers.path + "." + id, schema);
  }
  return input;
}

Constraint readConstraint(const Fields& item) {
  Constraint constraint = Constraint::Licence;
  if (!parseConstraint(item.get<std::string>("constraint"), constraint)) {
    throw std::invalid_argument(item.path + ".constraint is unknown");
  }
  return constraint;
}

DecisionRecord readRecord(const Fields& in, int schema) {
  DecisionRecord record;
  const Fields d = in.sub("decision");
  Decision& decision = record.decision;
  if (!parsePriorityName(d.get<std::string>("priority", "ROUTINE"), decision.priority)) {
    throw std::invalid_argument(d.path + ".priority is not STAT, URGENT or ROUTINE");
  }
  if (d.object.contains("due_ms") && !d.object["due_ms"].is_null()) {
    decision.due = fromEpochMs(d.get<long long>("due_ms"));
  }
  decision.reader = d.get<std::string>("reader");
  decision.pool = d.get<std::string>("pool");
  decision.destinations = d.get<std::vector<std::string>>("destinations");
  decision.tags = d.get<std::vector<std::string>>("tags");
  decision.hold = d.get<bool>("hold");
  decision.notify = d.get<std::vector<std::string>>("notify");
  decision.reasons = d.get<std::vector<std::string>>("reasons");
  record.rule_set_version = in.get<std::string>("rule_set_version");
  record.roster_version = in.get<std::string>("roster_version");
  record.decided_by = in.get<std::string>("decided_by");
  record.fallback = in.get<bool>("fallback");
  record.fallback_reason = in.get<std::string>("fallback_reason");
  record.eligible = in.get<std::vector<std::string>>("eligible");
  auto rejected = in.object.find("rejected");
  if (rejected != in.object.end() && rejected->is_array()) {
    for (const json& item : *rejected) {
      const Fields r{item, in.path + ".rejected[]"};
      const Constraint constraint = readConstraint(r);
      const std::string detail = r.get<std::string>("detail");
      if (schema == kSchemaOneObjectPerCandidate) {
        record.rejected.push_back(Rejection{r.get<std::string>("reader"), constraint, detail});
        continue;
      }
      for (std::string& reader : r.get<std::vector<std::string>>("readers")) {
        record.rejected.push_back(Rejection{std::move(reader), constraint, detail});
      }
    }
  }
  return record;
}

}  // namespace

bool parseConstraint(std::string_view name, Constraint& out) {
  for (Constraint c : {Constraint::UnknownReader, Constraint::Licence, Constraint::Credential,
                       Constraint::Modality, Constraint::OnShift, Constraint::Online}) {
    if (constraintName(c) == name) {
      out = c;
      return true;
    }
  }
  return false;
}

std::string decisionToJson(const DecisionInput& input, const DecisionRecord& record) {
  json out = {{"schema", kSchema}, {"input", inputJson(input)}, {"record", recordJson(record)}};
  return out.dump();
}

Result<RecordedDecision> decisionFromJson(std::string_view text) {
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return makeError(ErrorCode::InvalidInput, "a recorded decision is not a JSON object");
  }
  try {
    const Fields root{parsed, "$"};
    const int schema = root.get<int>("schema");
    if (schema != kSchema && schema != kSchemaOneObjectPerCandidate) {
      return makeError(ErrorCode::InvalidInput,
                       "a recorded decision has schema " + parsed.value("schema", json()).dump() +
                           ", expected 1 or 2");
    }
    RecordedDecision out;
    out.input = readInput(root.sub("input"), schema);
    out.record = readRecord(root.sub("record"), schema);
    return out;
  } catch (const std::exception& e) {
    return makeError(ErrorCode::InvalidInput, std::string("a recorded decision: ") + e.what());
  }
}

}  // namespace sundial::rules
