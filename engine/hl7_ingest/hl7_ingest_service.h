#pragma once
// Hl7IngestService: the MLLP server's message handler. For each message: check it (site by
// MSH-3/MSH-4, type, control id, the segments the type needs), store it durably, and only
// then acknowledge it (STYLE.md §9, "An HL7 order"):
//
//   stored, or a duplicate of a stored one      AA (CA in enhanced mode; per MSH-15, maybe none)
//   parsed but not acceptable                   AE with ERR (CE)
//   unparseable, not for us, type not taken     AR with ERR (CR); unparseable without a
//                                               control ID: closed with a logged reason
//   store down, refused, or too slow            no ACK: the connection is closed, the sender
//                                               retries (never an AA for what is not stored)
//
// Threads: handle() is called from the server's io threads at once; the service holds only
// immutable state and thread-safe counters, and the IngestStore must be thread-safe.

#include <array>
#include <atomic>
#include <optional>
#include <memory>
#include <string>

#include "engine/domain/clock.h"
#include "engine/hl7_ingest/ingest_store.h"
#include "engine/hl7_ingest/sender_directory.h"
#include "engine/metrics/metrics.h"
#include "hl7/ack/ack_builder.h"
#include "hl7/mllp/server.h"

namespace sundial::engine {

class Hl7IngestService {
 public:
  // `store`, `metrics` and `clock` must outlive the service.
  Hl7IngestService(std::shared_ptr<const SenderDirectory> senders, IngestStore& store,
                   Metrics& metrics, const Clock& clock);

  hl7::mllp::Reply handle(const hl7::mllp::ReceivedMessage& received);
  hl7::mllp::MessageHandler handler();

 private:
  hl7::mllp::Reply acknowledge(const hl7::AckHeaderSource& header, hl7::AckClass ack_class,
                               std::optional<hl7::AckError> error);
  hl7::mllp::Reply closeWithoutAck(const hl7::mllp::ReceivedMessage& received,
                                   std::string_view why, const Error& error);
  hl7::mllp::Reply countedReply(hl7::mllp::Reply reply);
  std::string nextAckControlId();

  std::shared_ptr<const SenderDirectory> senders_;
  IngestStore& store_;
  const Clock& clock_;
  Metrics& metrics_;
  Counter& received_;
  Counter& duplicates_;
  Counter& closed_without_ack_;
  Counter& no_ack_wanted_;
  Histogram& store_seconds_;
  std::array<Counter*, 6> acks_by_code_{};  // by hl7::AckCode
  std::string ack_id_prefix_;
  std::atomic<std::uint64_t> ack_sequence_{0};
};

}  // namespace sundial::engine
