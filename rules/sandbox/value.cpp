#include "rules/sandbox/value.h"

#include <cstdio>

namespace sundial::rules {

const Value* Value::find(std::string_view key) const {
  const auto* map = std::get_if<Map>(&storage_);
  if (map == nullptr) return nullptr;
  const auto it = map->find(key);
  if (it == map->end()) return nullptr;
  return &it->second;
}

bool operator==(const Value& a, const Value& b) { return a.storage_ == b.storage_; }

namespace {

void describeInto(const Value& value, std::string& out) {
  if (value.isNil()) {
    out += "nil";
    return;
  }
  if (value.isBool()) {
    out += value.asBool() ? "true" : "false";
    return;
  }
  if (value.isInteger()) {
    out += std::to_string(value.asInteger());
    return;
  }
  if (value.isNumber()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.14g", value.asNumber());
    out += buffer;
    return;
  }
  if (value.isString()) {
    out += '"';
    out += value.asString();
    out += '"';
    return;
  }
  out += '{';
  bool first = true;
  if (value.isArray()) {
    for (const Value& item : value.asArray()) {
      if (!first) out += ", ";
      first = false;
      describeInto(item, out);
    }
  } else {
    for (const auto& [key, item] : value.asMap()) {
      if (!first) out += ", ";
      first = false;
      out += key;
      out += '=';
      describeInto(item, out);
    }
  }
  out += '}';
}

}  // namespace

std::string Value::describe() const {
  std::string out;
  describeInto(*this, out);
  return out;
}

}  // namespace sundial::rules
