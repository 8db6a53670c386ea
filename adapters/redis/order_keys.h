#pragma once
// OrderKeys: the Redis keys of orders and matching (areas order:, orders:, match:,
// exceptions, patient:; docs/internals.md). Built here and nowhere else. Immutable; any
// thread.
//
//   <prefix>:v1:order:<order key>                   hash  one order (see redis_order_store.cpp)
//   <prefix>:v1:orders:acc:<site>:<accession>       set   order keys with that accession
//   <prefix>:v1:orders:patient:<site>:<patient id>  set   order keys of that patient
//   <prefix>:v1:orders:recent                       zset  order keys by received ms
//   <prefix>:v1:match:link:<study uid>              hash  order_key, reason, cancelled,
//                                                         linked_ms
//   <prefix>:v1:match:order:<order key>             set   study UIDs linked to the order
//   <prefix>:v1:match:study:<study uid>             hash  an unlinked study: site, accession,
//                                                         patient_id, modality, study_ms
//   <prefix>:v1:match:acc:<site>:<accession>        set   unlinked study UIDs by accession
//   <prefix>:v1:match:patient:<site>:<patient id>   set   unlinked study UIDs by patient
//   <prefix>:v1:match:waiting                       zset  unlinked study UIDs by due ms
//   <prefix>:v1:exceptions                          zset  unmatched study UIDs by since ms
//   <prefix>:v1:patient:<site>:<patient id>         hash  name, birth_date, sex, updated_ms,
//                                                         merged_into
//
// Site names are key names (no ':'), and come before the free-text part (accession,
// patient ID), so no two keys collide. Study UIDs are checked with isValidUid first.

#include <string>
#include <string_view>

namespace sundial::adapters::redis {

class OrderKeys {
 public:
  explicit OrderKeys(std::string_view prefix);

  std::string order(std::string_view order_key) const;
  std::string ordersByAccession(std::string_view site, std::string_view accession) const;
  std::string ordersByPatient(std::string_view site, std::string_view patient_id) const;
  std::string recentOrders() const;
  std::string link(std::string_view study_uid) const;
  std::string orderStudies(std::string_view order_key) const;
  std::string unlinkedStudy(std::string_view study_uid) const;
  std::string unlinkedByAccession(std::string_view site, std::string_view accession) const;
  std::string unlinkedByPatient(std::string_view site, std::string_view patient_id) const;
  std::string waiting() const;
  std::string exceptions() const;
  std::string patient(std::string_view site, std::string_view patient_id) const;

  // Prefixes scripts complete with ids they only learn inside Redis: prefix + id is the key.
  std::string orderPrefix() const;                  // + order key
  std::string orderStudiesPrefix() const;           // + order key
  std::string ordersByPatientPrefix() const;        // + site ":" patient id
  std::string ordersByAccessionPrefix() const;      // + site ":" accession
  std::string unlinkedStudyPrefix() const;          // + study uid
  std::string unlinkedByAccessionPrefix() const;    // + site ":" accession
  std::string unlinkedByPatientPrefix() const;      // + site ":" patient id

 private:
  std::string base_;  // "<prefix>:v1:"
};

}  // namespace sundial::adapters::redis
