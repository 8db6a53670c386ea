#pragma once
// RedisOrderStore: engine::OrderStore on Redis (layout in order_keys.h). Owns one
// RedisClient, so one instance belongs to one thread. Errors: Unavailable when Redis is
// down, InvalidInput when a UID or an order key cannot be used in a key.

#include <string_view>

#include "adapters/redis/order_keys.h"
#include "adapters/redis/redis_client.h"
#include "engine/orders/order_store.h"

namespace sundial::adapters::redis {

class RedisOrderStore final : public engine::OrderStore {
 public:
  RedisOrderStore(RedisClientOptions client, std::string_view key_prefix);

  Result<void> putOrder(const std::string& key, const Order& order) override;
  Result<std::optional<Order>> order(const std::string& key) override;
  Result<std::vector<std::string>> ordersByAccession(const std::string& site,
                                                     const std::string& accession) override;
  Result<std::vector<std::string>> ordersByPatient(const std::string& site,
                                                   const std::string& patient_id) override;
  Result<std::vector<std::string>> recentOrders(int limit) override;
  Result<void> link(const engine::StoredLink& link) override;
  Result<std::optional<engine::StoredLink>> linkOf(const std::string& study_uid) override;
  Result<std::vector<std::string>> studiesOf(const std::string& order_key) override;
  Result<void> addWaiting(const engine::WaitingStudy& study, UtcTime due) override;
  Result<std::vector<engine::WaitingStudy>> waitingFor(const std::string& site,
                                                       const std::string& accession,
                                                       const std::string& patient_id) override;
  Result<std::vector<std::string>> dueWaiting(UtcTime now, int max) override;
  Result<bool> addException(const std::string& study_uid, UtcTime since) override;
  Result<std::vector<engine::ExceptionEntry>> exceptions(int limit) override;
  Result<void> putPatient(const PatientDemographics& patient) override;
  Result<std::string> currentPatientId(const std::string& site,
                                       const std::string& patient_id) override;
  Result<engine::MergeMoves> mergePatient(const PatientMergeRequest& merge) override;

  const OrderKeys& keys() const { return keys_; }

 private:
  RedisClient client_;
  OrderKeys keys_;
};

}  // namespace sundial::adapters::redis
