#include "engine/app/mllp_report_transport.h"

namespace sundial::app {

MllpReportTransport::MllpReportTransport(hl7::mllp::ClientOptions options)
    : client_(std::move(options)) {}

Result<engine::SiteAck> MllpReportTransport::send(std::string_view message) {
  auto ack = client_.send(message);
  if (!ack) return ack.error();
  engine::SiteAck out;
  out.code = std::string(hl7::ackCodeName(ack->code));
  out.error_text = ack->error_text;
  out.answer = siteAnswerFor(ack->code);
  return out;
}

void MllpReportTransport::close() { client_.close(); }

bool MllpReportTransport::connected() const { return client_.connected(); }

}  // namespace sundial::app
