// The authenticator and the gate together, with an in-memory session store, a recording
// audit sink and a hand-driven clock: log-in, sessions, expiry, revocation, API tokens,
// throttling, 401/403 per route.

#include "engine/app/authenticator.h"

#include <gtest/gtest.h>

#include <map>

#include "adapters/tls/crypto_random.h"
#include "adapters/tls/password_hash.h"
#include "engine/app/auth_gate.h"
#include "engine/config/config_loader.h"
#include "tests/support/fakes.h"

namespace sundial::app {
namespace {

using adapters::http::Request;
using namespace std::chrono_literals;

class MemorySessionStore final : public engine::auth::SessionStore {
 public:
  explicit MemorySessionStore(std::map<std::string, engine::auth::Session>& sessions)
      : sessions_(sessions) {}
  Result<void> create(const std::string& key, const engine::auth::Session& s) override {
    sessions_[key] = s;
    return okResult();
  }
  Result<std::optional<engine::auth::Session>> find(const std::string& key) override {
    if (down) return makeError(ErrorCode::Unavailable, "down");
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return std::optional<engine::auth::Session>();
    return std::optional<engine::auth::Session>(it->second);
  }
  Result<void> revoke(const std::string& key) override {
    sessions_.erase(key);
    return okResult();
  }
  bool down = false;

 private:
  std::map<std::string, engine::auth::Session>& sessions_;
};

class RecordingAudit final : public engine::AuditSink {
 public:
  void record(engine::AuditRecord r) override { records.push_back(std::move(r)); }
  std::vector<engine::AuditRecord> records;
};

constexpr const char* kMachineToken = "machine-token-for-the-test-0123456789";

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Fast scrypt parameters: the format is the same as production's.
    auto alice = adapters::tls::hashPassword("alice-password", {10, 8, 1});
    auto viewer = adapters::tls::hashPassword("viewer-password", {10, 8, 1});
    ASSERT_TRUE(alice && viewer);
    const std::string yaml = R"(node: {data_dir: /tmp/unused}
sites:
  - name: DEMO
    callers: [{ae_title: MOD, addresses: [127.0.0.1]}]
  - name: OTHER
    callers: [{ae_title: MOD2, addresses: [127.0.0.1]}]
security:
  session_ttl_s: 3600
  login_throttle: {max_failures: 3, window_s: 60, lockout_s: 120}
  metrics: {allow_addresses: [10.9.0.0/16], token_sha256: )" +
                             adapters::tls::sha256Hex("scrape") + R"(}
  users:
    - {name: alice, password_hash: ")" + alice.value() + R"(", roles: [dispatcher]}
    - {name: viewer, password_hash: ")" + viewer.value() +
                             R"(", roles: [site_viewer], sites: [DEMO]}
  api_tokens:
    - {name: bridge, token_sha256: )" + adapters::tls::sha256Hex(kMachineToken) +
                             R"(, roles: [auditor]}
)";
    auto loaded = config::loadConfigText(yaml, "test.yaml", "/tmp");
    ASSERT_TRUE(loaded.config) << (loaded.problems.empty() ? "" : loaded.problems[0].describe());
    auto store = std::make_unique<MemorySessionStore>(sessions_);
    store_ = store.get();
    auto made = Authenticator::create(loaded.config, std::move(store), clock_, audit_);
    ASSERT_TRUE(made) << made.error().describe();
    auth_ = std::move(made.value());
    gate_ = makeAuthGate(*auth_, engine::auth::AccessPolicy::standard());
  }

  Request request(std::string method, std::string path, std::string token = {}) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.peer_address = "192.0.2.7";
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return r;
  }
  // The status the gate answers, or 0 when it lets the request through.
  int gateStatus(Request& r) {
    auto refused = gate_(r);
    return refused ? refused->status : 0;
  }

  sundial::testing::FakeClock clock_;
  RecordingAudit audit_;
  std::map<std::string, engine::auth::Session> sessions_;
  MemorySessionStore* store_ = nullptr;
  std::unique_ptr<Authenticator> auth_;
  adapters::http::Gate gate_;
};

TEST_F(AuthenticatorTest, LogsInAndTheSessionAuthenticates) {
  auto granted = auth_->login("alice", "alice-password", "192.0.2.7");
  ASSERT_TRUE(granted) << granted.error().describe();
  EXPECT_EQ(granted->principal.roles, std::vector<std::string>{"dispatcher"});
  EXPECT_EQ(granted->expires_at, clock_.utcNow() + 3600s);
  // Only the token's hash is stored.
  ASSERT_EQ(sessions_.size(), 1u);
  EXPECT_EQ(sessions_.begin()->first, adapters::tls::sha256Hex(granted->token));
  Request r = request("GET", "/api/v1/studies", granted->token);
  EXPECT_EQ(gateStatus(r), 0);
  ASSERT_TRUE(r.principal);
  EXPECT_EQ(r.principal->user, "alice");
  ASSERT_FALSE(audit_.records.empty());
  EXPECT_EQ(audit_.records.back().action, "login");
  EXPECT_EQ(audit_.records.back().actor, "alice");
}

TEST_F(AuthenticatorTest, TheSessionCookieWorksToo) {
  auto granted = auth_->login("alice", "alice-password", "192.0.2.7");
  ASSERT_TRUE(granted);
  Request r = request("GET", "/api/v1/events");
  r.headers["cookie"] = "theme=dark; sundial_session=" + granted->token;
  EXPECT_EQ(gateStatus(r), 0);
}

TEST_F(AuthenticatorTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  auto wrong = auth_->login("alice", "nope", "192.0.2.7");
  auto unknown = auth_->login("mallory", "nope", "192.0.2.7");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code, ErrorCode::Rejected);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  ASSERT_EQ(audit_.records.size(), 2u);
  EXPECT_EQ(audit_.records[0].action, "login.failed");
  EXPECT_EQ(audit_.records[0].outcome, "failure");
  EXPECT_TRUE(sessions_.empty());
}

TEST_F(AuthenticatorTest, ThrottlesRepeatedFailuresEvenWithTheRightPassword) {
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(auth_->login("alice", "guess", "192.0.2.7"));
  auto locked = auth_->login("alice", "alice-password", "192.0.2.7");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::ResourceExhausted);
  EXPECT_NE(locked.error().message.find("120 s"), std::string::npos);
  clock_.advance(121s);
  EXPECT_TRUE(auth_->login("alice", "alice-password", "192.0.2.7"));
}

TEST_F(AuthenticatorTest, SessionsExpire) {
  auto granted = auth_->login("alice", "alice-password", "192.0.2.7");
  ASSERT_TRUE(granted);
  clock_.advance(3599s);
  Request before = request("GET", "/api/v1/studies", granted->token);
  EXPECT_EQ(gateStatus(before), 0);
  clock_.advance(1s);
  Request after = request("GET", "/api/v1/studies", granted->token);
  EXPECT_EQ(gateStatus(after), 401);
}

TEST_F(AuthenticatorTest, LogoutRevokes) {
  auto granted = auth_->login("alice", "alice-password", "192.0.2.7");
  ASSERT_TRUE(granted);
  ASSERT_TRUE(auth_->logout(granted->token, "alice"));
  Request r = request("GET", "/api/v1/studies", granted->token);
  EXPECT_EQ(gateStatus(r), 401);
  EXPECT_EQ(audit_.records.back().action, "logout");
}

TEST_F(AuthenticatorTest, AnsweredByRoleNotJustByLogin) {
  auto viewer = auth_->login("viewer", "viewer-password", "192.0.2.7");
  ASSERT_TRUE(viewer);
  Request studies = request("GET", "/api/v1/studies", viewer->token);
  EXPECT_EQ(gateStatus(studies), 0);
  EXPECT_EQ(studies.principal->sites, std::vector<std::string>{"DEMO"});
  Request destinations = request("GET", "/api/v1/destinations", viewer->token);
  EXPECT_EQ(gateStatus(destinations), 403);
  Request audit = request("GET", "/api/v1/audit", viewer->token);
  EXPECT_EQ(gateStatus(audit), 403);
}

TEST_F(AuthenticatorTest, ApiTokensAuthenticateMachines) {
  Request audit = request("GET", "/api/v1/audit", kMachineToken);
  EXPECT_EQ(gateStatus(audit), 0);
  EXPECT_EQ(audit.principal->user, "bridge");
  Request wrong = request("GET", "/api/v1/audit", "machine-token-for-the-test-0123456788");
  EXPECT_EQ(gateStatus(wrong), 401);
}

TEST_F(AuthenticatorTest, NoCredentialsIs401ForEveryApiRouteButLogin) {
  for (const char* path : {"/api/v1/studies", "/api/v1/destinations", "/api/v1/me",
                           "/api/v1/tasks", "/api/v1/audit", "/api/v1/rules"}) {
    Request r = request("GET", path);
    auto refused = gate_(r);
    ASSERT_TRUE(refused) << path;
    EXPECT_EQ(refused->status, 401) << path;
    ASSERT_FALSE(refused->headers.empty());
    EXPECT_EQ(refused->headers[0].first, "WWW-Authenticate");
  }
  Request login = request("POST", "/api/v1/login");
  EXPECT_EQ(gateStatus(login), 0);
  Request health = request("GET", "/healthz");
  EXPECT_EQ(gateStatus(health), 0);
  Request page = request("GET", "/assets/app.js");
  EXPECT_EQ(gateStatus(page), 0);
}

TEST_F(AuthenticatorTest, UnknownApiRouteIsRefusedEvenForAdmins) {
  Request r = request("GET", "/api/v1/not-in-the-policy", kMachineToken);
  EXPECT_EQ(gateStatus(r), 403);
  Request options = request("OPTIONS", "/api/v1/studies", kMachineToken);
  EXPECT_EQ(gateStatus(options), 403);
}

TEST_F(AuthenticatorTest, MetricsByScraperAddressOrToken) {
  Request from_scraper = request("GET", "/metrics");
  from_scraper.peer_address = "10.9.3.4";
  EXPECT_EQ(gateStatus(from_scraper), 0);
  Request from_elsewhere = request("GET", "/metrics");
  EXPECT_EQ(gateStatus(from_elsewhere), 401);
  Request with_token = request("GET", "/metrics", "scrape");
  EXPECT_EQ(gateStatus(with_token), 0);
  Request admin_session = request("GET", "/metrics", kMachineToken);
  EXPECT_EQ(gateStatus(admin_session), 401);
}

TEST_F(AuthenticatorTest, StoreDownIs503NotAnOpenDoor) {
  auto granted = auth_->login("alice", "alice-password", "192.0.2.7");
  ASSERT_TRUE(granted);
  store_->down = true;
  Request r = request("GET", "/api/v1/studies", granted->token);
  EXPECT_EQ(gateStatus(r), 503);
  EXPECT_FALSE(r.principal);
}

TEST(AuthenticatorStartup, ABadPasswordHashIsAStartupErrorNamingTheUser) {
  const std::string yaml = R"(node: {data_dir: /tmp/unused}
sites: [{name: DEMO, callers: [{ae_title: MOD, addresses: [127.0.0.1]}]}]
security:
  users: [{name: bob, password_hash: "$scrypt$ln=15,r=8,p=1$bad$bad", roles: [admin]}]
)";
  auto loaded = config::loadConfigText(yaml, "test.yaml", "/tmp");
  ASSERT_TRUE(loaded.config);
  sundial::testing::FakeClock clock;
  engine::NullAuditSink audit;
  std::map<std::string, engine::auth::Session> sessions;
  auto made = Authenticator::create(loaded.config, std::make_unique<MemorySessionStore>(sessions),
                                    clock, audit);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(made.error().message.find("'bob'"), std::string::npos);
}

TEST(BearerToken, ReadsTheHeaderOrTheCookie) {
  Request r;
  EXPECT_EQ(bearerToken(r), "");
  r.headers["cookie"] = "a=b; sundial_session=tok";
  EXPECT_EQ(bearerToken(r), "tok");
  r.headers["authorization"] = "bearer abc";
  EXPECT_EQ(bearerToken(r), "abc");
  r.headers["authorization"] = "Basic YWJj";
  EXPECT_EQ(bearerToken(r), "");
}

}  // namespace
}  // namespace sundial::app
