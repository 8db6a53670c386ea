#pragma once
// Events the inbox processor publishes once an HL7 message's change is stored in Redis
// (orders, ADT, reports). Small on purpose: the order store has the rest. Part of Event
// (events.h); their wire form is built in hl7_events.cpp.

#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial {

struct OrderReceived {
  std::string site;
  std::string order_key;        // the order store's key
  std::string status;           // orderStatusName
  std::string priority;         // orderPriorityName
  std::string accession_number;
  UtcTime received_at{};
};

struct PatientUpdated {          // ADT^A01/A04/A08
  std::string site;
  std::string patient_id;
  UtcTime updated_at{};
};

struct PatientsMerged {          // ADT^A40
  std::string site;
  std::string surviving_patient_id;
  std::string prior_patient_id;
  UtcTime merged_at{};
};

struct ReportReceived {          // ORU^R01, handed to the worklist
  std::string site;
  std::string accession_number;
  std::string status;           // reportStatusName
  UtcTime received_at{};
};

namespace detail {
// Wire form of the events above (fields after the name, separated by `separator`).
void appendHl7EventFields(std::string& out, char separator, const OrderReceived& e);
void appendHl7EventFields(std::string& out, char separator, const PatientUpdated& e);
void appendHl7EventFields(std::string& out, char separator, const PatientsMerged& e);
void appendHl7EventFields(std::string& out, char separator, const ReportReceived& e);
// `fields` excludes the name. InvalidInput when the count or a time is wrong.
Result<OrderReceived> readOrderReceived(const std::vector<std::string_view>& fields);
Result<PatientUpdated> readPatientUpdated(const std::vector<std::string_view>& fields);
Result<PatientsMerged> readPatientsMerged(const std::vector<std::string_view>& fields);
Result<ReportReceived> readReportReceived(const std::vector<std::string_view>& fields);
}  // namespace detail

}  // namespace sundial
