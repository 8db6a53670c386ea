#include "engine/app/audit_api.h"

#include <nlohmann/json.hpp>

#include "engine/app/api_json.h"
#include "engine/audit/trail_query.h"

namespace sundial::app {
namespace {

using adapters::http::jsonError;
using adapters::http::Request;
using adapters::http::Response;
using nlohmann::json;

constexpr std::size_t kDefaultLimit = 1000;
constexpr std::size_t kMaxLimit = 10000;

// "2026-11-30" (midnight UTC), "2026-11-30T08:15:00Z", "2026-11-30T08:15:00.250Z" or epoch
// milliseconds.
std::optional<UtcTime> parseTime(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos &&
      text.size() <= 15) {
    const long long ms = std::stoll(text);
    if (!isUtcEpochMs(ms)) return std::nullopt;
    return fromEpochMs(ms);
  }
  std::string full = text;
  if (full.size() == 10) full += "T00:00:00.000Z";
  if (full.size() == 20 && full.back() == 'Z') full.insert(19, ".000");
  auto parsed = engine::audit::parseUtc(full);
  if (!parsed) return std::nullopt;
  return parsed.value();
}

json recordJson(const engine::audit::StoredRecord& stored) {
  const engine::AuditRecord& r = stored.record;
  return json{{"seq", stored.seq},
              {"time", engine::audit::formatUtc(r.at)},
              {"action", r.action},
              {"actor", r.actor},
              {"outcome", r.outcome},
              {"site", r.site},
              {"study_uid", r.study_uid},
              {"patient_id", r.patient_id},
              {"accession_number", r.accession_number},
              {"details", r.details},
              {"hash", stored.hash}};
}

std::string param(const Request& request, const char* name) {
  auto it = request.query.find(name);
  return it == request.query.end() ? std::string() : it->second;
}

}  // namespace

AuditApi::AuditApi(std::filesystem::path folder, engine::AuditSink& audit)
    : folder_(std::move(folder)), audit_(audit) {}

void AuditApi::install(adapters::http::HttpServer& server) {
  // Roles: auditor, admin.
  server.route("GET", "/api/v1/audit", [this](const Request& r) { return query(r); });
}

Response AuditApi::query(const Request& request) {
  if (request.principal && !request.principal->hasRole("auditor") &&
      !request.principal->hasRole("admin")) {
    return jsonError(403, "the audit trail is for auditors and admins");
  }
  static const char* kKnown[] = {"patient_id", "user", "study_uid", "from", "to", "action", "limit"};
  for (const auto& [key, value] : request.query) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) return jsonError(400, "unknown parameter '" + key + "'");
  }
  engine::audit::TrailQuery query;
  query.patient_id = param(request, "patient_id");
  query.user = param(request, "user");
  query.study_uid = param(request, "study_uid");
  query.action = param(request, "action");
  for (const char* bound : {"from", "to"}) {
    std::string text = param(request, bound);
    if (text.empty()) continue;
    auto t = parseTime(text);
    if (!t) {
      return jsonError(400, std::string(bound) +
                                " must be a UTC date (2026-11-30), time (2026-11-30T08:15:00Z) "
                                "or epoch milliseconds");
    }
    (std::string(bound) == "from" ? query.from : query.to) = *t;
  }
  if (query.from && query.to && *query.to <= *query.from) {
    return jsonError(400, "to must be after from");
  }
  query.limit = kDefaultLimit;
  std::string limit = param(request, "limit");
  if (!limit.empty()) {
    if (limit.find_first_not_of("0123456789") != std::string::npos || limit.size() > 6 ||
        std::stoul(limit) < 1 || std::stoul(limit) > kMaxLimit) {
      return jsonError(400, "limit must be between 1 and " + std::to_string(kMaxLimit));
    }
    query.limit = std::stoul(limit);
  }

  auto result = engine::audit::queryTrail(folder_, query);

  engine::AuditRecord asked;
  asked.action = "audit.query";
  asked.actor = request.principal ? request.principal->user : "anonymous@" + request.peer_address;
  asked.patient_id = query.patient_id;
  asked.study_uid = query.study_uid;
  asked.details = {{"peer_address", request.peer_address},
                   {"query", request.target},
                   {"returned", std::to_string(result.records.size())}};
  audit_.record(std::move(asked));

  json records = json::array();
  for (const auto& stored : result.records) records.push_back(recordJson(stored));
  return jsonResponse(200, {{"records", std::move(records)},
                            {"count", result.records.size()},
                            {"truncated", result.truncated}});
}

}  // namespace sundial::app
