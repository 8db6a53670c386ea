#include "adapters/dicom/dicom_text_utf8.h"

#include <iconv.h>

#include <optional>

#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcitem.h"
#include "engine/domain/utf8.h"

namespace sundial::adapters::dicom {
namespace {

constexpr const char* kUtf8 = "ISO_IR 192";

std::string asciiOnly(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || (byte < 0x20 && byte != '\t') || byte == 0x7F) c = '?';
  }
  return out;
}

// glibc's iconv, for what DCMTK's mapping of character set names does not cover.
std::optional<std::string> iconvToUtf8(const std::string& text, const char* from) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(text.size() * 4 + 16, '\0');
  char* in_ptr = const_cast<char*>(text.data());
  std::size_t in_left = text.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  const std::size_t done = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  if (done == static_cast<std::size_t>(-1) || in_left != 0) return std::nullopt;
  out.resize(out.size() - out_left);
  return out;
}

bool isAscii(const std::string& text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

TextToUtf8::TextToUtf8(DcmItem* dataset) {
  OFString charset;
  if (dataset == nullptr ||
      dataset->findAndGetOFStringArray(DCM_SpecificCharacterSet, charset).bad()) {
    return;
  }
  std::string name(charset.c_str(), charset.length());
  while (!name.empty() && name.back() == ' ') name.pop_back();
  if (name.empty() || name == "ISO_IR 6" || name == kUtf8) return;
  needs_conversion_ = true;
  japanese_iso2022_ = name.find("ISO 2022 IR 87") != std::string::npos ||
                      name.find("ISO 2022 IR 159") != std::string::npos;
  converter_ready_ = converter_.selectCharacterSet(charset, kUtf8).good();
}

std::string TextToUtf8::convert(const std::string& text, const char* delimiters) const {
  // Pure ASCII is the same in every character set a site may declare, except the ISO 2022
  // ones, whose escape sequences are ASCII bytes: those must go through the converter.
  const bool has_escape = text.find('\x1b') != std::string::npos;
  if (!needs_conversion_ && !has_escape) return isValidUtf8(text) ? text : asciiOnly(text);
  if (!needs_conversion_) return asciiOnly(text);  // escape sequences without an ISO 2022 set
  if (isAscii(text) && !has_escape) return text;
  if (!converter_ready_) {
    std::optional<std::string> converted;
    if (japanese_iso2022_) converted = iconvToUtf8(text, "ISO-2022-JP-2");
    return converted && isValidUtf8(*converted) ? *converted : asciiOnly(text);
  }
  OFString converted;
  OFString from(text.data(), text.size());
  if (converter_.convertString(from, converted, delimiters).bad()) return asciiOnly(text);
  std::string out(converted.c_str(), converted.length());
  return isValidUtf8(out) ? out : asciiOnly(text);
}

}  // namespace sundial::adapters::dicom
