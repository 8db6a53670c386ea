#include "adapters/redis/task_key_schema.h"

namespace sundial::adapters::redis {
namespace {

std::string hexEncode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() * 2);
  for (unsigned char c : text) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

std::string join(std::string_view a, std::string_view b) {
  std::string out(a);
  out += b;
  return out;
}

}  // namespace

TaskKeySchema::TaskKeySchema(std::string_view prefix) : base_(std::string(prefix) + ":v1:") {}

std::string TaskKeySchema::task(std::string_view id) const { return join(base_ + "task:", id); }
std::string TaskKeySchema::history(std::string_view id) const { return task(id) + ":history"; }
std::string TaskKeySchema::sequence() const { return base_ + "tasks:seq"; }
std::string TaskKeySchema::all() const { return base_ + "tasks:all"; }
std::string TaskKeySchema::open() const { return base_ + "tasks:open"; }
std::string TaskKeySchema::state(std::string_view name) const {
  return join(base_ + "tasks:state:", name);
}
std::string TaskKeySchema::site(std::string_view site) const {
  return join(base_ + "tasks:site:", site);
}
std::string TaskKeySchema::reader(std::string_view reader) const {
  return join(base_ + "tasks:reader:", reader);
}
std::string TaskKeySchema::openSite(std::string_view site) const {
  return join(base_ + "tasks:open_site:", site);
}
std::string TaskKeySchema::openReader(std::string_view reader) const {
  return join(base_ + "tasks:open_reader:", reader);
}
std::string TaskKeySchema::claimable() const { return base_ + "tasks:claimable"; }
std::string TaskKeySchema::queryIndexesBuilt() const { return base_ + "tasks:query_indexes"; }
std::string TaskKeySchema::delivered() const { return base_ + "tasks:delivered"; }
std::string TaskKeySchema::openStudy(std::string_view uid) const {
  return join(base_ + "tasks:open_study:", uid);
}
std::string TaskKeySchema::study(std::string_view uid) const {
  return join(base_ + "tasks:study:", uid);
}
std::string TaskKeySchema::accession(std::string_view site, std::string_view accession) const {
  return join(base_ + "tasks:accession:", site) + ":" + hexEncode(accession);
}
std::string TaskKeySchema::leases() const { return base_ + "tasks:leases"; }
std::string TaskKeySchema::changes() const { return base_ + "tasks:changes"; }
std::string TaskKeySchema::slaWarn() const { return base_ + "sla:warn"; }
std::string TaskKeySchema::slaDue() const { return base_ + "sla:due"; }
std::string TaskKeySchema::slaBreaches() const { return base_ + "sla:breaches"; }
std::string TaskKeySchema::presence(std::string_view reader) const {
  return join(base_ + "reader:", reader);
}

}  // namespace sundial::adapters::redis
