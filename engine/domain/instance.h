#pragma once
// What Sundial knows about one received DICOM instance once it is safely in the spool.

#include <cstdint>
#include <string>

#include "engine/domain/clock.h"

namespace sundial {

// Study-level attributes read from each instance's header (cheap: short values only) and
// stored with the study once, from its first instance (engine/domain/study_facts.h).
struct InstanceStudyAttributes {
  std::string accession_number;     // (0008,0050)
  std::string patient_id;           // (0010,0020)
  std::string patient_name;         // (0010,0010)
  std::string birth_date;           // (0010,0030)
  std::string sex;                  // (0010,0040)
  std::string study_date;           // (0008,0020)
  std::string study_time;           // (0008,0030)
  std::string study_description;    // (0008,1030)
  std::string body_part_examined;   // (0018,0015)
  std::string referring_physician;  // (0008,0090)
};

struct SpooledInstance {
  std::string site;                 // configured site name the sender belongs to
  std::string calling_ae;           // the sender's AE title
  std::string study_uid;            // Study Instance UID (0020,000D)
  std::string series_uid;           // Series Instance UID (0020,000E)
  std::string sop_instance_uid;     // SOP Instance UID (0008,0018)
  std::string sop_class_uid;        // SOP Class UID (0008,0016)
  std::string transfer_syntax_uid;  // as stored in the spool file
  std::string modality;             // (0008,0060), may be empty
  std::string spool_path;           // absolute path of the spooled file
  std::uint64_t bytes = 0;          // file size on disk
  UtcTime received_at{};
  InstanceStudyAttributes study;    // never logged: patient identity
};

// A DICOM UID: 1..64 characters of digits and dots, not starting or ending with a dot.
// Checked before a UID is used in a file name or a Redis key.
bool isValidUid(const std::string& uid);

}  // namespace sundial
