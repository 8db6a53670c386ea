#include "engine/app/link_request.h"

#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/domain/instance.h"

namespace sundial::app {
namespace {

using nlohmann::json;

constexpr std::string_view kLinkSuffix = "/link";

}  // namespace

Result<LinkRequest> linkRequestFrom(const std::string& tail, const std::string& text) {
  // tail is "<study_uid>/link".
  if (tail.size() <= kLinkSuffix.size() ||
      tail.compare(tail.size() - kLinkSuffix.size(), kLinkSuffix.size(), kLinkSuffix) != 0) {
    return makeError(ErrorCode::NotFound, "expected /api/v1/exceptions/{study_uid}/link");
  }
  LinkRequest out;
  out.study_uid = tail.substr(0, tail.size() - kLinkSuffix.size());
  if (!isValidUid(out.study_uid)) {
    return makeError(ErrorCode::InvalidInput, "the study UID in the path is not a DICOM UID");
  }
  const json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return makeError(ErrorCode::InvalidInput,
                     "the body is not JSON: expected {\"accession_number\": \"...\"} or "
                     "{\"order\": \"<key>\"}");
  }
  const bool by_accession = body.is_object() && body.contains("accession_number") &&
                            body["accession_number"].is_string();
  const bool by_key = body.is_object() && body.contains("order") && body["order"].is_string();
  if (by_accession == by_key) {
    return makeError(ErrorCode::InvalidInput,
                     "give exactly one of \"accession_number\" or \"order\" (a string)");
  }
  out.by_accession = by_accession;
  if (by_accession) {
    out.accession_number = body["accession_number"].get<std::string>();
  } else {
    out.order_key = body["order"].get<std::string>();
  }
  return out;
}

}  // namespace sundial::app
