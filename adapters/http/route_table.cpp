#include "adapters/http/route_table.h"

#include <algorithm>
#include <cassert>
#include <set>

namespace sundial::adapters::http {
namespace {

constexpr std::string_view kPrefixSuffix = "/*";

bool isPrefixPattern(std::string_view pattern) { return pattern.ends_with(kPrefixSuffix); }

// "/studies/*" -> "/studies/"; "/*" -> "/".
std::string_view prefixOf(std::string_view pattern) {
  return pattern.substr(0, pattern.size() - 1);
}

bool matches(std::string_view pattern, std::string_view path) {
  if (!isPrefixPattern(pattern)) return pattern == path;
  return path.starts_with(prefixOf(pattern));
}

}  // namespace

void RouteTable::add(std::string method, std::string pattern, Handler handler) {
  // Patterns are written by us in code, not read from outside: a bad one is a bug.
  assert(pattern.starts_with('/') && "route patterns start with '/'");
  assert(handler && "a route needs a handler");
  routes_.insert_or_assign(Key{std::move(method), std::move(pattern)}, std::move(handler));
}

std::map<RouteTable::Key, Handler>::const_iterator RouteTable::best(std::string_view method,
                                                                    std::string_view path) const {
  auto found = routes_.end();
  std::size_t best_length = 0;
  for (auto it = routes_.begin(); it != routes_.end(); ++it) {
    const auto& [m, pattern] = it->first;
    if (m != method || !matches(pattern, path)) continue;
    if (!isPrefixPattern(pattern)) return it;  // an exact match beats every prefix
    if (found == routes_.end() || pattern.size() > best_length) {
      found = it;
      best_length = pattern.size();
    }
  }
  return found;
}

RouteMatch RouteTable::match(std::string_view method, std::string_view path) const {
  auto found = best(method, path);
  // HEAD is GET without the body: served by the GET handler unless a HEAD route exists.
  if (found == routes_.end() && method == "HEAD") found = best("GET", path);
  if (found != routes_.end()) {
    const std::string& pattern = found->first.pattern;
    std::string tail;
    if (isPrefixPattern(pattern)) tail = std::string(path.substr(prefixOf(pattern).size()));
    return RouteFound{&found->second, pattern, std::move(tail)};
  }

  std::set<std::string> allowed;
  for (const auto& [key, handler] : routes_) {
    if (!matches(key.pattern, path)) continue;
    allowed.insert(key.method);
    if (key.method == "GET") allowed.insert("HEAD");
  }
  if (allowed.empty()) return RouteNotFound{};
  return RouteMethodNotAllowed{std::vector<std::string>(allowed.begin(), allowed.end())};
}

}  // namespace sundial::adapters::http
