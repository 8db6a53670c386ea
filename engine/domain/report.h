#pragma once
// A radiology report (ORU^R01) as the engine carries it: from the reader's reporting system
// (or the worklist's "mark reported") to the site that ordered the study.

#include <string>

#include "engine/domain/clock.h"

namespace sundial {

// OBR-25: P preliminary, F final, C corrected (a correction or addendum to a final report).
enum class ReportStatus { Preliminary, Final, Corrected };

struct Report {
  std::string site;
  std::string accession_number;
  std::string placer_order_number;
  std::string filler_order_number;
  std::string study_instance_uid;  // when known
  std::string patient_id;
  std::string patient_name;
  std::string procedure_code;
  std::string procedure_text;
  ReportStatus status = ReportStatus::Final;
  std::string text;                // the report body (OBX-5 of the TX/FT results, in order)
  std::string reader_id;           // OBR-32: principal result interpreter
  UtcTime observed_at{};           // OBR-7/OBR-22
};

std::string_view reportStatusName(ReportStatus status);

}  // namespace sundial
