#pragma once
// MllpReportTransport: engine::ReportTransport over the hl7/mllp client (one kept-open
// connection to one site). Maps the site's ACK code to what the sender does next:
// AA/CA Accepted, AE/CE Error, AR/CR Rejected. One per sender thread.

#include <memory>

#include "engine/reports/report_transport.h"
#include "hl7/mllp/client.h"

namespace sundial::app {

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
