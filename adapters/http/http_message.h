#pragma once
// The handler contract of the HTTP server: a plain request in, a plain response out.
// No Boost type appears here, so handlers (worklist, metrics, the API) build without Beast.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sundial::adapters::http {

class StreamSink;  // response_stream.h

// Who is calling, once authenticated (see the security part): a user or an API token.
// Handlers filter by it (a reader sees only their tasks, a site viewer only their sites).
struct Principal {
  std::string user;                 // account or token name
  std::vector<std::string> roles;   // admin, rule_admin, dispatcher, reader, site_viewer, auditor
  std::vector<std::string> sites;   // site viewer: the sites they may see
  std::string reader_id;            // reader: their id in the roster
  bool hasRole(std::string_view role) const {
    for (const auto& r : roles) if (r == role) return true;
    return false;
  }
};

struct Request {
  std::string method;  // as sent, case-sensitive: "GET", "POST", ...
  std::string target;  // the raw request target: "/studies/1.2%2E3?x=a+b"
  std::string path;    // decoded and normalised: "/studies/1.2.3"
  // For a prefix route "/studies/*": what follows "/studies/" in `path`; empty for exact routes.
  std::string path_tail;
  std::map<std::string, std::string> query;    // decoded; the first of repeated keys wins
  std::map<std::string, std::string> headers;  // lower-case names; repeats joined with ", "
  std::string body;
  std::string peer_address;  // the client's IP address, without the port
  // Set by the server's authenticator before the handler runs; empty when no authenticator
  // is installed (tests) or the route is public.
  std::optional<Principal> principal;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers. Content-Type (use content_type), Content-Length, Transfer-Encoding,
  // Connection and Server are the server's to set and are ignored here; a name or value
  // holding CR, LF or NUL drops the header (logged).
  std::vector<std::pair<std::string, std::string>> headers;
  // A streamed body (response_stream.h): when set, `body` is ignored; the server writes the
  // head, then calls this (on the io thread) with the sink to push the body through.
  std::function<void(std::shared_ptr<StreamSink>)> stream;
};

// Runs on an io thread: it must be safe to call concurrently when the server has more than
// one io thread, must not block for long (post work elsewhere and answer), and may throw
// (the client gets a 500 and the error is logged).
using Handler = std::function<Response(const Request&)>;

// A JSON error body: {"error":"<message>"}, with the message escaped.
Response jsonError(int status, std::string_view message);

}  // namespace sundial::adapters::http
