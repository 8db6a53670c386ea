#pragma once
// The caller policy built from the configuration: a calling AE title and peer address belong
// to the site whose `callers` list them (exact IPs or CIDR blocks). Thread-safe.

#include <functional>
#include <memory>

#include "adapters/dicom/receive_storage_receiver.h"
#include "engine/config/config.h"

namespace sundial::adapters::dicom {

// Reads the snapshot given by `current` at each association (so a reload applies to the next
// association). `current` must be thread-safe.
CallerPolicy makeSiteCallerPolicy(std::function<std::shared_ptr<const config::Config>()> current);

// A fixed configuration.
CallerPolicy makeSiteCallerPolicy(std::shared_ptr<const config::Config> config);

}  // namespace sundial::adapters::dicom
