// libFuzzer target for HTTP request handling: raw bytes are parsed by Beast exactly as the
// server configures it (beast_request.h: its header and body limits, its refusals), each
// request on the "connection" (keep-alive, pipelined) goes through the real gate
// (Authenticator + AccessPolicy: bearer tokens, API tokens, session cookies, JWTs) and the
// real route table to the real log-in endpoints and the page's static files; every other
// API route gets a recording handler. The pure parsers the API handlers run on query strings
// and bodies (tasks, links, reports) and the JWT verifier (with claims the fuzzer writes,
// signed by the test issuer so that claim parsing is reached) run on every input too.
//
// Invariants beyond "no crash, no sanitizer report":
//  - a request under /api/v1 reaches a handler only with a principal the policy allows
//    (the log-in itself excepted);
//  - every answer has a final status (200..599), the server's refusals included;
//  - a parsed path is normalised ("/" first, no "." or ".." segment) and no answer ever
//    carries the file that sits beside the served folder.
// A broken invariant aborts, so libFuzzer keeps the input.
#include <utility>  // before Beast: see adapters/http/http_server.cpp

#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "adapters/http/beast_request.h"
#include "adapters/http/request_dispatch.h"
#include "adapters/http/route_table.h"
#include "adapters/http/static_files.h"
#include "adapters/tls/crypto_random.h"
#include "adapters/tls/jwt_verifier.h"
#include "adapters/tls/password_hash.h"
#include "engine/app/auth_api.h"
#include "engine/app/auth_gate.h"
#include "engine/app/authenticator.h"
#include "engine/app/link_request.h"
#include "engine/app/report_request.h"
#include "engine/app/task_request.h"
#include "engine/audit/audit_sink.h"
#include "engine/auth/access_policy.h"
#include "engine/config/config_loader.h"
#include "engine/domain/instance.h"
#include "engine/domain/log.h"
#include "tests/unit/security/jwt_test_keys.h"

namespace {

namespace bhttp = boost::beast::http;
namespace http = sundial::adapters::http;
namespace br = sundial::adapters::http::beast_request;
using namespace sundial;

void check(bool condition) {
  if (!condition) std::abort();
}

// Credentials the fuzzer can find in the seeds and the dictionary (tests/fuzz/http.dict).
constexpr std::string_view kApiToken = "fuzz-api-token-0123456789";
constexpr std::string_view kSessionToken = "fuzz-session-token-0123456789";
constexpr std::string_view kSecret = "SUNDIAL-FUZZ-SECRET-OUTSIDE-THE-SERVED-FOLDER";
constexpr std::string_view kIssuer = "https://idp.fuzz";
constexpr std::string_view kAudience = "sundial";
constexpr std::size_t kMaxRequestsPerInput = 8;
const UtcTime kNow{std::chrono::seconds(1'800'000'000)};

class FixedClock final : public Clock {
 public:
  SteadyTime steadyNow() const override { return SteadyTime{std::chrono::hours(1)}; }
  UtcTime utcNow() const override { return kNow; }
};

// The session store seam, in memory (the Redis one is tested against a real Redis): one
// session, for alice, known by its token's hash.
class MemorySessionStore final : public engine::auth::SessionStore {
 public:
  Result<void> create(const std::string& key, const engine::auth::Session& session) override {
    // Bounded: log-ins the fuzzer makes must not grow the store for the whole run.
    if (sessions_.size() > 64) sessions_.erase(std::next(sessions_.begin()));
    sessions_[key] = session;
    return okResult();
  }
  Result<std::optional<engine::auth::Session>> find(const std::string& key) override {
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return std::optional<engine::auth::Session>();
    return std::optional<engine::auth::Session>(it->second);
  }
  Result<void> revoke(const std::string& key) override {
    if (key != permanent_) sessions_.erase(key);
    return okResult();
  }
  void seed(const std::string& key, engine::auth::Session session) {
    permanent_ = key;
    sessions_[key] = std::move(session);
  }

 private:
  std::string permanent_;  // the seeded session survives a fuzzed log-out
  std::map<std::string, engine::auth::Session> sessions_;
};

struct Reached {
  bool handler = false;
  bool static_file = false;
};

// Everything built once: the configuration, the authenticator and its gate, the routes.
struct World {
  std::filesystem::path folder;
  FixedClock clock;
  engine::NullAuditSink audit;
  std::unique_ptr<sundial::testing::TestSigningKey> issuer_key;
  std::shared_ptr<const config::Config> config;
  std::unique_ptr<app::Authenticator> authenticator;
  std::unique_ptr<app::AuthApi> auth_api;
  std::shared_ptr<const http::StaticFiles> page;
  http::Gate gate;
  http::RouteTable routes;
  http::HttpOptions options;
  Reached reached;  // reset for each request
};

void writeFile(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string yamlFor(const std::filesystem::path& jwks) {
  // Fast scrypt parameters: the format is production's, the cost is not.
  auto alice = adapters::tls::hashPassword("alice-password", {10, 8, 1});
  auto bob = adapters::tls::hashPassword("bob-password", {10, 8, 1});
  check(alice.ok() && bob.ok());
  return R"(node: {data_dir: /tmp/unused}
sites:
  - name: DEMO
    callers: [{ae_title: MOD, addresses: [127.0.0.1]}]
security:
  session_ttl_s: 3600
  login_throttle: {max_failures: 1000000, window_s: 60, lockout_s: 1}
  metrics: {allow_addresses: [10.9.0.0/16], token_sha256: )" +
         adapters::tls::sha256Hex("scrape") + R"(}
  oidc: {issuer: ")" + std::string(kIssuer) + R"(", audience: )" + std::string(kAudience) +
         R"(, jwks_file: )" + jwks.string() + R"(, role_map: {radiologist: reader}}
  users:
    - {name: alice, password_hash: ")" + alice.value() + R"(", roles: [dispatcher]}
    - {name: bob, password_hash: ")" + bob.value() + R"(", roles: [reader], reader: bob}
  api_tokens:
    - {name: bridge, token_sha256: )" + adapters::tls::sha256Hex(std::string(kApiToken)) +
         R"(, roles: [auditor]}
)";
}

// A handler for a route whose real handler needs Redis: it records that it was reached and
// checks that the gate did its job.
http::Handler recording(World& world) {
  return [&world](const http::Request& request) {
    world.reached.handler = true;
    const engine::auth::AccessRule* rule =
        engine::auth::AccessPolicy::standard().find(request.method, request.path);
    if (engine::auth::isApiPath(request.path)) {
      check(rule != nullptr);
      if (rule->access != engine::auth::Access::Public) {
        check(request.principal.has_value());
        check(rule->access == engine::auth::Access::Authenticated ||
              engine::auth::AccessPolicy::allows(*rule, request.principal->roles));
      }
    }
    return http::Response{};
  };
}

World& world() {
  static World* made = [] {
    auto* w = new World;
    // Refusals are logged at warn; a fuzzing run would print millions of them.
    log::setMinimumLevel(log::Level::Error);
    w->folder = std::filesystem::temp_directory_path() /
                ("sundial-http-fuzz-" + std::to_string(::getpid()));
    writeFile(w->folder / "ui/index.html", "<!doctype html><title>sundial</title>");
    writeFile(w->folder / "ui/assets/app-1A2B.js", "console.log('page')");
    writeFile(w->folder / "secret.txt", kSecret);
    w->issuer_key = std::make_unique<sundial::testing::TestSigningKey>(
        sundial::testing::TestSigningKey::Type::Ec, "fuzz-ec");
    writeFile(w->folder / "jwks.json",
              nlohmann::json{{"keys", {w->issuer_key->jwk()}}}.dump());

    auto loaded = config::loadConfigText(yamlFor(w->folder / "jwks.json"), "fuzz.yaml", "/tmp");
    check(loaded.config != nullptr);
    w->config = loaded.config;
    auto store = std::make_unique<MemorySessionStore>();
    store->seed(adapters::tls::sha256Hex(std::string(kSessionToken)),
                {"alice", kNow - std::chrono::minutes(1), kNow + std::chrono::hours(1)});
    auto authenticator = app::Authenticator::create(w->config, std::move(store), w->clock, w->audit);
    check(authenticator.ok());
    w->authenticator = std::move(authenticator.value());
    w->gate = app::makeAuthGate(*w->authenticator, engine::auth::AccessPolicy::standard());
    w->auth_api = std::make_unique<app::AuthApi>(*w->authenticator, false);

    auto page = http::StaticFiles::loadFolder(w->folder / "ui");
    check(page.ok());
    w->page = std::make_shared<const http::StaticFiles>(std::move(page.value()));
    for (const std::string& path : w->page->urlPaths()) {
      w->routes.add("GET", path, [w](const http::Request& request) {
        w->reached.static_file = true;
        return w->page->serve(request);
      });
    }
    app::AuthApi& api = *w->auth_api;
    w->routes.add("POST", "/api/v1/login", [&api](const http::Request& r) { return api.login(r); });
    w->routes.add("POST", "/api/v1/logout", [&api, w](const http::Request& r) {
      w->reached.handler = true;
      check(r.principal.has_value());
      return api.logout(r);
    });
    w->routes.add("GET", "/api/v1/me", [&api, w](const http::Request& r) {
      w->reached.handler = true;
      check(r.principal.has_value());
      return api.me(r);
    });
    // The routes the serve command installs whose handlers need Redis or the spool.
    const std::pair<const char*, const char*> kStoreRoutes[] = {
        {"GET", "/healthz"},           {"GET", "/metrics"},
        {"GET", "/api/v1/studies"},    {"GET", "/api/v1/destinations"},
        {"GET", "/api/v1/audit"},      {"GET", "/api/v1/exceptions"},
        {"POST", "/api/v1/exceptions/*"}, {"GET", "/api/v1/orders"},
        {"GET", "/api/v1/reports/outbox"}, {"POST", "/api/v1/reports/dead/*"},
        {"POST", "/api/v1/reports"},   {"GET", "/api/v1/tat"},
        {"GET", "/api/v1/tat.csv"},    {"GET", "/api/v1/sla/breaches"},
        {"GET", "/api/v1/tasks"},      {"GET", "/api/v1/tasks/*"},
        {"POST", "/api/v1/tasks"},     {"POST", "/api/v1/tasks/*"},
        {"GET", "/api/v1/readers"},    {"POST", "/api/v1/readers/*"},
        {"GET", "/api/v1/sites"},      {"GET", "/api/v1/events"},
    };
    for (const auto& [method, pattern] : kStoreRoutes) w->routes.add(method, pattern, recording(*w));
    return w;
  }();
  return *made;
}

void checkPath(const std::string& path) {
  check(path.starts_with('/'));
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view segment(path.data() + start, end - start);
    check(segment != "." && segment != "..");
    check(segment.find('\0') == std::string_view::npos);
    start = end + 1;
  }
}

void checkResponse(const http::Response& response) {
  check(http::isFinalStatus(response.status));
  check(response.body.find(kSecret) == std::string::npos);
}

// The parsers the store-backed handlers run before touching a store, on whatever this
// request carries, whether or not the gate let it through.
void runApiParsers(const http::Request& request) {
  if (auto filter = app::taskFilterFrom(request.query); filter) {
    check(filter->limit >= 1 && filter->limit <= app::kMaxTaskLimit);
  }
  (void)app::newTaskFrom(request.body);
  const std::string& tail = request.path_tail.empty() ? request.path : request.path_tail;
  if (auto command = app::taskCommandFrom(tail, request.body); command) {
    check(command->task_id.find('/') == std::string::npos);
    check(command->action.find('/') == std::string::npos);
  }
  if (auto link = app::linkRequestFrom(tail, request.body); link) {
    check(isValidUid(link->study_uid));
    check(link->by_accession ? link->order_key.empty() : link->accession_number.empty());
  }
  if (auto report = app::parseReportRequest(request.body); report) {
    check(!report->report.site.empty() && !report->report.text.empty());
  }
  (void)app::bearerToken(request);
}

// The body as JWT claims signed by the configured issuer: the verifier's claim checks and
// the role mapping run on them (a forged token never gets that far).
void fuzzSignedClaims(World& w, const std::string& body) {
  nlohmann::json claims = nlohmann::json::parse(body, nullptr, false);
  if (!claims.is_object()) return;
  http::Request request;
  request.method = "GET";
  request.path = "/api/v1/me";
  request.headers["authorization"] = "Bearer " + w.issuer_key->sign(claims);
  auto principal = w.authenticator->authenticate(request);
  if (!principal) return;
  check(principal->user.starts_with("oidc:"));
  check(!principal->roles.empty());
  for (const std::string& role : principal->roles) {
    check(engine::auth::roleFromName(role).has_value());
  }
}

void handle(World& w, http::Request& request) {
  checkPath(request.path);
  const bool api = engine::auth::isApiPath(request.path);
  const bool had_credentials = !app::bearerToken(request).empty();
  w.reached = {};
  http::Response response = http::dispatchRequest(w.gate, w.routes, request);
  checkResponse(response);
  // Without credentials nothing under /api/v1 but the log-in answers 2xx.
  if (api && !had_credentials && request.path != "/api/v1/login") {
    check(!w.reached.handler);
    check(response.status >= 400);
  }
  if (w.reached.static_file && response.status == 200) {
    check(request.path == "/" || request.path == "/index.html" ||
          request.path == "/assets/app-1A2B.js");
  }
  runApiParsers(request);
  fuzzSignedClaims(w, request.body);
}

// One connection's bytes: requests one after another while the connection stays open.
void fuzzConnection(World& w, std::string_view bytes) {
  for (std::size_t n = 0; n < kMaxRequestsPerInput; ++n) {
    br::RequestParser parser;
    br::limitParser(parser, w.options);
    boost::system::error_code ec;
    bool header_checked = false;
    while (!parser.is_done()) {
      std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
      bytes.remove_prefix(used);
      if (ec == bhttp::error::need_more) {
        if (!bytes.empty()) {
          ec = {};
          if (used == 0) return;  // cannot happen with every byte offered; never spin
          continue;
        }
        parser.put_eof(ec);
      }
      if (!ec && !header_checked && parser.is_header_done()) {
        header_checked = true;
        if (auto refused = br::refuseHeader(parser.get())) {
          check(http::isFinalStatus(refused->status));
          return;  // answered, connection closed
        }
      }
      if (ec) break;
      if (used == 0 && !parser.is_done()) return;
    }
    if (ec) {
      if (auto refused = br::refuseParseError(ec)) check(http::isFinalStatus(refused->status));
      return;
    }
    if (!header_checked) {
      if (auto refused = br::refuseHeader(parser.get())) {
        check(http::isFinalStatus(refused->status));
        return;
      }
    }
    check(parser.get().body().size() <= w.options.max_body_bytes);
    const bool keep_alive = parser.get().keep_alive();
    Result<http::Request> request = br::toRequest(parser.get(), "192.0.2.7");
    if (request) handle(w, request.value());
    if (!keep_alive || bytes.empty()) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  fuzzConnection(w, std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
