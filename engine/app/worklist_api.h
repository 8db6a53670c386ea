#pragma once
// The worklist's HTTP endpoints under /api/v1 (docs/api.md, "Worklist"): tasks (list, get
// with history, create, claim, release, start, report, assign, unassign, cancel; in
// worklist_api.cpp), the reader board, reader heartbeats and sites with their SLA status (in
// worklist_board_api.cpp). Handlers run on the HTTP io threads; TaskService and ReportIntake
// are thread-safe, the presence store is used under presence_mutex_.

#include <memory>
#include <mutex>
#include <optional>

#include "adapters/http/http_server.h"
#include "engine/app/task_access.h"
#include "engine/config/config.h"
#include "rules/api/roster.h"
#include "worklist/reader_presence.h"
#include "worklist/report_intake.h"
#include "worklist/task_service.h"

namespace sundial::app {

class WorklistApi {
 public:
  WorklistApi(std::shared_ptr<const config::Config> config, worklist::TaskService& tasks,
              worklist::ReportIntake& reports,
              std::unique_ptr<worklist::ReaderPresence> presence,
              std::shared_ptr<const rules::Roster> roster);

  void install(adapters::http::HttpServer& server);

  // The handlers, public for the server's routes and for tests that call them directly.
  adapters::http::Response listTasks(const adapters::http::Request& request);
  adapters::http::Response createTask(const adapters::http::Request& request);
  adapters::http::Response getTask(const adapters::http::Request& request);
  adapters::http::Response taskCommand(const adapters::http::Request& request);
  adapters::http::Response readerBoard(const adapters::http::Request& request);
  adapters::http::Response readerCommand(const adapters::http::Request& request);
  adapters::http::Response sites(const adapters::http::Request& request);

 private:
  adapters::http::Response taskResponse(int status, const worklist::Task& task,
                                        const TaskCaller& caller);
  std::string viewerUrlTemplate(const std::string& site) const;
  // Up to filter.limit tasks the caller may see, in the store's order, and where the next page
  // starts (when there may be one). Reads on past tasks maySee() hides, at most kMaxPageReads
  // store pages.
  struct VisiblePage {
    std::vector<worklist::Task> tasks;
    std::optional<worklist::TaskPosition> next_after;
  };
  static constexpr int kMaxPageReads = 4;
  Result<VisiblePage> visiblePage(const TaskCaller& caller, worklist::TaskFilter filter);
  void installBoardRoutes(adapters::http::HttpServer& server);
  bool isKnownReader(const std::string& reader) const;
  // Extends the leases of every task the reader holds; returns their ids.
  std::vector<std::string> renewLeases(const std::string& reader, const std::string& actor);

  std::shared_ptr<const config::Config> config_;
  // The configuration's roster as the dispatcher sees it (shift schedules with their time
  // zones, pools, licences); null when it could not be built (the node logs why at start).
  std::shared_ptr<const rules::Roster> roster_;
  const ClaimPolicy claims_;
  worklist::TaskService& tasks_;
  worklist::ReportIntake& reports_;
  std::mutex presence_mutex_;  // guards presence_ (one connection)
  std::unique_ptr<worklist::ReaderPresence> presence_;
};

}  // namespace sundial::app
