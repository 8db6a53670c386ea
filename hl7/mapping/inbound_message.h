#pragma once
// What an inbound HL7 message asks of the engine, by its type (MSH-9): orders (ORM^O01,
// OMI^O23), demographics (ADT^A01/A04/A08), merges (ADT^A40), a report (ORU^R01). Other ADT
// events are ignored on purpose (nothing in Sundial depends on them); any other type is
// refused. Pure; any thread.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/order.h"
#include "engine/domain/patient.h"
#include "engine/domain/report.h"
#include "engine/domain/result.h"

namespace sundial::hl7::mapping {

struct OrdersChange {
  std::vector<Order> orders;
};
struct PatientChange {
  PatientDemographics patient;
};
struct MergeChange {
  std::vector<PatientMergeRequest> merges;
};
struct ReportChange {
  Report report;
};
struct IgnoredMessage {
  std::string why;
};

using InboundChange = std::variant<OrdersChange, PatientChange, MergeChange, ReportChange,
                                   IgnoredMessage>;

// Parses `raw` and maps it. InvalidInput naming the field for a message that cannot be
// mapped (the inbox rejects it with that reason).
Result<InboundChange> mapInboundMessage(std::string_view raw, std::string_view site,
                                        UtcTime received_at);

}  // namespace sundial::hl7::mapping
