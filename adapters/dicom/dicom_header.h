#pragma once
// Reads the identifying attributes of a DICOM file cheaply: long values (pixel data) are
// skipped, not loaded, so a 15 MB image costs a few kilobytes of memory. Any thread.

#include <filesystem>
#include <string>

#include "engine/domain/instance.h"
#include "engine/domain/result.h"

namespace sundial::adapters::dicom {

struct DicomHeader {
  std::string study_uid;            // (0020,000D)
  std::string series_uid;           // (0020,000E)
  std::string sop_instance_uid;     // (0008,0018)
  std::string sop_class_uid;        // (0008,0016)
  std::string modality;             // (0008,0060), may be empty
  std::string transfer_syntax_uid;  // (0002,0010) from the file meta information
  std::string source_ae_title;      // (0002,0016): the AE title that sent the file to us
  InstanceStudyAttributes study;    // accession, patient, study date/time, description ...
};

// InvalidInput when the file is not a DICOM file DCMTK can parse; attributes that are absent
// come back empty (the caller decides which it needs).
Result<DicomHeader> readDicomHeader(const std::filesystem::path& file);

}  // namespace sundial::adapters::dicom
