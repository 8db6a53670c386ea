#include "adapters/http/request_target.h"

#include <utility>

namespace sundial::adapters::http {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error badTarget(std::string message, std::string_view target) {
  return makeError(ErrorCode::InvalidInput, std::move(message),
                   "request target " + std::string(target.substr(0, 200)));
}

// "http://host:8080/a?b" -> "/a?b"; "http://host" -> "/". Origin form is returned unchanged.
std::optional<std::string_view> originForm(std::string_view target) {
  if (target.starts_with('/')) return target;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() < scheme.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
      char c = target[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != scheme[i]) matches = false;
    }
    if (!matches) continue;
    std::string_view rest = target.substr(scheme.size());
    std::size_t slash = rest.find_first_of("/?");
    if (slash == std::string_view::npos) return std::string_view("/");
    if (rest[slash] == '?') return std::nullopt;  // "http://host?x": no path at all
    return rest.substr(slash);
  }
  return std::nullopt;
}

Result<std::string> normalisePath(std::string_view raw, std::string_view target) {
  std::string path;
  std::size_t start = 1;  // raw starts with '/'
  while (start <= raw.size()) {
    std::size_t end = raw.find('/', start);
    if (end == std::string_view::npos) end = raw.size();
    std::optional<std::string> segment = percentDecode(raw.substr(start, end - start), false);
    if (!segment) return badTarget("malformed percent-encoding in the path", target);
    if (*segment == "..") return badTarget("'..' segments are refused", target);
    if (segment->find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
      return badTarget("an encoded '/' or NUL in a path segment is refused", target);
    }
    if (!segment->empty() && *segment != ".") {
      path += '/';
      path += *segment;
    }
    start = end + 1;
  }
  if (path.empty() || raw.ends_with('/')) path += '/';
  return path;
}

}  // namespace

std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
      continue;
    }
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hexValue(text[i + 1]);
    int low = hexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

Result<RequestTarget> parseRequestTarget(std::string_view target) {
  std::optional<std::string_view> origin = originForm(target);
  if (!origin) return badTarget("the request target is not a path", target);
  // A fragment is never sent by a conforming client; cut it rather than treat it as data.
  std::string_view without_fragment = origin->substr(0, origin->find('#'));
  std::size_t question = without_fragment.find('?');
  std::string_view raw_path = without_fragment.substr(0, question);
  std::string_view raw_query = question == std::string_view::npos
                                   ? std::string_view()
                                   : without_fragment.substr(question + 1);

  Result<std::string> path = normalisePath(raw_path, target);
  if (!path) return path.error();

  RequestTarget parsed;
  parsed.path = std::move(path).value();
  std::size_t start = 0;
  while (start < raw_query.size()) {
    std::size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    std::string_view pair = raw_query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    std::size_t equals = pair.find('=');
    std::optional<std::string> key = percentDecode(pair.substr(0, equals), true);
    std::optional<std::string> value = percentDecode(
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
    if (!key || !value) return badTarget("malformed percent-encoding in the query", target);
    parsed.query.emplace(std::move(*key), std::move(*value));
  }
  return parsed;
}

}  // namespace sundial::adapters::http
