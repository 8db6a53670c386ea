#include "engine/domain/hl7_events.h"

#include <charconv>

namespace sundial::detail {
namespace {

void put(std::string& out, char separator, std::string_view field) {
  out += separator;
  out += field;
}

void putTime(std::string& out, char separator, UtcTime t) {
  put(out, separator, std::to_string(toEpochMs(t)));
}

Result<UtcTime> readTime(std::string_view text, std::string_view event) {
  long long ms = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return makeError(ErrorCode::InvalidInput, "bad time in " + std::string(event) + " event");
  }
  return fromEpochMs(ms);
}

Result<void> checkCount(const std::vector<std::string_view>& fields, size_t expected,
                        std::string_view event) {
  if (fields.size() == expected) return okResult();
  return makeError(ErrorCode::InvalidInput,
                   "malformed " + std::string(event) + " event: " +
                       std::to_string(fields.size()) + " fields, expected " +
                       std::to_string(expected));
}

}  // namespace

void appendHl7EventFields(std::string& out, char separator, const OrderReceived& e) {
  put(out, separator, e.site);
  put(out, separator, e.order_key);
  put(out, separator, e.status);
  put(out, separator, e.priority);
  put(out, separator, e.accession_number);
  putTime(out, separator, e.received_at);
}

void appendHl7EventFields(std::string& out, char separator, const PatientUpdated& e) {
  put(out, separator, e.site);
  put(out, separator, e.patient_id);
  putTime(out, separator, e.updated_at);
}

void appendHl7EventFields(std::string& out, char separator, const PatientsMerged& e) {
  put(out, separator, e.site);
  put(out, separator, e.surviving_patient_id);
  put(out, separator, e.prior_patient_id);
  putTime(out, separator, e.merged_at);
}

void appendHl7EventFields(std::string& out, char separator, const ReportReceived& e) {
  put(out, separator, e.site);
  put(out, separator, e.accession_number);
  put(out, separator, e.status);
  putTime(out, separator, e.received_at);
}

Result<OrderReceived> readOrderReceived(const std::vector<std::string_view>& f) {
  if (auto ok = checkCount(f, 6, "OrderReceived"); !ok) return ok.error();
  auto at = readTime(f[5], "OrderReceived");
  if (!at) return at.error();
  return OrderReceived{std::string(f[0]), std::string(f[1]), std::string(f[2]),
                       std::string(f[3]), std::string(f[4]), at.value()};
}

Result<PatientUpdated> readPatientUpdated(const std::vector<std::string_view>& f) {
  if (auto ok = checkCount(f, 3, "PatientUpdated"); !ok) return ok.error();
  auto at = readTime(f[2], "PatientUpdated");
  if (!at) return at.error();
  return PatientUpdated{std::string(f[0]), std::string(f[1]), at.value()};
}

Result<PatientsMerged> readPatientsMerged(const std::vector<std::string_view>& f) {
  if (auto ok = checkCount(f, 4, "PatientsMerged"); !ok) return ok.error();
  auto at = readTime(f[3], "PatientsMerged");
  if (!at) return at.error();
  return PatientsMerged{std::string(f[0]), std::string(f[1]), std::string(f[2]), at.value()};
}

Result<ReportReceived> readReportReceived(const std::vector<std::string_view>& f) {
  if (auto ok = checkCount(f, 4, "ReportReceived"); !ok) return ok.error();
  auto at = readTime(f[3], "ReportReceived");
  if (!at) return at.error();
  return ReportReceived{std::string(f[0]), std::string(f[1]), std::string(f[2]), at.value()};
}

}  // namespace sundial::detail
