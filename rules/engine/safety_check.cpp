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

std::optional<Constraint> firstFailedStandingConstraint(const ReaderProfile& reader,
                                                        const SiteProfile& site,
                                                        std::string_view modality) {
  if (!reader.hasLicence(site.state)) return Constraint::Licence;
  if (!reader.isCredentialedAt(site.name)) return Constraint::Credential;
  if (!reader.reads(modality)) return Constraint::Modality;
  return std::nullopt;
}

std::optional<Constraint> firstFailedConstraint(const ReaderProfile& reader,
                                                const SiteProfile& site,
                                                const DecisionInput& input) {
  if (auto standing = firstFailedStandingConstraint(reader, site, input.study.modality)) {
    return standing;
  }
  if (!reader.onShiftAt(input.now)) return Constraint::OnShift;
  const ReaderStatus* status = input.statusOf(reader.id);
  if (status == nullptr || !status->online) return Constraint::Online;
  return std::nullopt;
}

std::optional<Rejection> checkReader(const ReaderProfile& reader, const SiteProfile& site,
                                     const DecisionInput& input) {
  const auto failed = firstFailedConstraint(reader, site, input);
  if (!failed) return std::nullopt;
  return describeRejection(reader, site, input, *failed);
}

Rejection describeRejection(const ReaderProfile& reader, const SiteProfile& site,
                            const DecisionInput& input, Constraint failed) {
  switch (failed) {
    case Constraint::Licence:
      return Rejection{reader.id, failed, "no licence for " + site.state};
    case Constraint::Credential:
      return Rejection{reader.id, failed, "not credentialed at " + site.name};
    case Constraint::Modality:
      return Rejection{reader.id, failed, "does not read " + input.study.modality};
    case Constraint::OnShift:
      // The local time is derivable from the recorded `now` and the zone: not formatted here,
      // since every off-shift candidate of every decision is recorded.
      return Rejection{reader.id, failed, "off shift (" + reader.time_zone + ")"};
    case Constraint::Online:
      return Rejection{reader.id, failed, "offline"};
    case Constraint::UnknownReader:
      break;
  }
  return Rejection{reader.id, failed, "unknown reader"};
}

}  // namespace sundial::rules
