#include "adapters/redis/order_keys.h"

#include "adapters/redis/key_schema.h"

namespace sundial::adapters::redis {
namespace {

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

}  // namespace

OrderKeys::OrderKeys(std::string_view prefix)
    : base_(join({prefix, ":", KeySchema::kVersion, ":"})) {}

std::string OrderKeys::order(std::string_view order_key) const {
  return join({base_, "order:", order_key});
}
std::string OrderKeys::ordersByAccession(std::string_view site, std::string_view accession) const {
  return join({ordersByAccessionPrefix(), site, ":", accession});
}
std::string OrderKeys::ordersByPatient(std::string_view site, std::string_view patient_id) const {
  return join({ordersByPatientPrefix(), site, ":", patient_id});
}
std::string OrderKeys::recentOrders() const { return join({base_, "orders:recent"}); }
std::string OrderKeys::link(std::string_view study_uid) const {
  return join({base_, "match:link:", study_uid});
}
std::string OrderKeys::orderStudies(std::string_view order_key) const {
  return join({orderStudiesPrefix(), order_key});
}
std::string OrderKeys::unlinkedStudy(std::string_view study_uid) const {
  return join({unlinkedStudyPrefix(), study_uid});
}
std::string OrderKeys::unlinkedByAccession(std::string_view site,
                                           std::string_view accession) const {
  return join({unlinkedByAccessionPrefix(), site, ":", accession});
}
std::string OrderKeys::unlinkedByPatient(std::string_view site,
                                         std::string_view patient_id) const {
  return join({unlinkedByPatientPrefix(), site, ":", patient_id});
}
std::string OrderKeys::waiting() const { return join({base_, "match:waiting"}); }
std::string OrderKeys::exceptions() const { return join({base_, "exceptions"}); }
std::string OrderKeys::patient(std::string_view site, std::string_view patient_id) const {
  return join({base_, "patient:", site, ":", patient_id});
}

std::string OrderKeys::orderPrefix() const { return join({base_, "order:"}); }
std::string OrderKeys::orderStudiesPrefix() const { return join({base_, "match:order:"}); }
std::string OrderKeys::ordersByPatientPrefix() const { return join({base_, "orders:patient:"}); }
std::string OrderKeys::ordersByAccessionPrefix() const { return join({base_, "orders:acc:"}); }
std::string OrderKeys::unlinkedStudyPrefix() const { return join({base_, "match:study:"}); }
std::string OrderKeys::unlinkedByAccessionPrefix() const { return join({base_, "match:acc:"}); }
std::string OrderKeys::unlinkedByPatientPrefix() const { return join({base_, "match:patient:"}); }

}  // namespace sundial::adapters::redis
