#include "engine/orders/order_key.h"

namespace sundial::engine {

std::string orderKeyFor(const Order& order) {
  if (!order.accession_number.empty()) return order.site + "|" + order.accession_number;
  return order.site + "|placer:" + order.placer_order_number;
}

}  // namespace sundial::engine
