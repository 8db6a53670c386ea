#pragma once
// Value: the plain C++ shape of what crosses the Lua boundary in both directions — the facts a
// rule reads and the decision it returns. A small tree: nil, boolean, integer, number, string,
// array (a Lua sequence 1..n) and map (string keys). No Lua type appears here, so the engine can
// build facts and read decisions without knowing Lua.

#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sundial::rules {

class Value {
 public:
  using Array = std::vector<Value>;
  // Ordered so that conversions and comparisons are deterministic; std::less<> allows
  // lookups by std::string_view.
  using Map = std::map<std::string, Value, std::less<>>;
  using Storage =
      std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Map>;

  Value() = default;
  Value(std::nullptr_t) {}                              // NOLINT: implicit by design
  Value(bool b) : storage_(b) {}                        // NOLINT: implicit by design
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  Value(I i) : storage_(static_cast<std::int64_t>(i)) {}  // NOLINT: implicit by design
  Value(double d) : storage_(d) {}                      // NOLINT: implicit by design
  Value(const char* s) : storage_(std::string(s)) {}    // NOLINT: implicit by design
  Value(std::string s) : storage_(std::move(s)) {}      // NOLINT: implicit by design
  Value(std::string_view s) : storage_(std::string(s)) {}  // NOLINT: implicit by design
  Value(Array a) : storage_(std::move(a)) {}            // NOLINT: implicit by design
  Value(Map m) : storage_(std::move(m)) {}              // NOLINT: implicit by design

  bool isNil() const { return std::holds_alternative<std::monostate>(storage_); }
  bool isBool() const { return std::holds_alternative<bool>(storage_); }
  bool isInteger() const { return std::holds_alternative<std::int64_t>(storage_); }
  // A Lua float; integers are isInteger().
  bool isNumber() const { return std::holds_alternative<double>(storage_); }
  bool isString() const { return std::holds_alternative<std::string>(storage_); }
  bool isArray() const { return std::holds_alternative<Array>(storage_); }
  bool isMap() const { return std::holds_alternative<Map>(storage_); }

  // Each accessor asserts the kind: asking for the wrong kind is a bug in the caller.
  bool asBool() const {
    assert(isBool());
    return *std::get_if<bool>(&storage_);
  }
  std::int64_t asInteger() const {
    assert(isInteger());
    return *std::get_if<std::int64_t>(&storage_);
  }
  double asNumber() const {
    assert(isNumber());
    return *std::get_if<double>(&storage_);
  }
  const std::string& asString() const {
    assert(isString());
    return *std::get_if<std::string>(&storage_);
  }
  const Array& asArray() const {
    assert(isArray());
    return *std::get_if<Array>(&storage_);
  }
  const Map& asMap() const {
    assert(isMap());
    return *std::get_if<Map>(&storage_);
  }

  // The member `key` of a map, or nullptr when this is not a map or has no such member.
  const Value* find(std::string_view key) const;

  const Storage& storage() const { return storage_; }

  friend bool operator==(const Value& a, const Value& b);

  // A short Lua-like rendering for messages and test failures: {a=1, b={"x", "y"}}.
  std::string describe() const;

 private:
  Storage storage_;
};

}  // namespace sundial::rules
