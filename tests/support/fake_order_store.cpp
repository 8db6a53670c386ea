#include "tests/support/fake_order_store.h"

#include <algorithm>

namespace sundial::testing {
namespace {

Error down() { return makeError(ErrorCode::Unavailable, "fake order store is down"); }

}  // namespace

Result<void> FakeOrderStore::putOrder(const std::string& key, const Order& order) {
  if (!available) return down();
  orders[key] = order;
  received[key] = order.received_at;
  return okResult();
}

Result<std::optional<Order>> FakeOrderStore::order(const std::string& key) {
  if (!available) return down();
  auto it = orders.find(key);
  if (it == orders.end()) return std::optional<Order>{};
  return std::optional<Order>(it->second);
}

Result<std::vector<std::string>> FakeOrderStore::ordersByAccession(const std::string& site,
                                                                   const std::string& accession) {
  if (!available) return down();
  std::vector<std::string> keys;
  for (const auto& [key, o] : orders) {
    if (o.site == site && !accession.empty() && o.accession_number == accession) {
      keys.push_back(key);
    }
  }
  return keys;
}

Result<std::vector<std::string>> FakeOrderStore::ordersByPatient(const std::string& site,
                                                                 const std::string& patient_id) {
  if (!available) return down();
  std::vector<std::string> keys;
  for (const auto& [key, o] : orders) {
    if (o.site == site && !patient_id.empty() && o.patient_id == patient_id) keys.push_back(key);
  }
  return keys;
}

Result<std::vector<std::string>> FakeOrderStore::recentOrders(int limit) {
  if (!available) return down();
  std::vector<std::pair<UtcTime, std::string>> by_time;
  for (const auto& [key, at] : received) by_time.push_back({at, key});
  std::sort(by_time.rbegin(), by_time.rend());
  std::vector<std::string> keys;
  for (const auto& [at, key] : by_time) {
    if (static_cast<int>(keys.size()) >= limit) break;
    keys.push_back(key);
  }
  return keys;
}

Result<void> FakeOrderStore::link(const engine::StoredLink& link) {
  if (!available) return down();
  links[link.study_uid] = link;
  unmatched.erase(link.study_uid);
  waiting_due.erase(link.study_uid);
  exception_since.erase(link.study_uid);
  return okResult();
}

Result<std::optional<engine::StoredLink>> FakeOrderStore::linkOf(const std::string& study_uid) {
  if (!available) return down();
  auto it = links.find(study_uid);
  if (it == links.end()) return std::optional<engine::StoredLink>{};
  return std::optional<engine::StoredLink>(it->second);
}

Result<std::vector<std::string>> FakeOrderStore::studiesOf(const std::string& order_key) {
  if (!available) return down();
  std::vector<std::string> studies;
  for (const auto& [uid, link] : links) {
    if (link.order_key == order_key) studies.push_back(uid);
  }
  return studies;
}

Result<void> FakeOrderStore::addWaiting(const engine::WaitingStudy& study, UtcTime due) {
  if (!available) return down();
  if (links.count(study.study_uid) || unmatched.count(study.study_uid)) return okResult();
  unmatched[study.study_uid] = study;
  waiting_due[study.study_uid] = due;
  return okResult();
}

Result<std::vector<engine::WaitingStudy>> FakeOrderStore::waitingFor(
    const std::string& site, const std::string& accession, const std::string& patient_id) {
  if (!available) return down();
  std::vector<engine::WaitingStudy> out;
  for (const auto& [uid, s] : unmatched) {
    if (s.site != site) continue;
    const bool by_accession = !accession.empty() && s.accession_number == accession;
    const bool by_patient = !patient_id.empty() && s.patient_id == patient_id;
    if (by_accession || by_patient) out.push_back(s);
  }
  return out;
}

Result<std::vector<std::string>> FakeOrderStore::dueWaiting(UtcTime now, int max) {
  if (!available) return down();
  std::vector<std::pair<UtcTime, std::string>> due;
  for (const auto& [uid, at] : waiting_due) {
    if (at <= now) due.push_back({at, uid});
  }
  std::sort(due.begin(), due.end());
  std::vector<std::string> out;
  for (const auto& [at, uid] : due) {
    if (static_cast<int>(out.size()) >= max) break;
    out.push_back(uid);
  }
  return out;
}

Result<bool> FakeOrderStore::addException(const std::string& study_uid, UtcTime since) {
  if (!available) return down();
  waiting_due.erase(study_uid);
  if (links.count(study_uid) || exception_since.count(study_uid)) return false;
  if (!unmatched.count(study_uid)) return false;
  exception_since[study_uid] = since;
  return true;
}

Result<std::vector<engine::ExceptionEntry>> FakeOrderStore::exceptions(int limit) {
  if (!available) return down();
  std::vector<engine::ExceptionEntry> out;
  for (const auto& [uid, since] : exception_since) {
    out.push_back({uid, unmatched.count(uid) ? unmatched[uid].site : "", since});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.since < b.since; });
  if (static_cast<int>(out.size()) > limit) out.resize(limit);
  return out;
}

Result<void> FakeOrderStore::putPatient(const PatientDemographics& patient) {
  if (!available) return down();
  patients[patient.site + "|" + patient.patient_id] = patient;
  return okResult();
}

Result<std::string> FakeOrderStore::currentPatientId(const std::string& site,
                                                     const std::string& patient_id) {
  if (!available) return down();
  std::string id = patient_id;
  for (int hop = 0; hop < 8; ++hop) {
    auto it = merged_into.find(site + "|" + id);
    if (it == merged_into.end()) break;
    id = it->second;
  }
  return id;
}

Result<engine::MergeMoves> FakeOrderStore::mergePatient(const PatientMergeRequest& merge) {
  if (!available) return down();
  engine::MergeMoves moves;
  for (auto& [key, o] : orders) {
    if (o.site == merge.site && o.patient_id == merge.prior_patient_id) {
      o.patient_id = merge.surviving_patient_id;
      moves.order_keys.push_back(key);
    }
  }
  for (auto& [uid, s] : unmatched) {
    if (s.site == merge.site && s.patient_id == merge.prior_patient_id) {
      s.patient_id = merge.surviving_patient_id;
      moves.waiting_study_uids.push_back(uid);
    }
  }
  merged_into[merge.site + "|" + merge.prior_patient_id] = merge.surviving_patient_id;
  return moves;
}

}  // namespace sundial::testing
