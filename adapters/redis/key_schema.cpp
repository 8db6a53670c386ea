#include "adapters/redis/key_schema.h"

namespace sundial::adapters::redis {
namespace {

constexpr size_t kMaxNameLength = 128;

std::string join(std::string_view a, std::string_view b, std::string_view c = {},
                 std::string_view d = {}) {
  std::string out;
  out.reserve(a.size() + b.size() + c.size() + d.size());
  out += a;
  out += b;
  out += c;
  out += d;
  return out;
}

}  // namespace

bool isValidKeyName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

KeySchema::KeySchema(std::string_view prefix) : base_(join(prefix, ":", kVersion, ":")) {}

std::string KeySchema::instance(std::string_view sop_uid) const {
  return join(base_, "inst:", sop_uid);
}
std::string KeySchema::study(std::string_view study_uid) const {
  return join(base_, "study:", study_uid);
}
std::string KeySchema::studyInstances(std::string_view study_uid) const {
  return join(base_, "study:", study_uid, ":instances");
}
std::string KeySchema::forwardPrefix() const { return join(base_, "fwd:"); }
std::string KeySchema::dispatchPending() const { return join(base_, "dispatch:pending"); }
std::string KeySchema::dispatchExclusions(std::string_view study_uid) const {
  return join(base_, "dispatch:exclude:", study_uid);
}
std::string KeySchema::dispatchDecisions() const { return join(base_, "dispatch:decisions"); }
std::string KeySchema::openStudies() const { return join(base_, "studies:open"); }
std::string KeySchema::activeStudies() const { return join(base_, "studies:active"); }

std::string KeySchema::ready(std::string_view destination, std::string_view node) const {
  std::string key = join(base_, "fwd:", destination, ":ready");
  if (!node.empty()) key = join(key, ":", node);
  return key;
}
std::string KeySchema::nodes() const { return join(base_, "nodes"); }
std::string KeySchema::lease(std::string_view name) const { return join(base_, "lease:", name); }
std::string KeySchema::spoolRelease(std::string_view node) const {
  return join(spoolPrefix(), node, ":release");
}
std::string KeySchema::spoolPrefix() const { return join(base_, "spool:"); }
std::string KeySchema::inFlight(std::string_view destination, std::string_view worker) const {
  return join(inFlightPrefix(destination), worker);
}
std::string KeySchema::workers(std::string_view destination) const {
  return join(base_, "fwd:", destination, ":workers");
}
std::string KeySchema::waiting(std::string_view destination) const {
  return join(base_, "fwd:", destination, ":waiting");
}
std::string KeySchema::dead(std::string_view destination) const {
  return join(base_, "fwd:", destination, ":dead");
}

std::string KeySchema::instancePrefix() const { return join(base_, "inst:"); }
std::string KeySchema::studyPrefix() const { return join(base_, "study:"); }
std::string KeySchema::inFlightPrefix(std::string_view destination) const {
  return join(base_, "fwd:", destination, ":inflight:");
}

}  // namespace sundial::adapters::redis
