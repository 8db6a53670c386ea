#include "engine/app/spool_recovery.h"

#include <system_error>

#include "adapters/dicom/dicom_header.h"
#include "engine/domain/log.h"

namespace sundial::app {
namespace {

// The site whose callers include this AE title. An AE title configured for several sites
// (from different addresses) is ambiguous here, since the file does not keep the address:
// the first such site is taken, and the choice is logged.
std::string siteForCaller(const config::Config& config, const std::string& calling_ae) {
  std::string found;
  for (const auto& site : config.sites) {
    for (const auto& caller : site.callers) {
      if (caller.ae_title != calling_ae) continue;
      if (found.empty()) {
        found = site.name;
      } else if (found != site.name) {
        log::warn("spool_recovery_ambiguous_caller",
                  {{"calling_ae", calling_ae}, {"site", found}, {"also", site.name}});
      }
    }
  }
  return found;
}

}  // namespace

Result<SpooledInstance> readSpooledInstance(const std::filesystem::path& file,
                                            const config::Config& config) {
  auto header = adapters::dicom::readDicomHeader(file);
  if (!header) return header.error();
  SpooledInstance instance;
  instance.calling_ae = header->source_ae_title;
  instance.site = siteForCaller(config, instance.calling_ae);
  if (instance.site.empty()) {
    return makeError(ErrorCode::NotFound, "no configured site has this calling AE title",
                     "calling AE '" + instance.calling_ae + "'");
  }
  instance.study_uid = header->study_uid;
  instance.series_uid = header->series_uid;
  instance.sop_instance_uid = header->sop_instance_uid;
  instance.sop_class_uid = header->sop_class_uid;
  instance.transfer_syntax_uid = header->transfer_syntax_uid;
  instance.modality = header->modality;
  instance.spool_path = file.string();
  instance.study = header->study;
  std::error_code ec;
  instance.bytes = std::filesystem::file_size(file, ec);
  auto written = std::filesystem::last_write_time(file, ec);
  instance.received_at = ec ? UtcTime{} : std::chrono::time_point_cast<UtcTime::duration>(std::chrono::file_clock::to_sys(written));
  if (!isValidUid(instance.study_uid) || !isValidUid(instance.sop_instance_uid)) {
    return makeError(ErrorCode::InvalidInput, "spooled file lacks a valid Study or SOP Instance UID");
  }
  return instance;
}

}  // namespace sundial::app
