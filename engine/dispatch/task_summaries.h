#pragma once
// What a read task shows of its order and patient, from the order (when linked) and the
// study's DICOM facts — the order's fields win, being the RIS's. Pure.

#include <optional>

#include "engine/domain/study_facts.h"
#include "engine/orders/order_lookup.h"
#include "worklist/task.h"

namespace sundial::engine {

worklist::OrderSummary orderSummary(const std::optional<OrderLink>& link, const StudyFacts& facts);
worklist::PatientSummary patientSummary(const std::optional<OrderLink>& link,
                                        const StudyFacts& facts, UtcTime now);

}  // namespace sundial::engine
