#pragma once
// Text attributes of a data set in UTF-8, whatever Specific Character Set (0008,0005) the site
// wrote them in: a Greek, Cyrillic, Japanese or Latin-1 patient name reaches the worklist, the
// rules and the matcher as the same text an HL7 order carries (hl7/ decodes MSH-18 to UTF-8).

#include <string>

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include "dcmtk/dcmdata/dcspchrs.h"

class DcmItem;

namespace sundial::adapters::dicom {

class TextToUtf8 {
 public:
  // Reads (0008,0005) of `dataset`. No value, ASCII (ISO_IR 6) or UTF-8 (ISO_IR 192): text is
  // passed through as it is.
  explicit TextToUtf8(DcmItem* dataset);

  // `delimiters`: where an ISO 2022 character set switches back to the default (for a person
  // name "\\^="; none for plain text). Text that cannot be converted (an unknown character set
  // or bytes that are not valid in it) keeps its printable ASCII and has every other byte
  // replaced by '?', so what leaves here is always valid UTF-8 without control characters.
  std::string convert(const std::string& text, const char* delimiters = "") const;

 private:
  bool needs_conversion_ = false;
  bool converter_ready_ = false;
  // DCMTK built on glibc's iconv refuses the Japanese ISO 2022 sets (IR 87, IR 159), which
  // glibc itself reads as ISO-2022-JP-2: the escape sequences in the value say the rest.
  bool japanese_iso2022_ = false;
  mutable DcmSpecificCharacterSet converter_;
};

}  // namespace sundial::adapters::dicom
