#pragma once
// Live updates of the worklist: GET /api/v1/events as Server-Sent Events. One thread reads
// the change stream in Redis (every node's changes, so a task changed on another node shows
// too) and pushes each change to the connected clients allowed to see it. A client that
// reconnects with Last-Event-ID gets the changes it missed (as far as the capped stream goes).
//
// Event format (docs/api.md): "id: <stream id>\nevent: task\ndata: {"event":{...},"task":{...}}".

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/http_message.h"
#include "adapters/http/response_stream.h"
#include "engine/app/task_access.h"
#include "engine/domain/clock.h"
#include "worklist/task_store.h"

namespace sundial::app {

class TaskEventStream {
 public:
  using ViewerUrlTemplate = std::function<std::string(const std::string& site)>;

  // `store` is this stream's own connection (it blocks in XREAD).
  TaskEventStream(std::unique_ptr<worklist::TaskStore> store, const Clock& clock,
                  ViewerUrlTemplate viewer_url, ClaimPolicy claims,
                  std::chrono::milliseconds keepalive = std::chrono::seconds(15));
  ~TaskEventStream();

  void start();
  void stop();  // closes every client's stream

  // The handler of GET /api/v1/events (any io thread).
  adapters::http::Response subscribe(const adapters::http::Request& request);

  std::size_t clientCount() const;

 private:
  struct Client {
    std::shared_ptr<adapters::http::StreamSink> sink;
    TaskCaller caller;
    std::string reader;               // ?reader=: only this reader's tasks
    std::vector<std::string> sites;   // ?site=
    std::string replay_from;          // Last-Event-ID, until replayed
  };

  void run();
  void replayPending();
  void broadcast(const std::vector<worklist::TaskChange>& changes);
  bool wants(const Client& client, const worklist::TaskChange& change) const;
  std::string format(const worklist::TaskChange& change, const Client& client) const;
  void sendKeepalive();

  std::unique_ptr<worklist::TaskStore> store_;  // the thread's only
  const Clock& clock_;
  ViewerUrlTemplate viewer_url_;
  const ClaimPolicy claims_;  // which pool tasks a reader hears of (those they may claim)
  const std::chrono::milliseconds keepalive_;
  mutable std::mutex mutex_;  // guards clients_
  std::vector<std::shared_ptr<Client>> clients_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::string last_id_ = "0-0";  // the thread's position in the stream
};

}  // namespace sundial::app
