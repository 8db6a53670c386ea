#include "engine/app/tat_api.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "adapters/http/error_status.h"
#include "engine/app/api_json.h"
#include "worklist/turnaround.h"

namespace sundial::app {
namespace {

using adapters::http::jsonError;
using adapters::http::Request;
using adapters::http::Response;
using nlohmann::json;
using worklist::TatDimension;

constexpr std::chrono::hours kDefaultRange{24};
constexpr std::size_t kDefaultBreaches = 100;
constexpr std::size_t kMaxBreaches = 1000;

struct TatQuery {
  UtcTime from{};
  UtcTime to{};
  std::vector<TatDimension> group_by;
};

Result<long long> parseNumber(const std::string& name, const std::string& text) {
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0 ||
      !isUtcEpochMs(value)) {
    return makeError(ErrorCode::InvalidInput, name + " must be a non-negative integer");
  }
  return value;
}

Result<TatQuery> queryFrom(const Request& request, UtcTime now) {
  TatQuery q;
  q.to = now;
  q.from = now - kDefaultRange;
  for (const auto& [key, value] : request.query) {
    if (key == "from" || key == "to") {
      auto ms = parseNumber(key + " (epoch ms)", value);
      if (!ms) return ms.error();
      (key == "from" ? q.from : q.to) = fromEpochMs(*ms);
    } else if (key == "group_by") {
      std::size_t start = 0;
      while (start <= value.size()) {
        std::size_t end = value.find(',', start);
        if (end == std::string::npos) end = value.size();
        std::string name = value.substr(start, end - start);
        if (!name.empty()) {
          auto d = worklist::parseTatDimension(name);
          if (!d) {
            return makeError(ErrorCode::InvalidInput,
                             "group_by: '" + name + "' is not one of site, modality, priority, reader");
          }
          q.group_by.push_back(*d);
        }
        start = end + 1;
      }
    } else {
      return makeError(ErrorCode::InvalidInput, "unknown parameter '" + key + "'");
    }
  }
  if (q.to <= q.from) return makeError(ErrorCode::InvalidInput, "from must be before to");
  return q;
}

// CSV fields here are names, numbers and site/reader names (letters, digits, _ - .): quoting
// is still applied to anything that could break a row.
std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void TatApi::install(adapters::http::HttpServer& server) {
  // Dispatchers, admins and auditors (the figures are the company's, across sites).
  server.route("GET", "/api/v1/tat", [this](const Request& r) { return tat(r, false); });
  server.route("GET", "/api/v1/tat.csv", [this](const Request& r) { return tat(r, true); });
  server.route("GET", "/api/v1/sla/breaches", [this](const Request& r) { return breaches(r); });
}

Response TatApi::tat(const Request& request, bool csv) {
  TaskCaller caller = taskCallerFrom(request.principal);
  if (!caller.reads_all && caller.sites.empty()) {
    return jsonError(403, "only dispatchers, admins, auditors and site viewers see turnaround");
  }
  auto q = queryFrom(request, tasks_.clock().utcNow());
  if (!q) return adapters::http::errorResponse(q.error());
  auto delivered = tasks_.deliveredBetween(q->from, q->to);
  if (!delivered) return adapters::http::errorResponse(delivered.error());
  if (!caller.reads_all) {  // a site viewer: their sites' tasks only
    std::erase_if(delivered.value(), [&](const worklist::Task& t) {
      return std::find(caller.sites.begin(), caller.sites.end(), t.site) == caller.sites.end();
    });
  }
  auto rows = worklist::computeTurnaround(delivered.value(), q->group_by);
  if (csv) {
    Response response;
    response.headers.emplace_back("Cache-Control", "no-store");
    response.content_type = "text/csv; charset=utf-8";
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"tat.csv\"");
    std::string& out = response.body;
    for (TatDimension d : q->group_by) out += std::string(worklist::tatDimensionName(d)) + ",";
    out += "tasks,sla_met,sla_compliance";
    for (const auto& interval : worklist::tatIntervals()) {
      for (const char* p : {"count", "p50_ms", "p90_ms", "p99_ms"}) {
        out += "," + std::string(interval.name) + "_" + p;
      }
    }
    out += "\n";
    for (const auto& row : rows) {
      for (TatDimension d : q->group_by) out += csvField(row.group.at(d)) + ",";
      char compliance[32];
      std::snprintf(compliance, sizeof compliance, "%.4f", row.sla_compliance);
      out += std::to_string(row.tasks) + "," + std::to_string(row.sla_met) + "," + compliance;
      for (const auto& interval : worklist::tatIntervals()) {
        auto it = row.intervals.find(interval.name);
        worklist::TatPercentiles p = it == row.intervals.end() ? worklist::TatPercentiles{} : it->second;
        out += "," + std::to_string(p.count) + "," + std::to_string(p.p50_ms) + "," +
               std::to_string(p.p90_ms) + "," + std::to_string(p.p99_ms);
      }
      out += "\n";
    }
    return response;
  }
  json items = json::array();
  for (const auto& row : rows) {
    json item;
    for (const auto& [d, value] : row.group) item[std::string(worklist::tatDimensionName(d))] = value;
    item["tasks"] = row.tasks;
    item["sla_met"] = row.sla_met;
    item["sla_compliance"] = row.sla_compliance;
    json intervals = json::object();
    for (const auto& [name, p] : row.intervals) {
      intervals[std::string(name)] = {
          {"count", p.count}, {"p50_ms", p.p50_ms}, {"p90_ms", p.p90_ms}, {"p99_ms", p.p99_ms}};
    }
    item["intervals"] = intervals;
    items.push_back(item);
  }
  json group_by = json::array();
  for (TatDimension d : q->group_by) group_by.push_back(worklist::tatDimensionName(d));
  return jsonResponse(200, {{"from_ms", toEpochMs(q->from)},
                            {"to_ms", toEpochMs(q->to)},
                            {"group_by", group_by},
                            {"rows", items}});
}

Response TatApi::breaches(const Request& request) {
  TaskCaller caller = taskCallerFrom(request.principal);
  if (!caller.reads_all && caller.sites.empty()) {
    return jsonError(403, "only dispatchers, admins, auditors and site viewers see breaches");
  }
  std::size_t limit = kDefaultBreaches;
  for (const auto& [key, value] : request.query) {
    if (key != "limit") return jsonError(400, "unknown parameter '" + key + "'");
    auto n = parseNumber("limit", value);
    if (!n || *n < 1 || *n > static_cast<long long>(kMaxBreaches)) {
      return jsonError(400, "limit must be between 1 and 1000");
    }
    limit = static_cast<std::size_t>(*n);
  }
  auto found = tasks_.recentBreaches(limit);
  if (!found) return adapters::http::errorResponse(found.error());
  json items = json::array();
  for (const auto& b : found.value()) {
    if (!caller.reads_all &&
        std::find(caller.sites.begin(), caller.sites.end(), b.site) == caller.sites.end()) {
      continue;
    }
    items.push_back({{"task_id", b.task_id},
                     {"site", b.site},
                     {"modality", b.modality},
                     {"priority", orderPriorityName(b.priority)},
                     {"reader", b.reader.empty() ? json(nullptr) : json(b.reader)},
                     {"state", worklist::taskStateName(b.state)},
                     {"cause", b.cause},
                     {"due_ms", toEpochMs(b.due)},
                     {"at_ms", toEpochMs(b.at)}});
  }
  return jsonResponse(200, {{"breaches", items}});
}

}  // namespace sundial::app
