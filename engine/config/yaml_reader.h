#pragma once
// The YAML walker shared by the configuration's section loaders (one file per section):
// converts values and collects problems with their line numbers. yaml-cpp stays inside
// engine/config.

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "engine/config/config.h"
#include "engine/config/config_loader.h"

namespace sundial::config::detail {

// Walks the YAML tree, converting values and collecting problems with their line numbers.
// Exceptions from yaml-cpp stay inside this file.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  std::vector<LoadProblem>& problems() { return problems_; }

  void problem(const YAML::Node& node, const std::string& message) {
    int line = node.IsDefined() ? static_cast<int>(node.Mark().line) + 1 : 0;
    problems_.push_back({file_, line, message});
  }

  // Reports keys of `map` that are not in `known` (a typo must not be silently ignored).
  void checkKeys(const YAML::Node& map, const std::string& where,
                 std::initializer_list<const char*> known) {
    if (!map.IsMap()) return;
    for (const auto& entry : map) {
      std::string key = entry.first.Scalar();
      bool found = false;
      for (const char* k : known) found = found || key == k;
      if (!found) problem(entry.first, "unknown key '" + key + "' in " + where);
    }
  }

  bool isMap(const YAML::Node& node, const std::string& where) {
    if (node.IsMap()) return true;
    problem(node, where + " must be a mapping");
    return false;
  }

  template <typename T>
  void read(const YAML::Node& parent, const char* key, T& out, const std::string& where) {
    YAML::Node node = parent[key];
    if (!node.IsDefined() || node.IsNull()) return;
    try {
      out = node.as<T>();
    } catch (const YAML::Exception&) {
      problem(node, std::string(where) + "." + key + " has the wrong type");
    }
  }

  void readString(const YAML::Node& parent, const char* key, std::string& out,
                  const std::string& where) {
    YAML::Node node = parent[key];
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsScalar()) {
      problem(node, where + "." + key + " must be a text value");
      return;
    }
    out = node.Scalar();
  }

  void readMs(const YAML::Node& parent, const char* key, Milliseconds& out,
              const std::string& where, long long min_ms = 0) {
    long long value = out.count();
    read(parent, key, value, where);
    if (value < min_ms) {
      problem(parent[key], where + "." + key + " must be at least " + std::to_string(min_ms));
      return;
    }
    out = Milliseconds(value);
  }

  void readPort(const YAML::Node& parent, const char* key, std::uint16_t& out,
                const std::string& where) {
    long long value = out;
    read(parent, key, value, where);
    if (value < 1 || value > 65535) {
      problem(parent[key], where + "." + key + " must be a TCP port (1-65535)");
      return;
    }
    out = static_cast<std::uint16_t>(value);
  }

  std::vector<std::string> readStringList(const YAML::Node& parent, const char* key,
                                          const std::string& where) {
    std::vector<std::string> out;
    YAML::Node node = parent[key];
    if (!node.IsDefined() || node.IsNull()) return out;
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
      return out;
    }
    if (!node.IsSequence()) {
      problem(node, where + "." + key + " must be a list");
      return out;
    }
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        problem(item, where + "." + key + " entries must be text values");
        continue;
      }
      out.push_back(item.Scalar());
    }
    return out;
  }

 private:
  std::string file_;
  std::vector<LoadProblem> problems_;
};


// AE titles: 1-16 characters of the default repertoire, no backslash or control characters,
// not all spaces (PS3.5 6.2).
bool isValidAeTitle(const std::string& ae);
// Names (sites, destinations, readers, pools) are used in Redis keys, metrics labels and file
// names: 1-64 letters, digits, '_', '-' or '.'.
bool isValidName(const std::string& name);

}  // namespace sundial::config::detail
