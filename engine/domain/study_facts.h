#pragma once
// What the engine knows about a study from its DICOM headers: read from the first instance
// received (facts once per study, so the per-instance path stays cheap) and kept in the
// study's Redis hash. Used by the order matcher, the dispatcher and the rules. Patient
// identity in here never goes to logs unless identifying logs are configured.

#include <string>

#include "engine/domain/clock.h"

namespace sundial {

struct StudyFacts {
  std::string study_uid;
  std::string site;
  std::string accession_number;     // (0008,0050)
  std::string patient_id;           // (0010,0020)
  std::string patient_name;         // (0010,0010), DICOM PN "Family^Given"
  std::string birth_date;           // (0010,0030), YYYYMMDD
  std::string sex;                  // (0010,0040): F, M, O or empty
  std::string study_date;           // (0008,0020), YYYYMMDD as sent (the site's local date)
  std::string study_time;           // (0008,0030), HHMMSS[.ffffff] as sent
  std::string study_description;    // (0008,1030)
  std::string body_part_examined;   // (0018,0015)
  std::string modality;             // (0008,0060) of the first instance
  std::string referring_physician;  // (0008,0090), PN
  long long instances = 0;          // instances received so far
  bool complete = false;            // the tracker has recorded it complete
  UtcTime first_received_at{};
  UtcTime completed_at{};           // epoch when not complete
};

}  // namespace sundial
