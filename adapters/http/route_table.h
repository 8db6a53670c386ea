#pragma once
// The routes of an HTTP server: (method, pattern) -> handler. A pattern is an exact path
// ("/health") or a prefix ending in "/*" ("/studies/*" matches "/studies/1.2.3" and
// "/studies/a/b", not "/studies"). Built before the server starts, then only read, so
// concurrent match() calls are safe once building is over.

#include <compare>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/http/http_message.h"

namespace sundial::adapters::http {

struct RouteFound {
  const Handler* handler;    // valid as long as the table
  std::string_view pattern;  // for logs: the pattern, never the (possibly identifying) path
  std::string path_tail;     // for prefix patterns: the part after the prefix
};

struct RouteMethodNotAllowed {
  std::vector<std::string> allowed;  // sorted, for the Allow header
};

struct RouteNotFound {};

using RouteMatch = std::variant<RouteFound, RouteMethodNotAllowed, RouteNotFound>;

class RouteTable {
 public:
  // Replaces an earlier handler for the same method and pattern. The pattern must start
  // with '/'.
  void add(std::string method, std::string pattern, Handler handler);

  // For the method: the exact pattern first, else the longest matching prefix. If only other
  // methods match the path, their list (a GET route also allows HEAD). path is normalised.
  RouteMatch match(std::string_view method, std::string_view path) const;

  bool empty() const { return routes_.empty(); }

 private:
  struct Key {
    std::string method;
    std::string pattern;
    auto operator<=>(const Key&) const = default;
  };
  // The best pattern matching `path` among `method`'s routes, or routes_.end().
  std::map<Key, Handler>::const_iterator best(std::string_view method, std::string_view path) const;

  std::map<Key, Handler> routes_;
};

}  // namespace sundial::adapters::http
