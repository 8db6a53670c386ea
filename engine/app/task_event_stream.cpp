#include "engine/app/task_event_stream.h"

#include <algorithm>
#include <cstdlib>
#include <utility>
#include <nlohmann/json.hpp>

#include "engine/app/task_json.h"
#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::app {
namespace {

constexpr std::chrono::milliseconds kReadBlock{1000};
constexpr std::chrono::milliseconds kRetryAfterError{1000};
constexpr std::size_t kReadBatch = 200;
// Sent first: tells EventSource to reconnect after 2 s, and the client that the stream is up.
constexpr std::string_view kPreamble = "retry: 2000\n: connected\n\n";

// Stream ids are "<ms>-<seq>": compared as numbers, not text.
std::pair<long long, long long> streamPosition(const std::string& id) {
  std::size_t dash = id.find('-');
  long long ms = std::atoll(id.c_str());
  long long seq = dash == std::string::npos ? 0 : std::atoll(id.c_str() + dash + 1);
  return {ms, seq};
}

std::vector<std::string> splitComma(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

TaskEventStream::TaskEventStream(std::unique_ptr<worklist::TaskStore> store, const Clock& clock,
                                 ViewerUrlTemplate viewer_url, ClaimPolicy claims,
                                 std::chrono::milliseconds keepalive)
    : store_(std::move(store)),
      clock_(clock),
      viewer_url_(std::move(viewer_url)),
      claims_(std::move(claims)),
      keepalive_(keepalive) {}

TaskEventStream::~TaskEventStream() { stop(); }

void TaskEventStream::start() {
  if (thread_.joinable()) return;
  // Position at the stream's end before any client connects, so nothing between start and
  // the first read is lost.
  auto latest = store_->latestChangeId();
  if (latest) last_id_ = latest.value();
  thread_ = std::thread([this] {
    nameThisThread("task-events");
    run();
  });
}

void TaskEventStream::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  for (auto& client : clients_) client->sink->close();
  clients_.clear();
}

std::size_t TaskEventStream::clientCount() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

adapters::http::Response TaskEventStream::subscribe(const adapters::http::Request& request) {
  auto client = std::make_shared<Client>();
  client->caller = taskCallerFrom(request.principal);
  if (!client->caller.reads_all && client->caller.reader_id.empty() && client->caller.sites.empty()) {
    return adapters::http::jsonError(403, "this account may not see the worklist");
  }
  for (const auto& [key, value] : request.query) {
    if (key == "reader") {
      client->reader = value;
    } else if (key == "site") {
      client->sites = splitComma(value);
    } else {
      return adapters::http::jsonError(400, "unknown parameter '" + key + "'");
    }
  }
  if (auto it = request.headers.find("last-event-id"); it != request.headers.end()) {
    client->replay_from = it->second;
  }
  adapters::http::Response response;
  response.content_type = "text/event-stream";
  response.headers = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  response.stream = [this, client](std::shared_ptr<adapters::http::StreamSink> sink) {
    sink->send(std::string(kPreamble));
    client->sink = std::move(sink);
    std::lock_guard lock(mutex_);
    clients_.push_back(client);
  };
  return response;
}

void TaskEventStream::run() {
  SteadyTime next_keepalive = clock_.steadyNow() + keepalive_;
  while (!stopping_) {
    replayPending();
    auto changes = store_->readChanges(last_id_, kReadBlock, kReadBatch);
    if (!changes) {
      log::warn("task_events_read_failed", {{"reason", changes.error().describe()}});
      std::this_thread::sleep_for(kRetryAfterError);
      continue;
    }
    if (!changes->empty()) {
      last_id_ = changes->back().stream_id;
      broadcast(changes.value());
    }
    if (clock_.steadyNow() >= next_keepalive) {
      sendKeepalive();
      next_keepalive = clock_.steadyNow() + keepalive_;
    }
  }
}

// Clients that came back with Last-Event-ID get what they missed before new changes.
void TaskEventStream::replayPending() {
  std::vector<std::shared_ptr<Client>> pending;
  {
    std::lock_guard lock(mutex_);
    for (auto& client : clients_) {
      if (!client->replay_from.empty()) pending.push_back(client);
    }
  }
  for (auto& client : pending) {
    std::string from = client->replay_from;
    client->replay_from.clear();
    for (;;) {
      auto missed = store_->readChanges(from, std::chrono::milliseconds(1), kReadBatch);
      if (!missed || missed->empty()) break;
      for (const auto& change : missed.value()) {
        // Up to where the live stream stands; the rest comes with the next broadcast.
        if (streamPosition(change.stream_id) > streamPosition(last_id_)) break;
        if (wants(*client, change)) client->sink->send(format(change, *client));
      }
      from = missed->back().stream_id;
      if (missed->size() < kReadBatch) break;
    }
  }
}

bool TaskEventStream::wants(const Client& client, const worklist::TaskChange& change) const {
  const worklist::Task& task = change.task;
  if (!client.sites.empty() &&
      std::find(client.sites.begin(), client.sites.end(), task.site) == client.sites.end()) {
    return false;
  }
  auto concerns = [&](const std::string& reader) {
    return task.holder() == reader || change.event.reader == reader ||
           change.event.previous_holder == reader;
  };
  if (!client.reader.empty() && !concerns(client.reader)) return false;
  // A reader also hears of a task leaving their hands (reassigned, lapsed), to drop it.
  const std::string& me = client.caller.reader_id;
  if (!me.empty() && concerns(me)) return true;
  return maySee(client.caller, task, claims_);
}

std::string TaskEventStream::format(const worklist::TaskChange& change, const Client& client) const {
  TaskJsonOptions options{client.caller.sees_identity, viewer_url_(change.task.site),
                          clock_.utcNow()};
  nlohmann::json data = {{"event", eventToJson(change.event)},
                         {"task", taskToJson(change.task, options)}};
  // A name in ISO 8859-1 from a site must not stop the stream: replace what is not UTF-8.
  const std::string payload = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return "id: " + change.stream_id + "\nevent: task\ndata: " + payload + "\n\n";
}

void TaskEventStream::broadcast(const std::vector<worklist::TaskChange>& changes) {
  std::lock_guard lock(mutex_);
  for (auto& client : clients_) {
    if (!client->replay_from.empty()) continue;  // replays first, next round
    for (const auto& change : changes) {
      if (wants(*client, change)) client->sink->send(format(change, *client));
    }
  }
  clients_.erase(std::remove_if(clients_.begin(), clients_.end(),
                                [](const auto& c) { return !c->sink->open(); }),
                 clients_.end());
}

void TaskEventStream::sendKeepalive() {
  std::lock_guard lock(mutex_);
  for (auto& client : clients_) client->sink->send(": keepalive\n\n");
  clients_.erase(std::remove_if(clients_.begin(), clients_.end(),
                                [](const auto& c) { return !c->sink->open(); }),
                 clients_.end());
}

}  // namespace sundial::app
