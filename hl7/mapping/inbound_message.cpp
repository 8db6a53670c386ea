#include "hl7/mapping/inbound_message.h"

#include "hl7/mapping/adt_message.h"
#include "hl7/mapping/order_message.h"
#include "hl7/mapping/oru_report.h"
#include "hl7/message/message.h"
#include "hl7/message/segments.h"

namespace sundial::hl7::mapping {
namespace {

template <typename Change, typename T>
Result<InboundChange> wrap(Result<T> mapped) {
  if (!mapped) return mapped.error();
  return InboundChange{Change{std::move(mapped).value()}};
}

}  // namespace

Result<InboundChange> mapInboundMessage(std::string_view raw, std::string_view site,
                                        UtcTime received_at) {
  auto parsed = parseMessage(raw);
  if (!parsed) return parsed.error();
  const Message& message = parsed.value();
  const MessageHeader header = readMessageHeader(message);
  const std::string& code = header.message_code;
  const std::string& event = header.trigger_event;
  const std::string type = code + "^" + event;

  if ((code == "ORM" && event == "O01") || (code == "OMI" && event == "O23")) {
    return wrap<OrdersChange>(mapOrderMessage(message, site, received_at));
  }
  if (code == "ORU" && event == "R01") {
    return wrap<ReportChange>(mapReportMessage(message, site, received_at));
  }
  if (code == "ADT") {
    if (event == "A01" || event == "A04" || event == "A08") {
      return wrap<PatientChange>(mapPatientUpdate(message, site, received_at));
    }
    if (event == "A40") return wrap<MergeChange>(mapPatientMerge(message, site, received_at));
    return InboundChange{IgnoredMessage{type + " carries nothing Sundial uses"}};
  }
  return makeError(ErrorCode::InvalidInput,
                   "MSH-9 message type '" + type.substr(0, 20) +
                       "' is not one Sundial processes (ORM^O01, OMI^O23, ADT, ORU^R01)");
}

}  // namespace sundial::hl7::mapping
