#pragma once
// ORM^O01 and OMI^O23 to Orders: one Order per ORC (with its OBR, TQ1 and IPC). Pure; any
// thread. Errors are InvalidInput naming the segment and field that is missing or wrong.

#include <string_view>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/order.h"
#include "engine/domain/result.h"
#include "hl7/message/message.h"

namespace sundial::hl7::mapping {

// ORC-1 order control to the status the order has afterwards. NW is a new order; XO, SC and
// the other changes take ORC-5 (order status) when it is sent; CA/OC/CR cancel; DC/OD/DR
// discontinue. InvalidInput for an empty or unknown code.
Result<OrderStatus> orderStatusFor(std::string_view order_control, std::string_view order_status);

// HL7 table 0027 (S stat, A asap, P preop, C callback, T timing critical, R routine) and the
// words sites write instead; anything else is routine.
OrderPriority orderPriorityFor(std::string_view code);

// Every order of the message, in order. `site` is the configured site the message came from;
// `received_at` stands in for an order time the message does not carry.
Result<std::vector<Order>> mapOrderMessage(const Message& message, std::string_view site,
                                           UtcTime received_at);

}  // namespace sundial::hl7::mapping
