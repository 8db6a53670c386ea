#pragma once
// ReportIntake: a report for a read task, from the reader's reporting system (ORU^R01 through
// the inbox) or from the worklist's "mark reported": checks the task may take it, queues it
// to the site (ReportOutbox: durable before this returns), then moves the task (preliminary,
// final, corrected/addendum). The outbox's delivery callback (onDelivery) then delivers it.
// Thread-safe as far as TaskService and the outbox are.

#include <string>

#include "engine/domain/report.h"
#include "engine/reports/report_outbox.h"
#include "worklist/task_service.h"

namespace sundial::worklist {

struct IncomingReport {
  ReportStatus status = ReportStatus::Final;
  std::string text;
  std::string reader;                  // who signed it
  bool from_reporting_system = false;  // an ORU: accepted whoever holds the task
  UtcTime observed_at{};               // when signed; empty: now
};

class ReportIntake {
 public:
  // `outbox` may be null when this node has no report delivery: reports are then refused
  // (Rejected) rather than recorded and never sent.
  ReportIntake(TaskService& tasks, engine::ReportOutbox* outbox) : tasks_(tasks), outbox_(outbox) {}

  // Rejected when the task's state does not take this report (nothing queued); Unavailable
  // when the report could not be queued (the task is unchanged: send it again).
  Result<Task> submit(const std::string& task_id, const IncomingReport& report,
                      const std::string& actor);

  // An ORU^R01 from a reader's reporting system (the inbox's report handler): finds its task
  // by accession number within the site, else by study UID, and submits it. NotFound (with
  // the site and why) when no task matches: the inbox puts it on the exception list.
  Result<Task> fromReportingSystem(const Report& report);

  // The DeliveryListener: the site acknowledged (or finally refused) a queued report.
  void onDelivery(const engine::ReportDelivery& delivery);

 private:
  Report buildReport(const Task& task, const IncomingReport& incoming) const;

  TaskService& tasks_;
  engine::ReportOutbox* outbox_;
};

}  // namespace sundial::worklist
