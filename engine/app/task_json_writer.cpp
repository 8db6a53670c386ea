#include "engine/app/task_json_writer.h"

#include <charconv>
#include <cmath>
#include <iterator>
#include <utility>

#include "engine/domain/utf8.h"

namespace sundial::app {
namespace {

// How many bytes of text, from `at`, make one UTF-8 character (valid) or one ill-formed
// sequence to replace by a single U+FFFD: its lead and the continuation bytes that could still
// have been right (Unicode's "maximal subpart", which nlohmann's replacing dump follows).
void appendKey(std::string& out, std::string_view key) {
  out += '"';
  out += key;  // our own names: nothing to escape
  out += "\":";
}

void appendInt(std::string& out, long long value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

// nlohmann writes a double in its shortest form, with ".0" when that looks like an integer.
void appendDouble(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
  out += text;
  if (text.find_first_of(".eEn") == std::string_view::npos) out += ".0";
}

void appendMs(std::string& out, UtcTime t) {
  if (t == UtcTime{}) {
    out += "null";
    return;
  }
  appendInt(out, toEpochMs(t));
}

void appendStringOrNull(std::string& out, const std::string& text) {
  if (text.empty()) {
    out += "null";
    return;
  }
  appendJsonString(out, text);
}

void appendStringList(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    appendJsonString(out, items[i]);
  }
  out += ']';
}

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const Utf8Step step = utf8Step(text, i);
      if (step.valid) {
        out.append(text.substr(i, step.length));
      } else {
        out += "\xEF\xBF\xBD";  // U+FFFD
      }
      i += step.length;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

// Keys in byte order, as nlohmann::json (a std::map) keeps and dumps them.
void appendTaskJson(std::string& out, const worklist::Task& t, const TaskJsonOptions& options) {
  out += '{';
  appendKey(out, "assigned_reader");
  appendStringOrNull(out, t.assigned_reader);
  out += ',';
  appendKey(out, "claimed_by");
  appendStringOrNull(out, t.claimed_by);
  out += ',';
  appendKey(out, "decision_id");
  appendJsonString(out, t.decision_id);
  out += ',';
  appendKey(out, "due_ms");
  appendMs(out, t.due);
  out += ',';
  appendKey(out, "id");
  appendJsonString(out, t.id);
  out += ',';
  appendKey(out, "lease_expires_ms");
  appendMs(out, t.lease_expires);
  out += ',';
  appendKey(out, "modality");
  appendJsonString(out, t.modality);
  out += ',';
  appendKey(out, "order");
  out += '{';
  appendKey(out, "accession_number");
  appendJsonString(out, t.order.accession_number);
  out += ',';
  appendKey(out, "ordering_provider");
  appendJsonString(out, t.order.ordering_provider);
  out += ',';
  appendKey(out, "placer_order_number");
  appendJsonString(out, t.order.placer_order_number);
  out += ',';
  appendKey(out, "procedure_code");
  appendJsonString(out, t.order.procedure_code);
  out += ',';
  appendKey(out, "procedure_text");
  appendJsonString(out, t.order.procedure_text);
  out += ',';
  appendKey(out, "reason_for_exam");
  appendJsonString(out, t.order.reason_for_exam);
  out += "},";
  appendKey(out, "patient");
  out += '{';
  appendKey(out, "age");
  appendJsonString(out, t.patient.age);
  out += ',';
  if (options.include_identity) {
    appendKey(out, "name");
    appendJsonString(out, t.patient.name);
    out += ',';
    appendKey(out, "patient_id");
    appendJsonString(out, t.patient.patient_id);
    out += ',';
  }
  appendKey(out, "sex");
  appendJsonString(out, t.patient.sex);
  out += "},";
  appendKey(out, "pool");
  appendStringOrNull(out, t.pool);
  out += ',';
  appendKey(out, "priority");
  appendJsonString(out, orderPriorityName(t.priority));
  out += ',';
  appendKey(out, "rvu");
  appendDouble(out, t.rvu);
  out += ',';
  appendKey(out, "site");
  appendJsonString(out, t.site);
  out += ',';
  appendKey(out, "sla");
  out += '{';
  appendKey(out, "breached");
  out += t.sla_breached ? "true" : "false";
  out += ',';
  if (options.now != UtcTime{} && t.due != UtcTime{}) {
    appendKey(out, "remaining_ms");
    appendInt(out, toEpochMs(t.due) - toEpochMs(options.now));
    out += ',';
  }
  appendKey(out, "warn_at_ms");
  appendMs(out, t.warn_at);
  out += ',';
  appendKey(out, "warned");
  out += t.sla_warned ? "true" : "false";
  out += "},";
  appendKey(out, "state");
  appendJsonString(out, worklist::taskStateName(t.state));
  out += ',';
  appendKey(out, "study_uids");
  appendStringList(out, t.study_uids);
  out += ',';
  appendKey(out, "tags");
  appendStringList(out, t.tags);
  out += ',';
  appendKey(out, "times");
  out += '{';
  const std::pair<std::string_view, UtcTime> times[] = {
      {"assigned_ms", t.times.assigned},       {"claimed_ms", t.times.claimed},
      {"created_ms", t.times.created},         {"delivered_ms", t.times.delivered},
      {"final_ms", t.times.final_report},      {"first_image_ms", t.times.first_image},
      {"ordered_ms", t.times.ordered},         {"preliminary_ms", t.times.preliminary},
      {"started_ms", t.times.started},         {"study_complete_ms", t.times.study_complete}};
  for (std::size_t i = 0; i < std::size(times); ++i) {
    if (i) out += ',';
    appendKey(out, times[i].first);
    appendMs(out, times[i].second);
  }
  out += "},";
  appendKey(out, "version");
  appendInt(out, t.version);
  if (!options.viewer_url_template.empty()) {
    out += ',';
    appendKey(out, "viewer_url");
    appendJsonString(out, expandViewerUrl(options.viewer_url_template, t));
  }
  out += '}';
}

}  // namespace sundial::app
