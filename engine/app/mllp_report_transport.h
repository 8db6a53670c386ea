#pragma once
// MllpReportTransport: engine::ReportTransport over the hl7/mllp client (one kept-open
// connection to one site). Maps the site's ACK code to what the sender does next:
// AA/CA Accepted, AE/CE Error, AR/CR Rejected. One per sender thread.

#include <memory>

#include "engine/reports/report_transport.h"
#include "hl7/mllp/client.h"

namespace sundial::app {

// The one mapping from the site's MSA-1 to what the sender does next (STYLE.md §4).
constexpr engine::SiteAnswer siteAnswerFor(hl7::AckCode code) {
  switch (code) {
    case hl7::AckCode::ApplicationAccept:
    case hl7::AckCode::CommitAccept:
      return engine::SiteAnswer::Accepted;
    case hl7::AckCode::ApplicationError:
    case hl7::AckCode::CommitError:
      return engine::SiteAnswer::Error;
    case hl7::AckCode::ApplicationReject:
    case hl7::AckCode::CommitReject:
      return engine::SiteAnswer::Rejected;
  }
  return engine::SiteAnswer::Rejected;  // not reached: every code is listed above
}

class MllpReportTransport final : public engine::ReportTransport {
 public:
  explicit MllpReportTransport(hl7::mllp::ClientOptions options);

  Result<engine::SiteAck> send(std::string_view message) override;
  void close() override;
  bool connected() const override;

 private:
  hl7::mllp::Client client_;
};

}  // namespace sundial::app
