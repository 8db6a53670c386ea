#pragma once
// ReportIntake: a report for a read task, from the reader's reporting system (ORU^R01 through
// the inbox) or from the worklist's "mark reported": checks the task may take it, queues it
// to the site (ReportOutbox: durable before this returns), then moves the task (preliminary,
// final, corrected/addendum). The outbox's delivery callback (onDelivery) then delivers it.
// A report identical (status and text, by content hash) to the task's latest one after the
// final report — a reporting system resending under a new message control ID — is recorded
// in the task's history and accepted, but neither queued again nor counted as an addendum.
// Thread-safe as far as TaskService and the outbox are.

#include <functional>
#include <string>
#include <string_view>

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
  // A collision-resistant digest (hex) of its input: SHA-256 in the engine (the worklist has
  // no cryptography of its own). Two reports are "the same" when their digests are equal.
  using ContentHasher = std::function<std::string(std::string_view)>;

  // `outbox` may be null when this node has no report delivery: reports are then refused
  // (Rejected) rather than recorded and never sent.
  ReportIntake(TaskService& tasks, engine::ReportOutbox* outbox, ContentHasher hasher)
      : tasks_(tasks), outbox_(outbox), hasher_(std::move(hasher)) {}

  // The content hash of a report as compared for repeats: its status and its text.
  std::string contentHash(ReportStatus status, const std::string& text) const;

  // Rejected when the task's state does not take this report (nothing queued); Unavailable
  // when the report could not be queued (the task is unchanged: send it again).
  Result<Task> submit(const std::string& task_id, const IncomingReport& report,
                      const std::string& actor);

  // An ORU^R01 from a reader's reporting system (the inbox's report handler): finds its task
  // by accession number within the site, else by study UID, and submits it. NotFound (with
  // the site and why) when no task matches: the inbox puts it on the exception list.
  Result<Task> fromReportingSystem(const Report& report);

  // The DeliveryListener: the site acknowledged (or finally refused) a queued report. False
  // when the task could not be changed for now (Redis down): the outbox offers it again.
  // Idempotent: the delivered task of a repeated ACK stays as it is.
  bool onDelivery(const engine::ReportDelivery& delivery);

 private:
  Report buildReport(const Task& task, const IncomingReport& incoming) const;

  TaskService& tasks_;
  engine::ReportOutbox* outbox_;
  const ContentHasher hasher_;
};

}  // namespace sundial::worklist
