#include "adapters/dicom/receive_caller_policy.h"

#include <string_view>

#include "engine/config/config_loader.h"

namespace sundial::adapters::dicom {
namespace {

// An IPv4 peer seen through an IPv6 socket ("::ffff:10.0.0.7") is matched as IPv4.
std::string plainAddress(const std::string& peer_ip) {
  constexpr std::string_view kMapped = "::ffff:";
  if (peer_ip.size() > kMapped.size() && peer_ip.compare(0, kMapped.size(), kMapped) == 0 &&
      peer_ip.find('.') != std::string::npos) {
    return peer_ip.substr(kMapped.size());
  }
  return peer_ip;
}

std::optional<std::string> findSite(const config::Config& config, const std::string& calling_ae,
                                    const std::string& peer_ip, std::string& reason) {
  std::string address = plainAddress(peer_ip);
  bool known_ae = false;
  for (const auto& site : config.sites) {
    for (const auto& caller : site.callers) {
      if (caller.ae_title != calling_ae) continue;
      known_ae = true;
      for (const auto& pattern : caller.addresses) {
        if (config::addressMatches(pattern, address)) return site.name;
      }
    }
  }
  reason = known_ae ? "calling AE title is not allowed from this address"
                    : "calling AE title is not configured for any site";
  return std::nullopt;
}

}  // namespace

CallerPolicy makeSiteCallerPolicy(
    std::function<std::shared_ptr<const config::Config>()> current) {
  return [current = std::move(current)](const std::string& calling_ae, const std::string& peer_ip,
                                        const std::string&, std::string& reason)
             -> std::optional<std::string> {
    std::shared_ptr<const config::Config> config = current();
    if (!config) {
      reason = "no configuration loaded";
      return std::nullopt;
    }
    return findSite(*config, calling_ae, peer_ip, reason);
  };
}

CallerPolicy makeSiteCallerPolicy(std::shared_ptr<const config::Config> config) {
  return makeSiteCallerPolicy([config = std::move(config)] { return config; });
}

}  // namespace sundial::adapters::dicom
