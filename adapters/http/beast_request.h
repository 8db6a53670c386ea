#pragma once
// The request half of the server that speaks Beast: how the parser is limited, which
// requests are refused before any handler, and how a parsed message becomes a Request.
// The one header here with Boost types in it, on purpose: it is included only by
// http_server.cpp and by the HTTP fuzz target (tests/fuzz/http_request_fuzz.cpp), so the
// target parses bytes exactly as the server does. Include <utility> before it (see
// http_server.cpp: Boost 1.74's Asio under GCC 12 and C++20).

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "adapters/http/http_message.h"
#include "adapters/http/http_server.h"
#include "adapters/http/request_target.h"
#include "engine/domain/result.h"

namespace sundial::adapters::http::beast_request {

namespace bhttp = boost::beast::http;
using RequestParser = bhttp::request_parser<bhttp::string_body>;

// An answer sent before any handler runs; the connection is closed after it.
struct Refusal {
  int status;
  std::string_view message;
};

inline std::string_view toStd(boost::beast::string_view text) { return {text.data(), text.size()}; }

inline std::string toLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A fresh parser for the next request on a connection, with the configured limits.
inline void limitParser(RequestParser& parser, const HttpOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options.max_header_bytes, UINT32_MAX)));
  parser.body_limit(options.max_body_bytes);
}

// Checked once the header is in, before the body is read.
inline std::optional<Refusal> refuseHeader(const bhttp::request_header<>& message) {
  if (message.version() != 10 && message.version() != 11) {
    return Refusal{505, "HTTP version not supported"};
  }
  // RFC 7230 §5.4: a server MUST answer 400 to an HTTP/1.1 request without Host.
  if (message.version() == 11 && message.find(bhttp::field::host) == message.end()) {
    return Refusal{400, "missing Host header"};
  }
  return std::nullopt;
}

// For a read that failed with a parser error: the answer, or nullopt when there is nothing
// to answer (the client left, or went quiet) and the connection just closes.
inline std::optional<Refusal> refuseParseError(const boost::system::error_code& ec) {
  if (ec == bhttp::error::body_limit) return Refusal{413, "request body too large"};
  if (ec == bhttp::error::header_limit) return Refusal{431, "request header fields too large"};
  const bool parser_error =
      ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
  if (!parser_error || ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return std::nullopt;
  }
  return Refusal{400, "malformed request"};
}

// The handler's view of a complete message: the target parsed (InvalidInput for a target
// the server refuses with 400), header names in lower case with repeats joined by ", ",
// the body moved out of the message.
inline Result<Request> toRequest(bhttp::request<bhttp::string_body>& message,
                                 std::string peer_address) {
  Request request;
  request.method = std::string(toStd(message.method_string()));
  request.target = std::string(toStd(message.target()));
  request.peer_address = std::move(peer_address);
  Result<RequestTarget> target = parseRequestTarget(request.target);
  if (!target) return target.error();
  request.path = std::move(target->path);
  request.query = std::move(target->query);
  for (const auto& field : message) {
    auto [it, inserted] = request.headers.try_emplace(toLower(toStd(field.name_string())),
                                                      std::string(toStd(field.value())));
    if (!inserted) {
      it->second += ", ";
      it->second += toStd(field.value());
    }
  }
  request.body = std::move(message.body());
  return request;
}

}  // namespace sundial::adapters::http::beast_request
