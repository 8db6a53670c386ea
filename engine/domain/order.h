#pragma once
// An imaging order from a site's RIS/EHR (ORM^O01, OMI^O23) as the engine keeps it. Patient
// identity (name, ID, birth date) is kept in Redis with the order; it never goes to logs
// unless identifying logs are configured, and rules see only age and sex.

#include <string>

#include "engine/domain/clock.h"

namespace sundial {

enum class OrderStatus { Scheduled, InProgress, Completed, Cancelled, Discontinued };
// Normalised from ORC-7.6 / OBR-27.6 / TQ1-9 (S, A, R, P, C, T ...): Stat, Urgent, Routine.
enum class OrderPriority { Stat, Urgent, Routine };

struct Order {
  std::string site;                 // configured site, from MSH-3/MSH-4
  std::string placer_order_number;  // ORC-2 / OBR-2
  std::string filler_order_number;  // ORC-3 / OBR-3
  std::string accession_number;     // OBR-18 (else IPC-1 for OMI, else the filler number)
  std::string patient_id;           // PID-3 (first repetition's ID)
  std::string patient_name;         // PID-5, as "Family^Given"
  std::string birth_date;           // PID-7, YYYYMMDD
  std::string sex;                  // PID-8: F, M, O, U
  std::string modality;             // OBR-24 or IPC-5 when present
  std::string procedure_code;       // OBR-4.1
  std::string procedure_text;       // OBR-4.2
  OrderPriority priority = OrderPriority::Routine;
  std::string reason_for_exam;      // OBR-31 (text) or OBR-13
  std::string ordering_provider;    // ORC-12 / OBR-16, as "Family^Given"
  std::string study_instance_uid;   // IPC-3 (OMI) or ZDS-1 when the site sends it
  OrderStatus status = OrderStatus::Scheduled;
  UtcTime ordered_at{};             // ORC-9 / OBR-7, else when received
  UtcTime received_at{};
};

std::string_view orderStatusName(OrderStatus status);
std::string_view orderPriorityName(OrderPriority priority);  // "STAT", "URGENT", "ROUTINE"

}  // namespace sundial
