#pragma once
// The security part's settings for the DICOM edge, from the configuration: the per-site
// guard (TLS, client certificate names, association and byte limits), the TLS listener's
// files, and which destinations are reached over TLS.

#include <memory>
#include <optional>
#include <string>

#include "adapters/dicom/dicom_tls_files.h"
#include "adapters/dicom/receive_site_guard.h"
#include "engine/config/config.h"

namespace sundial::app {

// Null when no site has security settings (nothing to check).
std::shared_ptr<adapters::dicom::SiteGuard> makeSiteGuard(const config::Config& config,
                                                          const Clock& clock);

// The DICOM TLS listener's files, when security.dicom_tls has a port.
std::optional<adapters::dicom::DicomTlsFiles> dicomListenerTls(const config::Config& config);

// The files to forward to `destination` over TLS, when it is listed in
// security.dicom_tls.destinations.
std::optional<adapters::dicom::DicomTlsFiles> destinationTls(const config::Config& config,
                                                             const std::string& destination);

}  // namespace sundial::app
