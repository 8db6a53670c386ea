#include "adapters/redis/outbox_key_schema.h"

#include "adapters/redis/key_schema.h"

namespace sundial::adapters::redis {

OutboxKeySchema::OutboxKeySchema(std::string_view prefix)
    : base_(std::string(prefix) + ":" + std::string(KeySchema::kVersion) + ":outbox:") {}

std::string OutboxKeySchema::site(std::string_view site, std::string_view what) const {
  std::string key = base_;
  key += "site:";
  key += site;
  key += ':';
  key += what;
  return key;
}

std::string OutboxKeySchema::ready(std::string_view s) const { return site(s, "ready"); }
std::string OutboxKeySchema::inFlight(std::string_view s, std::string_view worker) const {
  return inFlightPrefix(s) + std::string(worker);
}
std::string OutboxKeySchema::workers(std::string_view s) const { return site(s, "workers"); }
std::string OutboxKeySchema::retry(std::string_view s) const { return site(s, "retry"); }
std::string OutboxKeySchema::dead(std::string_view s) const { return site(s, "dead"); }
std::string OutboxKeySchema::unapplied(std::string_view s) const { return site(s, "unapplied"); }
std::string OutboxKeySchema::delivery(std::string_view id) const {
  return deliveryPrefix() + std::string(id);
}
std::string OutboxKeySchema::deliveryPrefix() const { return base_ + "delivery:"; }
std::string OutboxKeySchema::inFlightPrefix(std::string_view s) const {
  return site(s, "inflight:");
}

}  // namespace sundial::adapters::redis
