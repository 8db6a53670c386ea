#include "engine/app/dicom_security.h"

#include <algorithm>

namespace sundial::app {
namespace {

adapters::dicom::DicomTlsFiles filesOf(const config::TlsFilesConfig& tls) {
  return {tls.certificate.string(), tls.private_key.string(), tls.ca_file.string()};
}

}  // namespace

std::shared_ptr<adapters::dicom::SiteGuard> makeSiteGuard(const config::Config& config,
                                                          const Clock& clock) {
  std::map<std::string, adapters::dicom::SiteEdgePolicy> policies;
  for (const config::SiteConfig& site : config.sites) {
    const config::SiteSecurityConfig& s = site.security;
    if (!s.require_tls && s.certificate_names.empty() && s.max_associations == 0 &&
        s.max_bytes_per_minute == 0) {
      continue;
    }
    policies[site.name] = {s.require_tls, s.certificate_names, s.max_associations,
                           s.max_bytes_per_minute};
  }
  if (policies.empty()) return nullptr;
  return std::make_shared<adapters::dicom::SiteGuard>(std::move(policies), clock);
}

std::optional<adapters::dicom::DicomTlsFiles> dicomListenerTls(const config::Config& config) {
  if (!config.security.dicom_tls.enabled() || config.security.dicom_tls_port == 0) {
    return std::nullopt;
  }
  return filesOf(config.security.dicom_tls);
}

std::optional<adapters::dicom::DicomTlsFiles> destinationTls(const config::Config& config,
                                                             const std::string& destination) {
  const auto& listed = config.security.tls_destinations;
  if (std::find(listed.begin(), listed.end(), destination) == listed.end()) return std::nullopt;
  return filesOf(config.security.dicom_tls);
}

}  // namespace sundial::app
