#include "engine/hl7_ingest/hl7_ingest_service.h"

#include "engine/domain/log.h"
#include "engine/hl7_ingest/message_check.h"
#include "hl7/ack/ack_reader.h"

namespace sundial::engine {
namespace {

using hl7::mllp::Reply;

constexpr std::array<hl7::AckCode, 6> kAllCodes = {
    hl7::AckCode::ApplicationAccept, hl7::AckCode::ApplicationError,
    hl7::AckCode::ApplicationReject, hl7::AckCode::CommitAccept,
    hl7::AckCode::CommitError,       hl7::AckCode::CommitReject};

std::string base36(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[value % 36]);
    value /= 36;
  } while (value > 0);
  return out;
}

}  // namespace

Hl7IngestService::Hl7IngestService(std::shared_ptr<const SenderDirectory> senders,
                                   IngestStore& store, Metrics& metrics, const Clock& clock)
    : senders_(std::move(senders)),
      store_(store),
      clock_(clock),
      metrics_(metrics),
      received_(metrics.counter("sundial_hl7_messages_received_total",
                                "HL7 messages received over MLLP")),
      duplicates_(metrics.counter("sundial_hl7_duplicates_total",
                                  "HL7 messages acknowledged again as repeats of stored ones")),
      closed_without_ack_(metrics.counter(
          "sundial_hl7_closed_without_ack_total",
          "HL7 messages not acknowledged because they could not be stored (sender retries)")),
      no_ack_wanted_(metrics.counter("sundial_hl7_no_ack_wanted_total",
                                     "HL7 messages whose MSH-15 asked for no accept ACK")),
      store_seconds_(metrics.histogram("sundial_hl7_store_seconds",
                                       "From handing an HL7 message to the store to its "
                                       "confirmation (group commit included)")),
      // ACK control IDs unique across restarts: the start time, then a sequence.
      ack_id_prefix_("SDL" + base36(static_cast<std::uint64_t>(toEpochMs(clock.utcNow()))) + "-") {
  for (std::size_t i = 0; i < kAllCodes.size(); ++i) {
    acks_by_code_[i] = &metrics.counter("sundial_hl7_acks_total", "HL7 ACKs sent, by MSA-1 code",
                                        {{"code", std::string(hl7::ackCodeName(kAllCodes[i]))}});
  }
}

hl7::mllp::MessageHandler Hl7IngestService::handler() {
  return [this](const hl7::mllp::ReceivedMessage& received) { return handle(received); };
}

std::string Hl7IngestService::nextAckControlId() {
  return ack_id_prefix_ + std::to_string(ack_sequence_.fetch_add(1) + 1);
}

Reply Hl7IngestService::countedReply(Reply reply) {
  if (reply.action != Reply::Action::SendAck) return reply;
  // The server wrote this ACK (unparsed message): read its code back to count it.
  if (auto outcome = hl7::readAck(reply.ack); outcome) {
    acks_by_code_[static_cast<std::size_t>(outcome.value().code)]->add();
  }
  return reply;
}

Reply Hl7IngestService::acknowledge(const hl7::AckHeaderSource& header, hl7::AckClass ack_class,
                                    std::optional<hl7::AckError> error) {
  hl7::AckRequest request;
  request.ack_class = ack_class;
  request.error = std::move(error);
  request.control_id = nextAckControlId();
  request.date_time = hl7::mllp::hl7Timestamp(clock_.utcNow());
  std::optional<std::string> ack = hl7::buildAck(header, request);
  if (!ack) {
    no_ack_wanted_.add();
    return Reply::noAck();
  }
  const hl7::AckCode code = hl7::ackCodeFor(ack_class, hl7::ackModeOf(header));
  acks_by_code_[static_cast<std::size_t>(code)]->add();
  return Reply::sendAck(std::move(*ack));
}

Reply Hl7IngestService::closeWithoutAck(const hl7::mllp::ReceivedMessage& received,
                                        std::string_view why, const Error& error) {
  closed_without_ack_.add();
  log::warn("hl7_not_acknowledged", {{"peer", received.peer},
                                     {"connection", std::to_string(received.connection_id)},
                                     {"why", why},
                                     {"reason", error.describe()}});
  return Reply::closeWithoutAck(std::string(why) + ": " + error.message);
}

Reply Hl7IngestService::handle(const hl7::mllp::ReceivedMessage& received) {
  received_.add();
  if (!received.parsed) {
    log::warn("hl7_message_unparseable", {{"peer", received.peer},
                                          {"connection", std::to_string(received.connection_id)},
                                          {"reason", received.parsed.error().describe()}});
    return countedReply(hl7::mllp::replyForUnparsed(received));
  }
  const hl7::Message& message = received.parsed.value();
  const hl7::AckHeaderSource header = hl7::ackHeaderSource(message);
  CheckedMessage checked = checkMessage(message, received.text, *senders_);
  if (!checked.accepted) {
    log::warn("hl7_message_refused",
              {{"peer", received.peer},
               {"control_id", header.control_id},
               {"ack", checked.refusal == hl7::AckClass::Reject ? "reject" : "error"},
               {"reason", checked.error.text}});
    return acknowledge(header, checked.refusal, std::move(checked.error));
  }

  InboxMessage& inbox_message = *checked.accepted;
  inbox_message.received_at = clock_.utcNow();
  const auto started = clock_.steadyNow();
  Result<InboxStoreResult> stored = store_.store(inbox_message);
  store_seconds_.observe(std::chrono::duration<double>(clock_.steadyNow() - started).count());
  if (!stored) {
    const hl7::AckForError answer = hl7::ackForError(stored.error().code);
    if (answer.disposition == hl7::AckDisposition::CloseWithoutAck) {
      return closeWithoutAck(received, "not stored", stored.error());
    }
    // A store that refuses the message as it is (InvalidInput...): the sender must fix it.
    log::warn("hl7_message_refused", {{"peer", received.peer},
                                      {"control_id", header.control_id},
                                      {"reason", stored.error().describe()}});
    return acknowledge(header, answer.ack_class,
                       hl7::AckError{{}, answer.hl7_error, stored.error().message});
  }
  if (stored.value() == InboxStoreResult::Duplicate) {
    duplicates_.add();
    log::info("hl7_duplicate_acknowledged", {{"site", inbox_message.site},
                                             {"type", inbox_message.message_type},
                                             {"control_id", inbox_message.control_id},
                                             {"inbox_id", inbox_message.id}});
  } else {
    log::debug("hl7_message_stored", {{"site", inbox_message.site},
                                      {"type", inbox_message.message_type},
                                      {"control_id", inbox_message.control_id},
                                      {"inbox_id", inbox_message.id}});
  }
  return acknowledge(header, hl7::AckClass::Accept, std::nullopt);
}

}  // namespace sundial::engine
