#pragma once
// A long-lived response body pushed by the application, such as Server-Sent Events. A handler
// that sets Response::stream gets, once the server has written the response head (without a
// Content-Length; the body ends when the connection closes), a StreamSink to push bytes with.
// No Boost type appears here.

#include <memory>
#include <string>

namespace sundial::adapters::http {

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues bytes for the client, written in order. Safe from any thread; never blocks.
  // false once the connection is gone or the client is too slow to keep up (the connection is
  // then closed): the producer should drop the sink.
  virtual bool send(std::string bytes) = 0;
  virtual bool open() const = 0;
  // Ends the response: what is queued is written, then the connection closes.
  virtual void close() = 0;
};

}  // namespace sundial::adapters::http
