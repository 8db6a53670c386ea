#include "hl7/message/writer.h"

namespace sundial::hl7 {

Message makeMessage(const MessageHeader& header, const Delimiters& delimiters) {
  Message message = Message::create(delimiters, charsetFromName(header.charset));
  const auto set = [&](std::size_t field, std::size_t component, const std::string& text) {
    if (!text.empty()) message.setValue(0, {.field = field, .component = component}, text);
  };
  set(3, 1, header.sending_application);
  set(4, 1, header.sending_facility);
  set(5, 1, header.receiving_application);
  set(6, 1, header.receiving_facility);
  set(7, 1, header.date_time);
  set(9, 1, header.message_code);
  set(9, 2, header.trigger_event);
  set(9, 3, header.message_structure);
  set(10, 1, header.control_id);
  set(11, 1, header.processing_id);
  set(12, 1, header.version);
  set(15, 1, header.accept_ack_type);
  set(16, 1, header.application_ack_type);
  if (!header.charset.empty()) message.setValue(0, {.field = 18}, header.charset);
  return message;
}

}  // namespace sundial::hl7
