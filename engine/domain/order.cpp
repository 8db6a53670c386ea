#include "engine/domain/order.h"

#include "engine/domain/report.h"

namespace sundial {

std::string_view orderStatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::Scheduled: return "scheduled";
    case OrderStatus::InProgress: return "in_progress";
    case OrderStatus::Completed: return "completed";
    case OrderStatus::Cancelled: return "cancelled";
    case OrderStatus::Discontinued: return "discontinued";
  }
  return "unknown";
}

std::string_view orderPriorityName(OrderPriority priority) {
  switch (priority) {
    case OrderPriority::Stat: return "STAT";
    case OrderPriority::Urgent: return "URGENT";
    case OrderPriority::Routine: return "ROUTINE";
  }
  return "ROUTINE";
}

std::string_view reportStatusName(ReportStatus status) {
  switch (status) {
    case ReportStatus::Preliminary: return "preliminary";
    case ReportStatus::Final: return "final";
    case ReportStatus::Corrected: return "corrected";
  }
  return "unknown";
}

}  // namespace sundial
