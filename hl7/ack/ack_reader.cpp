#include "hl7/ack/ack_reader.h"

#include <optional>

#include "hl7/message/message.h"

namespace sundial::hl7 {

namespace {

void appendText(std::string& to, std::string_view text) {
  if (text.empty() || to.find(text) != std::string::npos) return;
  if (!to.empty()) to += "; ";
  to += text;
}

// The most human text an ERR carries: ERR-8 (user message), else ERR-3.2 (code text), else
// the v2.3 form ERR-1.4.2; with the code number when there is one.
std::string errorText(const Message& ack, std::size_t err) {
  std::string user = ack.value(err, {.field = 8});
  if (user.empty()) user = ack.value(err, {.field = 3, .component = 2});
  std::string number = ack.value(err, {.field = 3, .component = 1});
  if (user.empty()) user = ack.value(err, {.field = 1, .component = 4, .subcomponent = 2});
  if (number.empty()) number = ack.value(err, {.field = 1, .component = 4, .subcomponent = 1});
  if (number.empty()) return user;
  if (user.empty()) return number;
  return number + " " + user;
}

}  // namespace

Result<AckOutcome> readAck(std::string_view text) {
  Result<Message> parsed = parseMessage(text);
  if (!parsed) {
    return makeError(ErrorCode::InvalidInput, "acknowledgement is not an HL7 message",
                     parsed.error().message);
  }
  const Message& ack = parsed.value();
  const std::optional<std::size_t> msa = ack.findSegment("MSA");
  if (!msa) return makeError(ErrorCode::InvalidInput, "acknowledgement has no MSA segment");
  const std::string code_name = ack.value(*msa, {.field = 1});
  const std::optional<AckCode> code = ackCodeFromName(code_name);
  if (!code) {
    return makeError(ErrorCode::InvalidInput, "acknowledgement code MSA-1 is not known",
                     "MSA-1=" + code_name);
  }
  AckOutcome outcome;
  outcome.code = *code;
  outcome.delivered = isAcceptCode(*code);
  outcome.control_id = ack.value(*msa, {.field = 2});
  appendText(outcome.error_text, ack.value(*msa, {.field = 3}));
  for (const std::size_t err : ack.findSegments("ERR")) {
    appendText(outcome.error_text, errorText(ack, err));
  }
  return outcome;
}

}  // namespace sundial::hl7
