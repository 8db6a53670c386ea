#pragma once

// What every JSON handler of the API answers with, in one place: the response itself, times,
// and the `limit` query parameter. Handlers keep only what is particular to them.

#include <nlohmann/json.hpp>
#include <string>

#include "adapters/http/http_message.h"
#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::app {

// A JSON answer. Strings that are not valid UTF-8 (an ISO 8859-1 name from a DICOM header or an
// HL7 message) are replaced, not thrown on. `no-store`: API answers carry patient data that a
// shared reading-room browser must not keep in its cache.
adapters::http::Response jsonResponse(int status, const nlohmann::json& body);
// The same for a body already written as JSON text (valid UTF-8), e.g. a task list.
adapters::http::Response jsonTextResponse(int status, std::string body);

// An error answered with the status the server's one table gives its code and a message that
// says what failed and why (Error::describe).
adapters::http::Response describedError(const Error& error);

// Epoch milliseconds, or null for a time that was never set.
nlohmann::json epochMsOrNull(UtcTime t);

// The `limit` query parameter: `default_limit` when absent, an InvalidInput error naming the
// allowed range when it is not a whole number in [1, max_limit].
Result<int> limitParam(const adapters::http::Request& request, int default_limit, int max_limit);

}  // namespace sundial::app
