#pragma once
// ReportTransport: how a report sender reaches its site (an MLLP client in production, a
// fake in unit tests). One per sender thread; send() blocks up to the ACK timeout.

#include <string>
#include <string_view>

#include "engine/domain/result.h"

namespace sundial::engine {

// What the site's acknowledgement says, by what the sender should do next.
enum class SiteAnswer {
  Accepted,  // AA, CA: delivered
  Error,     // AE, CE: the site could not take it now; may pass, so retried
  Rejected,  // AR, CR: the site refuses this message; the same bytes would be refused again
};

struct SiteAck {
  SiteAnswer answer = SiteAnswer::Rejected;
  std::string code;        // MSA-1 as sent ("AE")
  std::string error_text;  // MSA-3 and ERR texts; empty on success
};

class ReportTransport {
 public:
  virtual ~ReportTransport() = default;
  // Connects when needed (the connection is kept between messages), sends, waits for the
  // ACK. Unavailable: not reachable, closed or no ACK in time. InvalidInput: the reply is not
  // an ACK for this message. Either way the connection is dropped.
  virtual Result<SiteAck> send(std::string_view message) = 0;
  virtual void close() = 0;
  virtual bool connected() const = 0;
};

}  // namespace sundial::engine
