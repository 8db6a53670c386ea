#pragma once
// How the exporter reaches the audit repository: one syslog message at a time over a kept
// connection. Implemented by adapters/syslog (RFC 5425 over TLS); tests may record instead.
// Used by the exporter's thread only.

#include <string_view>

#include "engine/domain/result.h"

namespace sundial::engine::audit {

class AuditTransport {
 public:
  virtual ~AuditTransport() = default;
  // Sends one RFC 5424 message (the transport frames it), connecting first when needed.
  // Unavailable when the repository cannot be reached or the connection broke: the caller
  // retries the same message later. Syslog has no acknowledgement, so a message written just
  // before the peer fails can be lost in its buffers; the trail keeps it for verification.
  virtual Result<void> send(std::string_view syslog_message) = 0;
  virtual void close() = 0;
};

}  // namespace sundial::engine::audit
