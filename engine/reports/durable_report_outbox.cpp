#include "engine/reports/durable_report_outbox.h"

#include "engine/domain/log.h"

namespace sundial::engine {
namespace {

constexpr char kBase36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr int kRandomDigits = 8;

std::string base36(unsigned long long value) {
  std::string digits;
  do {
    digits.insert(digits.begin(), kBase36[value % 36]);
    value /= 36;
  } while (value > 0);
  return digits;
}

}  // namespace

DurableReportOutbox::DurableReportOutbox(std::shared_ptr<const config::Config> config,
                                         std::unique_ptr<OutboxStore> store,
                                         ReportMessageBuilder builder, const Clock& clock,
                                         Metrics& metrics, AuditSink& audit, std::uint64_t seed)
    : config_(std::move(config)),
      builder_(std::move(builder)),
      clock_(clock),
      audit_(audit),
      queued_(metrics.counter("sundial_reports_queued_total", "Reports queued for delivery")),
      store_(std::move(store)),
      random_(seed) {}

// Time first (ids sort by when they were made, which helps people reading lists), then
// random digits so that two nodes or two calls in one millisecond never collide: 8 + 8
// characters of [0-9A-Z], within MSH-10's 20.
std::string DurableReportOutbox::newDeliveryId() {
  std::string id = base36(static_cast<unsigned long long>(toEpochMs(clock_.utcNow())));
  std::uniform_int_distribution<int> digit(0, 35);
  for (int i = 0; i < kRandomDigits; ++i) id += kBase36[digit(random_)];
  return id;
}

Result<std::string> DurableReportOutbox::enqueue(const Report& report, const std::string& task_id) {
  return enqueueAs(report, task_id, "engine");
}

Result<std::string> DurableReportOutbox::enqueueAs(const Report& report, const std::string& task_id,
                                                   const std::string& actor) {
  const config::SiteConfig* site = config_->findSite(report.site);
  if (site == nullptr) {
    return makeError(ErrorCode::NotFound, "unknown site '" + report.site + "'", "task=" + task_id);
  }
  if (site->reports.host.empty()) {
    return makeError(ErrorCode::Rejected,
                     "site '" + site->name + "' has no report endpoint (sites[].reports)",
                     "task=" + task_id);
  }
  OutboxEntry entry;
  entry.task_id = task_id;
  entry.site = site->name;
  entry.accession_number = report.accession_number;
  entry.patient_id = report.patient_id;
  entry.queued_at = clock_.utcNow();
  {
    // The builder is pure; only the id's random digits and the store need the lock.
    std::lock_guard lock(mutex_);
    entry.delivery_id = newDeliveryId();
    auto message = builder_(report, *site, entry.delivery_id, entry.queued_at);
    if (!message) return message.error();
    entry.message = std::move(message).value();
    if (auto stored = store_->add(entry); !stored) return stored.error();
  }
  queued_.add();
  log::info("report_queued", {{"site", entry.site}, {"delivery", entry.delivery_id},
                              {"task", task_id}, {"status", reportStatusName(report.status)}});
  AuditRecord record;
  record.action = "report.queued";
  record.actor = actor;
  record.site = entry.site;
  record.study_uid = report.study_instance_uid;
  record.accession_number = report.accession_number;
  record.patient_id = report.patient_id;
  record.details = {{"delivery_id", entry.delivery_id},
                    {"task_id", task_id},
                    {"status", std::string(reportStatusName(report.status))}};
  audit_.record(std::move(record));
  return entry.delivery_id;
}

Result<OutboxDepth> DurableReportOutbox::depth(const std::string& site) {
  std::lock_guard lock(mutex_);
  return store_->depth(site);
}

Result<std::vector<OutboxDeadLetter>> DurableReportOutbox::deadLetters(const std::string& site,
                                                                       int limit) {
  std::lock_guard lock(mutex_);
  return store_->deadLetters(site, limit);
}

Result<std::string> DurableReportOutbox::retryDead(const std::string& delivery_id,
                                                   const std::string& actor) {
  auto site = [&] {
    std::lock_guard lock(mutex_);
    return store_->retryDead(delivery_id);
  }();
  if (!site) return site;
  log::info("report_dead_letter_retried", {{"site", site.value()}, {"delivery", delivery_id}});
  AuditRecord record;
  record.action = "report.retried";
  record.actor = actor;
  record.site = site.value();
  record.details = {{"delivery_id", delivery_id}};
  audit_.record(std::move(record));
  return site;
}

std::vector<const config::SiteConfig*> DurableReportOutbox::reportingSites() const {
  std::vector<const config::SiteConfig*> sites;
  for (const config::SiteConfig& site : config_->sites) {
    if (!site.reports.host.empty()) sites.push_back(&site);
  }
  return sites;
}

}  // namespace sundial::engine
