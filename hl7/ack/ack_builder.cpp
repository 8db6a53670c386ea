#include "hl7/ack/ack_builder.h"

#include <vector>

#include "hl7/message/charset.h"
#include "hl7/message/segments.h"

namespace sundial::hl7 {

namespace {

// v2.5 moved the error location to ERR-2 and the code to ERR-3; earlier versions use ERR-1
// (ELD). Versions compare as text: "2.3.1" < "2.4" < "2.5" < "2.5.1".
bool usesV25ErrorSegment(std::string_view version) { return version >= "2.5"; }
bool hasMessageStructure(std::string_view version) { return version >= "2.4"; }

bool wantsAcceptAck(const AckHeaderSource& received, AckClass ack_class) {
  if (ackModeOf(received) == AckMode::Original) return true;
  const std::string_view rule = received.accept_ack_type;
  if (rule == kAckNever) return false;
  if (rule == kAckOnErrorOnly) return ack_class != AckClass::Accept;
  if (rule == kAckOnSuccessOnly) return ack_class == AckClass::Accept;
  return true;  // AL, empty or unknown: answering is the safe side
}

void writeError(Message& ack, const std::string& version, const AckError& error) {
  const std::size_t err = ack.appendSegment("ERR");
  const ErrorLocation& where = error.location;
  const std::string number = std::to_string(hl7ErrorNumber(error.code));
  const std::string sequence = std::to_string(where.segment_sequence);
  const std::string field = where.field == 0 ? std::string{} : std::to_string(where.field);
  const auto set = [&](std::size_t f, std::size_t c, std::size_t s, std::string_view text) {
    if (!text.empty()) {
      ack.setValue(err, {.field = f, .repetition = 1, .component = c, .subcomponent = s}, text);
    }
  };
  if (usesV25ErrorSegment(version)) {
    if (!where.segment_id.empty()) {
      set(2, 1, 1, where.segment_id);
      set(2, 2, 1, sequence);
      set(2, 3, 1, field);
    }
    set(3, 1, 1, number);
    set(3, 2, 1, hl7ErrorText(error.code));
    set(3, 3, 1, kHl7ErrorCodeTable);
    set(4, 1, 1, "E");
    set(8, 1, 1, error.text);
    return;
  }
  if (!where.segment_id.empty()) {
    set(1, 1, 1, where.segment_id);
    set(1, 2, 1, sequence);
    set(1, 3, 1, field);
  }
  set(1, 4, 1, number);
  set(1, 4, 2, error.text.empty() ? hl7ErrorText(error.code) : std::string_view{error.text});
  set(1, 4, 3, kHl7ErrorCodeTable);
}

// Splits one segment line into fields (MSH-1 is the separator itself, so fields[i] is
// MSH-(i+1) for i >= 1).
std::vector<std::string_view> splitFields(std::string_view line, char separator) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = line.find(separator, start);
    fields.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return fields;
    start = end + 1;
  }
}

std::string_view firstComponent(std::string_view value, char component) {
  return value.substr(0, value.find(component));
}

}  // namespace

AckHeaderSource ackHeaderSource(const Message& received) {
  const MessageHeader header = readMessageHeader(received);
  const auto whole = [&](std::size_t field) {
    return std::string(received.raw(0, {.field = field, .repetition = 0}));
  };
  AckHeaderSource source;
  source.delimiters = received.delimiters();
  source.sending_application = whole(3);
  source.sending_facility = whole(4);
  source.receiving_application = whole(5);
  source.receiving_facility = whole(6);
  source.trigger_event = std::string(received.raw(0, {.field = 9, .component = 2}));
  source.control_id = whole(10);
  source.processing_id = whole(11);
  source.version = header.version;
  source.accept_ack_type = header.accept_ack_type;
  source.application_ack_type = header.application_ack_type;
  source.charset = whole(18);
  return source;
}

std::optional<AckHeaderSource> scanAckHeaderSource(std::string_view text) {
  std::size_t at = 0;
  while (true) {
    at = text.find("MSH", at);
    if (at == std::string_view::npos) return std::nullopt;
    if (at == 0 || text[at - 1] == '\r' || text[at - 1] == '\n' || text[at - 1] == '\x0b') break;
    at += 3;
  }
  const std::string_view line = text.substr(at, text.find_first_of("\r\n", at) - at);
  // MSH, the field separator, then at least component, repetition and escape characters.
  if (line.size() < 8) return std::nullopt;
  const char separator = line[3];
  const std::vector<std::string_view> fields = splitFields(line, separator);
  if (fields.size() < 10 || fields[1].size() < 3) return std::nullopt;
  const auto msh = [&](std::size_t n) {
    return n - 1 < fields.size() ? std::string(fields[n - 1]) : std::string{};
  };
  AckHeaderSource source;
  const std::string_view encoding = fields[1];
  source.delimiters.field = separator;
  source.delimiters.component = encoding[0];
  source.delimiters.repetition = encoding[1];
  source.delimiters.escape = encoding[2];
  source.delimiters.subcomponent = encoding.size() > 3 ? encoding[3] : '&';
  source.delimiters.truncation = encoding.size() > 4 ? encoding[4] : '\0';
  const char component = source.delimiters.component;
  source.sending_application = msh(3);
  source.sending_facility = msh(4);
  source.receiving_application = msh(5);
  source.receiving_facility = msh(6);
  const std::string message_type = msh(9);
  const std::size_t caret = message_type.find(component);
  if (caret != std::string::npos) {
    source.trigger_event = std::string(
        firstComponent(std::string_view(message_type).substr(caret + 1), component));
  }
  source.control_id = msh(10);
  source.processing_id = msh(11);
  source.version = std::string(firstComponent(msh(12), component));
  source.accept_ack_type = msh(15);
  source.application_ack_type = msh(16);
  source.charset = msh(18);
  if (source.control_id.empty()) return std::nullopt;
  return source;
}

AckMode ackModeOf(const AckHeaderSource& received) {
  return received.accept_ack_type.empty() && received.application_ack_type.empty()
             ? AckMode::Original
             : AckMode::Enhanced;
}

std::optional<std::string> buildAck(const AckHeaderSource& received, const AckRequest& request) {
  if (!wantsAcceptAck(received, request.ack_class)) return std::nullopt;
  Message ack = Message::create(received.delimiters, charsetFromName(received.charset));
  const auto raw = [&](std::size_t field, const std::string& text) {
    if (!text.empty()) ack.setRawField(0, field, text);
  };
  // Sender and receiver swap places.
  raw(3, received.receiving_application);
  raw(4, received.receiving_facility);
  raw(5, received.sending_application);
  raw(6, received.sending_facility);
  if (!request.date_time.empty()) ack.setValue(0, {.field = 7}, request.date_time);
  ack.setValue(0, {.field = 9, .component = 1}, "ACK");
  if (!received.trigger_event.empty()) {
    ack.setRawField(0, 9, "ACK" + std::string(1, received.delimiters.component) +
                              received.trigger_event);
  }
  if (hasMessageStructure(received.version)) {
    ack.setValue(0, {.field = 9, .component = 3}, "ACK");
  }
  if (!request.control_id.empty()) ack.setValue(0, {.field = 10}, request.control_id);
  raw(11, received.processing_id);
  if (!received.version.empty()) ack.setValue(0, {.field = 12}, received.version);
  raw(18, received.charset);

  const std::size_t msa = ack.appendSegment("MSA");
  const AckCode code = ackCodeFor(request.ack_class, ackModeOf(received));
  ack.setValue(msa, {.field = 1}, ackCodeName(code));
  if (!received.control_id.empty()) ack.setRawField(msa, 2, received.control_id);
  if (request.ack_class != AckClass::Accept && request.error) {
    if (!request.error->text.empty()) ack.setValue(msa, {.field = 3}, request.error->text);
    writeError(ack, received.version, *request.error);
  }
  return ack.toString();
}

std::optional<std::string> buildRejectForUnparsed(std::string_view text, Hl7ErrorCode code,
                                                  std::string_view reason,
                                                  std::string_view ack_control_id,
                                                  std::string_view date_time) {
  const std::optional<AckHeaderSource> received = scanAckHeaderSource(text);
  if (!received) return std::nullopt;
  AckRequest request;
  request.ack_class = AckClass::Reject;
  request.error = AckError{.location = {}, .code = code, .text = std::string(reason)};
  request.control_id = std::string(ack_control_id);
  request.date_time = std::string(date_time);
  return buildAck(*received, request);
}

}  // namespace sundial::hl7
