#pragma once
// What the server does with a well-framed request: the gate, then the route table, then the
// handler, with every exception turned into a 500. Apart from what the gate and the handlers
// do, it touches nothing; so the fuzz target (tests/fuzz/http_request_fuzz.cpp) runs exactly
// the server's handling without a socket. Any io thread.

#include "adapters/http/http_message.h"
#include "adapters/http/http_server.h"
#include "adapters/http/route_table.h"

namespace sundial::adapters::http {

// `gate` may be empty (no security part installed). Sets request.path_tail for a prefix
// route. Never throws.
Response dispatchRequest(const Gate& gate, const RouteTable& routes, Request& request);

// Whether `status` may be sent as the final answer: 200..599 (1xx are interim, anything
// else is not HTTP). The server answers 500 in place of any other.
bool isFinalStatus(int status);

}  // namespace sundial::adapters::http
