#pragma once
// FakeOrderStore: engine::OrderStore in memory, with the Redis store's semantics (the same
// contract tests run against both). `available = false` makes every call Unavailable.

#include <map>
#include <set>
#include <string>

#include "engine/orders/order_store.h"

namespace sundial::testing {

class FakeOrderStore final : public engine::OrderStore {
 public:
  bool available = true;

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

  std::map<std::string, Order> orders;
  std::map<std::string, engine::StoredLink> links;          // by study
  std::map<std::string, engine::WaitingStudy> unmatched;    // waiting or exceptions
  std::map<std::string, UtcTime> waiting_due;               // by study
  std::map<std::string, UtcTime> exception_since;           // by study
  std::map<std::string, PatientDemographics> patients;      // by "site|id"
  std::map<std::string, std::string> merged_into;           // "site|prior" -> surviving
  std::map<std::string, UtcTime> received;                  // order key -> received_at
};

}  // namespace sundial::testing
