// libFuzzer target for our decisions on a DICOM association request (DCMTK parses the PDUs;
// what it hands us comes from the peer): the caller policy (calling AE title and address ->
// site), the presentation-context negotiation (abstract syntax accepted? which transfer
// syntax?) and the per-site guard (TLS and certificate checks, association limits, the
// bytes-per-minute bucket). The input is text, one field per line:
//   calling AE / peer address / called AE / TLS? and certificate CN, then any number of
//   "abstract syntax|transfer syntax|transfer syntax..." lines (a presentation context each)
//   and "bytes:N" lines (a C-STORE of N bytes, charged to the site).
// Invariants: a site is found only for a caller its configuration lists from a matching
// address; a chosen transfer syntax is the proposer's first one we accept; an admitted
// association is counted and released; a delay is never negative nor above the guard's cap.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/dicom/receive_caller_policy.h"
#include "adapters/dicom/receive_negotiation.h"
#include "adapters/dicom/receive_site_guard.h"
#include "engine/config/config_loader.h"
#include "engine/domain/log.h"

namespace {

using namespace sundial;
using namespace sundial::adapters::dicom;

void check(bool condition) {
  if (!condition) std::abort();
}

class FakeClock final : public Clock {
 public:
  SteadyTime steadyNow() const override { return steady_; }
  UtcTime utcNow() const override { return UtcTime{std::chrono::seconds(1'800'000'000)}; }
  void advance(std::chrono::milliseconds by) { steady_ += by; }

 private:
  SteadyTime steady_{std::chrono::hours(1)};
};

constexpr const char* kConfig = R"(node: {data_dir: /tmp/unused}
sites:
  - name: DEMO
    callers:
      - {ae_title: MOD, addresses: [127.0.0.1, 10.1.0.0/16]}
      - {ae_title: CT1, addresses: ["2001:db8::/32"]}
  - name: OTHER
    callers: [{ae_title: MOD, addresses: [192.0.2.10]}]
)";

struct World {
  std::shared_ptr<const config::Config> config;
  CallerPolicy policy;
};

World& world() {
  static World* made = [] {
    auto* w = new World;
    log::setMinimumLevel(log::Level::Error);
    auto loaded = config::loadConfigText(kConfig, "fuzz.yaml", "/tmp");
    check(loaded.config != nullptr);
    w->config = loaded.config;
    w->policy = makeSiteCallerPolicy(w->config);
    return w;
  }();
  return *made;
}

std::vector<std::string_view> splitOn(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// The same decision the policy must make, written out plainly from the configuration.
bool listedCaller(const config::Config& config, const std::string& site, const std::string& ae,
                  const std::string& address) {
  const config::SiteConfig* found = config.findSite(site);
  if (!found) return false;
  std::string plain = address;
  if (plain.starts_with("::ffff:") && plain.find('.') != std::string::npos) plain = plain.substr(7);
  for (const auto& caller : found->callers) {
    if (caller.ae_title != ae) continue;
    for (const auto& pattern : caller.addresses) {
      if (config::addressMatches(pattern, plain)) return true;
    }
  }
  return false;
}

void negotiate(std::string_view line) {
  std::vector<std::string_view> parts = splitOn(line, '|');
  const std::string abstract_syntax(parts.front());
  (void)isAcceptedAbstractSyntax(abstract_syntax);
  std::vector<std::string> proposed(parts.begin() + 1, parts.end());
  std::optional<std::string> chosen = chooseTransferSyntax(proposed);
  auto first_accepted = std::find_if(proposed.begin(), proposed.end(),
                                     [](const std::string& uid) { return isAcceptedTransferSyntax(uid); });
  if (first_accepted == proposed.end()) {
    check(!chosen);
  } else {
    check(chosen && *chosen == *first_accepted);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  std::vector<std::string_view> lines =
      splitOn(std::string_view(reinterpret_cast<const char*>(data), size), '\n');
  if (lines.size() < 4) return 0;
  const std::string calling_ae(lines[0]);
  const std::string peer(lines[1]);
  const std::string called_ae(lines[2]);
  std::string reason;
  std::optional<std::string> site = w.policy(calling_ae, peer, called_ae, reason);
  if (site) {
    check(listedCaller(*w.config, *site, calling_ae, peer));
  } else {
    check(!reason.empty());
  }

  // lines[3]: "tls" or "plain", then an optional certificate CN after a space.
  const std::string_view tls_line = lines[3];
  TlsPeer tls{tls_line.starts_with("tls"), tls_line.find(' ') != std::string_view::npos,
              std::string(tls_line.substr(std::min(tls_line.size(), tls_line.find(' ') + 1)))};
  FakeClock clock;
  const std::string guarded = site.value_or("DEMO");
  SiteGuard guard({{"DEMO", SiteEdgePolicy{false, {}, 2, 60'000}},
                   {"OTHER", SiteEdgePolicy{true, {"other.example"}, 1, 1}}},
                  clock);
  int admitted = 0;
  for (std::size_t i = 4; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.starts_with("bytes:")) {
      std::uint32_t bytes = 0;  // one C-STORE: at most what a 32-bit DICOM length allows
      std::from_chars(line.data() + 6, line.data() + line.size(), bytes);
      std::chrono::milliseconds delay = guard.charge(guarded, bytes);
      check(delay >= std::chrono::milliseconds::zero() && delay <= SiteGuard::kMaxDelay);
      clock.advance(delay + std::chrono::milliseconds(bytes % 1000));
    } else if (line == "admit") {
      bool transient = false;
      if (!guard.admit(guarded, tls, transient)) ++admitted;
      check(guard.openAssociationsForTest(guarded) == admitted);
    } else if (line == "release") {
      guard.release(guarded);
      admitted = std::max(0, admitted - 1);
      check(guard.openAssociationsForTest(guarded) == admitted);
    } else {
      negotiate(line);
    }
  }
  return 0;
}
