#pragma once
// Where reports leave for their site: a durable queue (Redis) drained by MLLP senders that
// retry with backoff and dead-letter after the configured tries. enqueue() returns only once
// the report is stored; delivery is reported back through the DeliveryListener.

#include <functional>
#include <string>

#include "engine/domain/report.h"
#include "engine/domain/result.h"

namespace sundial::engine {

struct ReportDelivery {
  std::string delivery_id;  // from enqueue()
  std::string task_id;      // as given to enqueue()
  std::string site;
  bool delivered = false;   // AA/CA; false: dead-lettered after its tries, or AE/AR
  std::string error_text;   // the site's ERR/MSA-3 text, or why it could not be sent
};

// Returns whether the outcome was taken (applied, or nothing to apply it to); false when it
// could not be recorded now (Redis down): it is offered again later, so it must be idempotent.
using DeliveryListener = std::function<bool(const ReportDelivery&)>;

class ReportOutbox {
 public:
  virtual ~ReportOutbox() = default;
  // Queues the report as an ORU^R01 in the site's HL7 version and character set. Returns the
  // delivery id. Fails (nothing queued) when the site has no report endpoint or Redis is down.
  virtual Result<std::string> enqueue(const Report& report, const std::string& task_id) = 0;
};

}  // namespace sundial::engine
