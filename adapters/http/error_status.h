#pragma once
// The one mapping from Sundial's Error to an HTTP answer (STYLE.md §4: one table per
// boundary). Handlers that fail with a Result answer through errorResponse().

#include "adapters/http/http_message.h"
#include "engine/domain/result.h"

namespace sundial::adapters::http {

// InvalidInput 400, NotFound 404, Duplicate 409, Rejected 403, ResourceExhausted 429,
// Unavailable 503, Timeout 504, RuleFailed and Internal 500.
int httpStatusFor(ErrorCode code);

// {"error":"<message>","code":"<ErrorCode name>"}. The context is left out: it names peers,
// files and instances, which are for the logs, not for the client.
Response errorResponse(const Error& error);

}  // namespace sundial::adapters::http
