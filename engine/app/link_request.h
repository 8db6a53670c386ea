#pragma once
// The path and body of a manual link, read before the matcher is asked. Pure: no I/O, any
// thread (the HTTP fuzz target runs it on arbitrary bytes).

#include <string>

#include "engine/domain/result.h"

namespace sundial::app {

// POST /api/v1/exceptions/{study_uid}/link with {"accession_number": "..."} or
// {"order": "<key>"}: exactly one of the two. Pure. NotFound when the path has another
// shape; InvalidInput for a study UID that is not a DICOM UID or a body that is not one of
// the two forms.
struct LinkRequest {
  std::string study_uid;
  bool by_accession = false;     // true: by accession_number; false: by order_key
  std::string accession_number;
  std::string order_key;
};
Result<LinkRequest> linkRequestFrom(const std::string& path_tail, const std::string& body);

}  // namespace sundial::app
