#include "engine/app/sla_webhook_notifier.h"

#include <nlohmann/json.hpp>

namespace sundial::app {

std::string slaNoticeJson(const worklist::SlaNotice& notice) {
  const worklist::Task& t = notice.task;
  nlohmann::json body = {{"kind", notice.kind},
                         {"task_id", t.id},
                         {"task_url", "/api/v1/tasks/" + t.id},
                         {"site", t.site},
                         {"modality", t.modality},
                         {"priority", orderPriorityName(t.priority)},
                         {"state", worklist::taskStateName(t.state)},
                         {"cause", notice.cause},
                         {"reader", t.holder()},
                         {"pool", t.pool},
                         {"due_ms", toEpochMs(t.due)},
                         {"at_ms", toEpochMs(notice.at)}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SlaWebhookNotifier::notify(const worklist::SlaNotice& notice) {
  sender_.post(slaNoticeJson(notice));
}

}  // namespace sundial::app
