#include "worklist/report_intake.h"

#include <cctype>

#include "engine/domain/log.h"

namespace sundial::worklist {
namespace {

// OBR-32 may carry "ID^Family^Given": the reader is the ID, when it is a name we can use.
std::string readerIdFrom(const std::string& interpreter) {
  std::string id = interpreter.substr(0, interpreter.find('^'));
  if (id.empty() || id.size() > 64) return {};
  for (unsigned char c : id) {
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') return {};
  }
  return id;
}

}  // namespace

Report ReportIntake::buildReport(const Task& task, const IncomingReport& incoming) const {
  Report report;
  report.site = task.site;
  report.accession_number = task.order.accession_number;
  report.placer_order_number = task.order.placer_order_number;
  report.study_instance_uid = task.study_uids.empty() ? "" : task.study_uids.front();
  report.patient_id = task.patient.patient_id;
  report.patient_name = task.patient.name;
  report.procedure_code = task.order.procedure_code;
  report.procedure_text = task.order.procedure_text;
  report.status = incoming.status;
  report.text = incoming.text;
  report.reader_id = incoming.reader;
  report.observed_at = incoming.observed_at;
  return report;
}

std::string ReportIntake::contentHash(ReportStatus status, const std::string& text) const {
  // Length-prefixed status, so that no text can pose as another status's.
  const std::string_view name = reportStatusName(status);
  return hasher_(std::to_string(name.size()) + ":" + std::string(name) + text);
}

Result<Task> ReportIntake::submit(const std::string& task_id, const IncomingReport& incoming,
                                  const std::string& actor) {
  auto task = tasks_.get(task_id);
  if (!task) return task.error();
  command::Report command{incoming.status, incoming.reader, incoming.from_reporting_system, "",
                          contentHash(incoming.status, incoming.text)};
  // Ask the state machine first, so that a report the task cannot take is not sent to the site.
  auto allowed = applyCommand(task.value(), command, actor, tasks_.clock().utcNow(),
                              tasks_.lifecycle());
  if (!allowed) return allowed.error();
  if (allowed->event.type == kEventReportRepeated) {
    // Nothing to send: record the repeat. The fresh copy decides again; should another report
    // have come meanwhile, this one is no longer a repeat and must not be recorded as one
    // with no delivery behind it: the sender is asked to send it again (no ACK).
    log::info("task_report_repeated", {{"task", task_id}, {"actor", actor}});
    auto still_repeated = [hash = command.content_hash](const Task& fresh) -> Result<void> {
      if (fresh.report_hash == hash) return okResult();
      return makeError(ErrorCode::Unavailable, "another report came meanwhile; send it again");
    };
    auto recorded = tasks_.applyChange(task_id, command, actor, still_repeated);
    if (!recorded) return recorded.error();
    return std::move(recorded->task);
  }
  if (!outbox_) {
    return makeError(ErrorCode::Rejected, "this node has no report delivery configured",
                     "task " + task_id);
  }
  IncomingReport stamped = incoming;
  if (stamped.observed_at == UtcTime{}) stamped.observed_at = tasks_.clock().utcNow();
  auto delivery_id = outbox_->enqueue(buildReport(task.value(), stamped), task_id);
  if (!delivery_id) return delivery_id.error();
  command.delivery_id = delivery_id.value();
  auto changed = tasks_.apply(task_id, command, actor);
  if (!changed) {
    // Queued to the site, but the task moved meanwhile (say, cancelled): the site gets the
    // report all the same, which is the safe side; a person must look at the task.
    log::error("task_report_queued_but_refused", {{"task", task_id},
                                                  {"delivery", delivery_id.value()},
                                                  {"reason", changed.error().message}});
  }
  return changed;
}

Result<Task> ReportIntake::fromReportingSystem(const Report& report) {
  auto found = tasks_.findForReport(report.site, report.accession_number, report.study_instance_uid);
  if (!found) return found.error();
  if (!found->has_value()) {
    return makeError(ErrorCode::NotFound,
                     "no read task for this report's accession number or study at site " + report.site,
                     "site " + report.site);
  }
  IncomingReport incoming;
  incoming.status = report.status;
  incoming.text = report.text;
  incoming.reader = readerIdFrom(report.reader_id);
  incoming.from_reporting_system = true;
  incoming.observed_at = report.observed_at;
  return submit(**found, incoming, "hl7:" + report.site);
}

bool ReportIntake::onDelivery(const engine::ReportDelivery& delivery) {
  if (delivery.task_id.empty()) return true;  // a report the worklist did not queue
  auto changed = tasks_.apply(
      delivery.task_id,
      command::DeliveryResult{delivery.delivery_id, delivery.delivered, delivery.error_text},
      "site:" + delivery.site);
  if (changed) return true;
  const bool retry_later = isRetryable(changed.error().code);
  log::warn(retry_later ? "task_delivery_not_recorded_yet" : "task_delivery_not_recorded",
            {{"task", delivery.task_id},
             {"delivery", delivery.delivery_id},
             {"reason", changed.error().message}});
  // Anything else (the task is gone) will not get better by trying again.
  return !retry_later;
}

}  // namespace sundial::worklist
