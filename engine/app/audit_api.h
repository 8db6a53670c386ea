#pragma once
// GET /api/v1/audit: the audit trail for auditors (roles auditor and admin; the security
// part's authenticator fills Request::principal, and a principal without either role is
// refused here as well). Every query is itself recorded ("audit.query": who asked what).
// Handlers run on the HTTP io threads; they only read trail files.

#include <filesystem>

#include "adapters/http/http_server.h"
#include "engine/audit/audit_sink.h"

namespace sundial::app {

class AuditApi {
 public:
  AuditApi(std::filesystem::path folder, engine::AuditSink& audit);

  void install(adapters::http::HttpServer& server);

  adapters::http::Response query(const adapters::http::Request& request);

 private:
  std::filesystem::path folder_;
  engine::AuditSink& audit_;
};

}  // namespace sundial::app
