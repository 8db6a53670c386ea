#pragma once
// Reads a spooled file back into a SpooledInstance after a restart: the UIDs and modality
// from its header, the site from the calling AE title the receiver wrote into the file meta
// information (Source Application Entity Title).

#include <filesystem>
#include <memory>

#include "engine/config/config.h"
#include "engine/domain/instance.h"
#include "engine/domain/result.h"

namespace sundial::app {

Result<SpooledInstance> readSpooledInstance(const std::filesystem::path& file,
                                            const config::Config& config);

}  // namespace sundial::app
