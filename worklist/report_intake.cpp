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

Result<Task> ReportIntake::submit(const std::string& task_id, const IncomingReport& incoming,
                                  const std::string& actor) {
  auto task = tasks_.get(task_id);
  if (!task) return task.error();
  command::Report command{incoming.status, incoming.reader, incoming.from_reporting_system, ""};
  // Ask the state machine first, so that a report the task cannot take is not sent to the site.
  auto allowed = applyCommand(task.value(), command, actor, tasks_.clock().utcNow(),
                              tasks_.lifecycle());
  if (!allowed) return allowed.error();
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

void ReportIntake::onDelivery(const engine::ReportDelivery& delivery) {
  if (delivery.task_id.empty()) return;  // a report the worklist did not queue
  auto changed = tasks_.apply(
      delivery.task_id,
      command::DeliveryResult{delivery.delivery_id, delivery.delivered, delivery.error_text},
      "site:" + delivery.site);
  if (!changed) {
    log::warn("task_delivery_not_recorded", {{"task", delivery.task_id},
                                             {"delivery", delivery.delivery_id},
                                             {"reason", changed.error().message}});
  }
}

}  // namespace sundial::worklist
