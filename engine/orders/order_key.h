#pragma once
// The order store's key for an order: "<site>|<accession number>", or "<site>|placer:<placer
// order number>" for an order sent without any accession number. Stable across the order's
// messages (new, change, cancel), which all carry the same numbers. Pure.

#include <string>

#include "engine/domain/order.h"

namespace sundial::engine {

std::string orderKeyFor(const Order& order);

// Whether the order wants no read any more (cancelled or discontinued).
inline bool isWithdrawn(const Order& order) {
  return order.status == OrderStatus::Cancelled || order.status == OrderStatus::Discontinued;
}

}  // namespace sundial::engine
