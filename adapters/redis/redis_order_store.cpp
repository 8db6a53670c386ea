#include "adapters/redis/redis_order_store.h"

#include <map>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/order_scripts.h"
#include "engine/domain/instance.h"
#include "engine/domain/log.h"

namespace sundial::adapters::redis {
namespace {

constexpr size_t kMaxKeyText = 256;
constexpr int kMaxMergeHops = 8;

// The order's fields as stored in its hash.
constexpr std::string_view kSite = "site";
constexpr std::string_view kPlacer = "placer";
constexpr std::string_view kFiller = "filler";
constexpr std::string_view kAccession = "accession";
constexpr std::string_view kPatientId = "patient_id";
constexpr std::string_view kPatientName = "patient_name";
constexpr std::string_view kBirthDate = "birth_date";
constexpr std::string_view kSex = "sex";
constexpr std::string_view kModality = "modality";
constexpr std::string_view kProcedureCode = "procedure_code";
constexpr std::string_view kProcedureText = "procedure_text";
constexpr std::string_view kPriority = "priority";
constexpr std::string_view kReason = "reason";
constexpr std::string_view kProvider = "provider";
constexpr std::string_view kStudyUid = "study_uid";
constexpr std::string_view kStatus = "status";
constexpr std::string_view kOrderedMs = "ordered_ms";
constexpr std::string_view kReceivedMs = "received_ms";

// Free text (accession numbers, patient IDs, order keys) that goes into a key: not empty
// where required, bounded, no control characters.
Result<void> checkKeyText(std::string_view text, std::string_view what) {
  if (text.size() > kMaxKeyText) {
    return makeError(ErrorCode::InvalidInput, std::string(what) + " is longer than 256 bytes");
  }
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      return makeError(ErrorCode::InvalidInput,
                       std::string(what) + " holds a control character");
    }
  }
  return okResult();
}

Result<void> checkStudyUid(const std::string& uid) {
  if (isValidUid(uid)) return okResult();
  return makeError(ErrorCode::InvalidInput, "study UID is not a valid DICOM UID",
                   "study_uid=" + std::string(log::identifying(uid)));
}

Result<void> checkSite(const std::string& site) {
  if (isValidKeyName(site)) return okResult();
  return makeError(ErrorCode::InvalidInput, "site name '" + site + "' cannot be used in a key");
}

OrderStatus statusFromName(std::string_view name) {
  for (OrderStatus s : {OrderStatus::Scheduled, OrderStatus::InProgress, OrderStatus::Completed,
                        OrderStatus::Cancelled, OrderStatus::Discontinued}) {
    if (orderStatusName(s) == name) return s;
  }
  return OrderStatus::Scheduled;
}

OrderPriority priorityFromName(std::string_view name) {
  for (OrderPriority p : {OrderPriority::Stat, OrderPriority::Urgent, OrderPriority::Routine}) {
    if (orderPriorityName(p) == name) return p;
  }
  return OrderPriority::Routine;
}

engine::LinkReason reasonFromName(std::string_view name) {
  for (engine::LinkReason r : {engine::LinkReason::Accession,
                               engine::LinkReason::PatientModalityTime,
                               engine::LinkReason::Manual, engine::LinkReason::Merge}) {
    if (engine::linkReasonName(r) == name) return r;
  }
  return engine::LinkReason::Accession;
}

std::map<std::string_view, const Reply*> fieldsOf(const Reply& hgetall) {
  std::map<std::string_view, const Reply*> fields;
  for (size_t i = 0; i + 1 < hgetall.elements.size(); i += 2) {
    fields[hgetall.elements[i].str] = &hgetall.elements[i + 1];
  }
  return fields;
}

std::string text(const std::map<std::string_view, const Reply*>& fields, std::string_view name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second->str;
}

long long integer(const std::map<std::string_view, const Reply*>& fields,
                  std::string_view name) {
  auto it = fields.find(name);
  return it == fields.end() ? 0 : it->second->asInteger();
}

Order orderFrom(const Reply& hgetall) {
  const auto f = fieldsOf(hgetall);
  Order o;
  o.site = text(f, kSite);
  o.placer_order_number = text(f, kPlacer);
  o.filler_order_number = text(f, kFiller);
  o.accession_number = text(f, kAccession);
  o.patient_id = text(f, kPatientId);
  o.patient_name = text(f, kPatientName);
  o.birth_date = text(f, kBirthDate);
  o.sex = text(f, kSex);
  o.modality = text(f, kModality);
  o.procedure_code = text(f, kProcedureCode);
  o.procedure_text = text(f, kProcedureText);
  o.priority = priorityFromName(text(f, kPriority));
  o.reason_for_exam = text(f, kReason);
  o.ordering_provider = text(f, kProvider);
  o.study_instance_uid = text(f, kStudyUid);
  o.status = statusFromName(text(f, kStatus));
  o.ordered_at = fromEpochMs(integer(f, kOrderedMs));
  o.received_at = fromEpochMs(integer(f, kReceivedMs));
  return o;
}

std::vector<std::string> stringsOf(const Reply& reply) {
  std::vector<std::string> out;
  out.reserve(reply.elements.size());
  for (const Reply& element : reply.elements) out.push_back(element.str);
  return out;
}

}  // namespace

RedisOrderStore::RedisOrderStore(RedisClientOptions client, std::string_view key_prefix)
    : client_(std::move(client)), keys_(key_prefix) {}

Result<void> RedisOrderStore::putOrder(const std::string& key, const Order& o) {
  if (auto ok = checkSite(o.site); !ok) return ok;
  if (auto ok = checkKeyText(key, "order key"); !ok) return ok;
  if (auto ok = checkKeyText(o.accession_number, "accession number"); !ok) return ok;
  if (auto ok = checkKeyText(o.patient_id, "patient ID"); !ok) return ok;
  ScriptCall call;
  call.keys = {keys_.order(key), keys_.ordersByAccession(o.site, o.accession_number),
               keys_.ordersByPatient(o.site, o.patient_id), keys_.recentOrders()};
  call.args = {key,
               std::to_string(toEpochMs(o.received_at)),
               keys_.ordersByPatientPrefix(),
               keys_.ordersByAccessionPrefix(),
               o.accession_number,
               o.patient_id};
  const std::pair<std::string_view, std::string> fields[] = {
      {kSite, o.site},
      {kPlacer, o.placer_order_number},
      {kFiller, o.filler_order_number},
      {kAccession, o.accession_number},
      {kPatientId, o.patient_id},
      {kPatientName, o.patient_name},
      {kBirthDate, o.birth_date},
      {kSex, o.sex},
      {kModality, o.modality},
      {kProcedureCode, o.procedure_code},
      {kProcedureText, o.procedure_text},
      {kPriority, std::string(orderPriorityName(o.priority))},
      {kReason, o.reason_for_exam},
      {kProvider, o.ordering_provider},
      {kStudyUid, o.study_instance_uid},
      {kStatus, std::string(orderStatusName(o.status))},
      {kOrderedMs, std::to_string(toEpochMs(o.ordered_at))},
      {kReceivedMs, std::to_string(toEpochMs(o.received_at))}};
  for (const auto& [name, value] : fields) {
    call.args.emplace_back(name);
    call.args.push_back(value);
  }
  auto reply = client_.eval(order_scripts::kPutOrder, call);
  if (!reply) return reply.error();
  return okResult();
}

Result<std::optional<Order>> RedisOrderStore::order(const std::string& key) {
  if (auto ok = checkKeyText(key, "order key"); !ok) return ok.error();
  auto reply = client_.command({"HGETALL", keys_.order(key)});
  if (!reply) return reply.error();
  if (reply->elements.empty()) return std::optional<Order>{};
  return std::optional<Order>(orderFrom(reply.value()));
}

Result<std::vector<std::string>> RedisOrderStore::ordersByAccession(
    const std::string& site, const std::string& accession) {
  if (auto ok = checkKeyText(accession, "accession number"); !ok) return ok.error();
  if (!isValidKeyName(site) || accession.empty()) return std::vector<std::string>{};
  auto reply = client_.command({"SMEMBERS", keys_.ordersByAccession(site, accession)});
  if (!reply) return reply.error();
  return stringsOf(reply.value());
}

Result<std::vector<std::string>> RedisOrderStore::ordersByPatient(const std::string& site,
                                                                  const std::string& patient_id) {
  if (auto ok = checkKeyText(patient_id, "patient ID"); !ok) return ok.error();
  if (!isValidKeyName(site) || patient_id.empty()) return std::vector<std::string>{};
  auto reply = client_.command({"SMEMBERS", keys_.ordersByPatient(site, patient_id)});
  if (!reply) return reply.error();
  return stringsOf(reply.value());
}

Result<std::vector<std::string>> RedisOrderStore::recentOrders(int limit) {
  if (limit <= 0) return std::vector<std::string>{};
  auto reply =
      client_.command({"ZREVRANGE", keys_.recentOrders(), "0", std::to_string(limit - 1)});
  if (!reply) return reply.error();
  return stringsOf(reply.value());
}

Result<void> RedisOrderStore::link(const engine::StoredLink& link) {
  if (auto ok = checkStudyUid(link.study_uid); !ok) return ok;
  if (auto ok = checkKeyText(link.order_key, "order key"); !ok) return ok;
  ScriptCall call;
  call.keys = {keys_.link(link.study_uid), keys_.orderStudies(link.order_key), keys_.waiting(),
               keys_.exceptions(), keys_.unlinkedStudy(link.study_uid)};
  call.args = {link.study_uid,
               link.order_key,
               std::string(engine::linkReasonName(link.reason)),
               link.cancelled ? "1" : "0",
               std::to_string(toEpochMs(link.linked_at)),
               keys_.orderStudiesPrefix(),
               keys_.unlinkedByAccessionPrefix(),
               keys_.unlinkedByPatientPrefix()};
  auto reply = client_.eval(order_scripts::kLink, call);
  if (!reply) return reply.error();
  return okResult();
}

Result<std::optional<engine::StoredLink>> RedisOrderStore::linkOf(const std::string& study_uid) {
  if (auto ok = checkStudyUid(study_uid); !ok) return ok.error();
  auto reply = client_.command({"HGETALL", keys_.link(study_uid)});
  if (!reply) return reply.error();
  if (reply->elements.empty()) return std::optional<engine::StoredLink>{};
  const auto f = fieldsOf(reply.value());
  engine::StoredLink link;
  link.study_uid = study_uid;
  link.order_key = text(f, "order_key");
  link.reason = reasonFromName(text(f, "reason"));
  link.cancelled = text(f, "cancelled") == "1";
  link.linked_at = fromEpochMs(integer(f, "linked_ms"));
  return std::optional<engine::StoredLink>(std::move(link));
}

Result<std::vector<std::string>> RedisOrderStore::studiesOf(const std::string& order_key) {
  if (auto ok = checkKeyText(order_key, "order key"); !ok) return ok.error();
  auto reply = client_.command({"SMEMBERS", keys_.orderStudies(order_key)});
  if (!reply) return reply.error();
  return stringsOf(reply.value());
}

Result<void> RedisOrderStore::addWaiting(const engine::WaitingStudy& s, UtcTime due) {
  if (auto ok = checkStudyUid(s.study_uid); !ok) return ok;
  if (auto ok = checkSite(s.site); !ok) return ok;
  if (auto ok = checkKeyText(s.accession_number, "accession number"); !ok) return ok;
  if (auto ok = checkKeyText(s.patient_id, "patient ID"); !ok) return ok;
  ScriptCall call;
  call.keys = {keys_.link(s.study_uid), keys_.unlinkedStudy(s.study_uid),
               keys_.unlinkedByAccession(s.site, s.accession_number),
               keys_.unlinkedByPatient(s.site, s.patient_id), keys_.waiting()};
  call.args = {s.study_uid,
               s.site,
               s.accession_number,
               s.patient_id,
               s.modality,
               std::to_string(toEpochMs(s.study_time)),
               std::to_string(toEpochMs(due))};
  auto reply = client_.eval(order_scripts::kAddWaiting, call);
  if (!reply) return reply.error();
  return okResult();
}

Result<std::vector<engine::WaitingStudy>> RedisOrderStore::waitingFor(
    const std::string& site, const std::string& accession, const std::string& patient_id) {
  if (auto ok = checkKeyText(accession, "accession number"); !ok) return ok.error();
  if (auto ok = checkKeyText(patient_id, "patient ID"); !ok) return ok.error();
  if (!isValidKeyName(site)) return std::vector<engine::WaitingStudy>{};
  ScriptCall call;
  call.keys = {keys_.unlinkedByAccession(site, accession),
               keys_.unlinkedByPatient(site, patient_id)};
  call.args = {keys_.unlinkedStudyPrefix(), accession.empty() ? "0" : "1",
               patient_id.empty() ? "0" : "1"};
  auto reply = client_.eval(order_scripts::kWaitingFor, call);
  if (!reply) return reply.error();
  std::vector<engine::WaitingStudy> studies;
  for (const Reply& row : reply->elements) {
    if (row.elements.size() < 6) continue;
    studies.push_back({row.elements[0].str, row.elements[1].str, row.elements[2].str,
                       row.elements[3].str, row.elements[4].str,
                       fromEpochMs(row.elements[5].asInteger())});
  }
  return studies;
}

Result<std::vector<std::string>> RedisOrderStore::dueWaiting(UtcTime now, int max) {
  auto reply = client_.command({"ZRANGEBYSCORE", keys_.waiting(), "-inf",
                                std::to_string(toEpochMs(now)), "LIMIT", "0",
                                std::to_string(max)});
  if (!reply) return reply.error();
  return stringsOf(reply.value());
}

Result<bool> RedisOrderStore::addException(const std::string& study_uid, UtcTime since) {
  if (auto ok = checkStudyUid(study_uid); !ok) return ok.error();
  ScriptCall call;
  call.keys = {keys_.link(study_uid), keys_.waiting(), keys_.exceptions(),
               keys_.unlinkedStudy(study_uid)};
  call.args = {study_uid, std::to_string(toEpochMs(since))};
  auto reply = client_.eval(order_scripts::kAddException, call);
  if (!reply) return reply.error();
  return reply->asInteger() == 1;
}

Result<std::vector<engine::ExceptionEntry>> RedisOrderStore::exceptions(int limit) {
  if (limit <= 0) return std::vector<engine::ExceptionEntry>{};
  auto reply = client_.eval(order_scripts::kExceptions,
                            {{keys_.exceptions()},
                             {std::to_string(limit), keys_.unlinkedStudyPrefix()}});
  if (!reply) return reply.error();
  std::vector<engine::ExceptionEntry> out;
  for (const Reply& row : reply->elements) {
    if (row.elements.size() < 3) continue;
    out.push_back({row.elements[0].str, row.elements[2].str,
                   fromEpochMs(row.elements[1].asInteger())});
  }
  return out;
}

Result<void> RedisOrderStore::putPatient(const PatientDemographics& p) {
  if (auto ok = checkSite(p.site); !ok) return ok;
  if (auto ok = checkKeyText(p.patient_id, "patient ID"); !ok) return ok;
  if (p.patient_id.empty()) return makeError(ErrorCode::InvalidInput, "patient ID is empty");
  auto reply = client_.command({"HSET", keys_.patient(p.site, p.patient_id), "name",
                                p.patient_name, "birth_date", p.birth_date, "sex", p.sex,
                                "updated_ms", std::to_string(toEpochMs(p.updated_at))});
  if (!reply) return reply.error();
  return okResult();
}

Result<std::string> RedisOrderStore::currentPatientId(const std::string& site,
                                                      const std::string& patient_id) {
  if (auto ok = checkKeyText(patient_id, "patient ID"); !ok) return ok.error();
  if (!isValidKeyName(site) || patient_id.empty()) return patient_id;
  std::string id = patient_id;
  // Merges chain rarely; a bound keeps a cycle someone sent from looping.
  for (int hop = 0; hop < kMaxMergeHops; ++hop) {
    auto reply = client_.command({"HGET", keys_.patient(site, id), "merged_into"});
    if (!reply) return reply.error();
    if (reply->isNil() || reply->str.empty() || reply->str == id) break;
    id = reply->str;
  }
  return id;
}

Result<engine::MergeMoves> RedisOrderStore::mergePatient(const PatientMergeRequest& m) {
  if (auto ok = checkSite(m.site); !ok) return ok.error();
  if (auto ok = checkKeyText(m.prior_patient_id, "prior patient ID"); !ok) return ok.error();
  if (auto ok = checkKeyText(m.surviving_patient_id, "surviving patient ID"); !ok) {
    return ok.error();
  }
  if (m.prior_patient_id.empty() || m.surviving_patient_id.empty()) {
    return makeError(ErrorCode::InvalidInput, "a merge needs both patient IDs");
  }
  ScriptCall call;
  call.keys = {keys_.ordersByPatient(m.site, m.prior_patient_id),
               keys_.ordersByPatient(m.site, m.surviving_patient_id),
               keys_.unlinkedByPatient(m.site, m.prior_patient_id),
               keys_.unlinkedByPatient(m.site, m.surviving_patient_id),
               keys_.patient(m.site, m.prior_patient_id)};
  call.args = {m.surviving_patient_id, keys_.orderPrefix(), keys_.unlinkedStudyPrefix(),
               std::to_string(toEpochMs(m.merged_at))};
  auto reply = client_.eval(order_scripts::kMergePatient, call);
  if (!reply) return reply.error();
  engine::MergeMoves moves;
  if (reply->elements.size() == 2) {
    moves.order_keys = stringsOf(reply->elements[0]);
    moves.waiting_study_uids = stringsOf(reply->elements[1]);
  }
  return moves;
}

}  // namespace sundial::adapters::redis
