#include "rules/engine/safety_check.h"

namespace sundial::rules {

std::string_view constraintName(Constraint constraint) {
  switch (constraint) {
    case Constraint::UnknownReader: return "unknown_reader";
    case Constraint::Licence: return "licence";
    case Constraint::Credential: return "credential";
    case Constraint::Modality: return "modality";
    case Constraint::OnShift: return "on_shift";
    case Constraint::Online: return "online";
  }
  return "unknown";
}

std::optional<Rejection> checkReader(const ReaderProfile& reader, const SiteProfile& site,
                                     const DecisionInput& input) {
  // Detail strings are built only for a rejection: eligibility runs for every candidate of
  // every decision.
  if (!reader.hasLicence(site.state)) {
    return Rejection{reader.id, Constraint::Licence, "no licence for " + site.state};
  }
  if (!reader.isCredentialedAt(site.name)) {
    return Rejection{reader.id, Constraint::Credential, "not credentialed at " + site.name};
  }
  if (!reader.reads(input.study.modality)) {
    return Rejection{reader.id, Constraint::Modality, "does not read " + input.study.modality};
  }
  if (!reader.onShiftAt(input.now)) {
    // The local time is derivable from the recorded `now` and the zone: not formatted here,
    // since every off-shift candidate of every decision is recorded.
    return Rejection{reader.id, Constraint::OnShift, "off shift (" + reader.time_zone + ")"};
  }
  const ReaderStatus* status = input.statusOf(reader.id);
  if (status == nullptr || !status->online) {
    return Rejection{reader.id, Constraint::Online, "offline"};
  }
  return std::nullopt;
}

}  // namespace sundial::rules
