#include "engine/domain/events.h"

#include <charconv>
#include <vector>

namespace sundial {
namespace {

constexpr char kSeparator = '\x1f';
constexpr std::string_view kInstanceSpooledName = "InstanceSpooled";
constexpr std::string_view kStudyCompletedName = "StudyCompleted";
constexpr std::string_view kOrderReceivedName = "OrderReceived";
constexpr std::string_view kPatientUpdatedName = "PatientUpdated";
constexpr std::string_view kPatientsMergedName = "PatientsMerged";
constexpr std::string_view kReportReceivedName = "ReportReceived";
constexpr std::string_view kHl7MessageStoredName = "Hl7MessageStored";

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t end = text.find(kSeparator, start);
    if (end == std::string_view::npos) {
      fields.push_back(text.substr(start));
      return fields;
    }
    fields.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

template <typename Int>
bool parseInt(std::string_view text, Int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

void append(std::string& out, std::string_view field) {
  out += kSeparator;
  out += field;
}

// The study attributes travel after the instance's own fields, in this order.
constexpr size_t kInstanceFields = 12;  // name + 11
constexpr size_t kStudyAttributeFields = 10;

void appendStudyAttributes(std::string& out, const InstanceStudyAttributes& s) {
  for (const std::string* field :
       {&s.accession_number, &s.patient_id, &s.patient_name, &s.birth_date, &s.sex,
        &s.study_date, &s.study_time, &s.study_description, &s.body_part_examined,
        &s.referring_physician}) {
    append(out, *field);
  }
}

InstanceStudyAttributes readStudyAttributes(const std::vector<std::string_view>& f,
                                            size_t first) {
  InstanceStudyAttributes s;
  std::string* fields[] = {&s.accession_number, &s.patient_id, &s.patient_name,
                           &s.birth_date, &s.sex, &s.study_date, &s.study_time,
                           &s.study_description, &s.body_part_examined,
                           &s.referring_physician};
  for (size_t k = 0; k < kStudyAttributeFields; ++k) *fields[k] = f[first + k];
  return s;
}

template <typename T>
Result<Event> toEvent(Result<T> read) {
  if (!read) return read.error();
  return Event{std::move(read).value()};
}

}  // namespace

std::string_view eventName(const Event& event) {
  struct Namer {
    std::string_view operator()(const InstanceSpooled&) const { return kInstanceSpooledName; }
    std::string_view operator()(const StudyCompleted&) const { return kStudyCompletedName; }
    std::string_view operator()(const OrderReceived&) const { return kOrderReceivedName; }
    std::string_view operator()(const PatientUpdated&) const { return kPatientUpdatedName; }
    std::string_view operator()(const PatientsMerged&) const { return kPatientsMergedName; }
    std::string_view operator()(const ReportReceived&) const { return kReportReceivedName; }
    std::string_view operator()(const Hl7MessageStored&) const { return kHl7MessageStoredName; }
  };
  return std::visit(Namer{}, event);
}

std::string encodeEvent(const Event& event) {
  std::string out(eventName(event));
  if (const auto* spooled = std::get_if<InstanceSpooled>(&event)) {
    const SpooledInstance& i = spooled->instance;
    append(out, i.site);
    append(out, i.calling_ae);
    append(out, i.study_uid);
    append(out, i.series_uid);
    append(out, i.sop_instance_uid);
    append(out, i.sop_class_uid);
    append(out, i.transfer_syntax_uid);
    append(out, i.modality);
    append(out, i.spool_path);
    append(out, std::to_string(i.bytes));
    append(out, std::to_string(toEpochMs(i.received_at)));
    appendStudyAttributes(out, i.study);
    return out;
  }
  if (const auto* e = std::get_if<OrderReceived>(&event)) {
    detail::appendHl7EventFields(out, kSeparator, *e);
    return out;
  }
  if (const auto* e = std::get_if<PatientUpdated>(&event)) {
    detail::appendHl7EventFields(out, kSeparator, *e);
    return out;
  }
  if (const auto* e = std::get_if<PatientsMerged>(&event)) {
    detail::appendHl7EventFields(out, kSeparator, *e);
    return out;
  }
  if (const auto* e = std::get_if<ReportReceived>(&event)) {
    detail::appendHl7EventFields(out, kSeparator, *e);
    return out;
  }
  if (const auto* stored = std::get_if<Hl7MessageStored>(&event)) {
    // Site names are configuration names and message types MSH-9 codes: neither holds the
    // separator (the ingest service refuses a message type that does).
    append(out, stored->inbox_id);
    append(out, stored->site);
    append(out, stored->message_type);
    return out;
  }
  const auto& completed = std::get<StudyCompleted>(event);
  append(out, completed.study_uid);
  append(out, completed.site);
  append(out, std::to_string(toEpochMs(completed.completed_at)));
  return out;
}

Result<Event> decodeEvent(std::string_view wire) {
  std::vector<std::string_view> f = split(wire);
  // Without study attributes: a publisher from before they were carried.
  const bool instance_shape = f.size() == kInstanceFields ||
                              f.size() == kInstanceFields + kStudyAttributeFields;
  if (f[0] == kInstanceSpooledName && instance_shape) {
    SpooledInstance i;
    i.site = f[1];
    i.calling_ae = f[2];
    i.study_uid = f[3];
    i.series_uid = f[4];
    i.sop_instance_uid = f[5];
    i.sop_class_uid = f[6];
    i.transfer_syntax_uid = f[7];
    i.modality = f[8];
    i.spool_path = f[9];
    long long ms = 0;
    if (!parseInt(f[10], i.bytes) || !parseInt(f[11], ms)) {
      return makeError(ErrorCode::InvalidInput, "bad number in InstanceSpooled event");
    }
    i.received_at = fromEpochMs(ms);
    if (f.size() > kInstanceFields) i.study = readStudyAttributes(f, kInstanceFields);
    return Event{InstanceSpooled{std::move(i)}};
  }
  if (f[0] == kStudyCompletedName && f.size() == 4) {
    StudyCompleted c;
    c.study_uid = f[1];
    c.site = f[2];
    long long ms = 0;
    if (!parseInt(f[3], ms)) {
      return makeError(ErrorCode::InvalidInput, "bad time in StudyCompleted event");
    }
    c.completed_at = fromEpochMs(ms);
    return Event{std::move(c)};
  }
  const std::vector<std::string_view> rest(f.begin() + 1, f.end());
  if (f[0] == kOrderReceivedName) return toEvent(detail::readOrderReceived(rest));
  if (f[0] == kPatientUpdatedName) return toEvent(detail::readPatientUpdated(rest));
  if (f[0] == kPatientsMergedName) return toEvent(detail::readPatientsMerged(rest));
  if (f[0] == kReportReceivedName) return toEvent(detail::readReportReceived(rest));
  if (f[0] == kHl7MessageStoredName && f.size() == 4) {
    return Event{Hl7MessageStored{std::string(f[1]), std::string(f[2]), std::string(f[3])}};
  }
  return makeError(ErrorCode::InvalidInput, "unknown or malformed event",
                   std::string(f[0].substr(0, 40)));
}

}  // namespace sundial
