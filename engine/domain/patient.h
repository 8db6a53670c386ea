#pragma once
// Patient demographics (ADT^A01/A04/A08) and merges (ADT^A40) as the engine keeps them. The
// identity in here is kept in Redis only; it never goes to logs unless identifying logs are
// configured.

#include <string>

#include "engine/domain/clock.h"

namespace sundial {

struct PatientDemographics {
  std::string site;
  std::string patient_id;    // PID-3 (first repetition's ID)
  std::string patient_name;  // PID-5, as "Family^Given"
  std::string birth_date;    // PID-7, YYYYMMDD
  std::string sex;           // PID-8
  UtcTime updated_at{};
};

// ADT^A40: the prior patient ID (MRG-1) is merged into the surviving one (PID-3).
struct PatientMergeRequest {
  std::string site;
  std::string surviving_patient_id;
  std::string prior_patient_id;
  UtcTime merged_at{};
};

}  // namespace sundial
