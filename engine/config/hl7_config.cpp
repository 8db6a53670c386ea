#include "engine/config/sections.h"

namespace sundial::config::detail {

void readHl7Section(Reader& r, const YAML::Node& n, Hl7Config& out) {
  // No `hl7:` section, no listener: a configuration written before HL7 (or for a DICOM-only
  // node) must not start taking port 2575 from whatever already has it.
  if (!n.IsDefined() || n.IsNull()) {
    out.enabled = false;
    return;
  }
  const std::string where = "hl7";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where,
              {"enabled", "bind", "port", "max_message_bytes", "idle_timeout_ms",
               "max_connections", "io_threads", "store_timeout_ms", "duplicate_window_hours"});
  r.read(n, "enabled", out.enabled, where);
  r.readString(n, "bind", out.bind, where);
  r.readPort(n, "port", out.port, where);
  long long max_bytes = static_cast<long long>(out.max_message_bytes);
  r.read(n, "max_message_bytes", max_bytes, where);
  if (max_bytes < 1024 || max_bytes > (64ll << 20)) {
    r.problem(n["max_message_bytes"], "hl7.max_message_bytes must be between 1024 and 67108864");
  } else {
    out.max_message_bytes = static_cast<std::size_t>(max_bytes);
  }
  r.readMs(n, "idle_timeout_ms", out.idle_timeout, where, 1000);
  r.read(n, "max_connections", out.max_connections, where);
  if (out.max_connections < 1) r.problem(n["max_connections"], "hl7.max_connections must be at least 1");
  r.read(n, "io_threads", out.io_threads, where);
  if (out.io_threads < 1 || out.io_threads > 1024) {
    r.problem(n["io_threads"], "hl7.io_threads must be between 1 and 1024");
  }
  r.readMs(n, "store_timeout_ms", out.store_timeout, where, 100);
  long long window_hours = out.duplicate_window.count();
  r.read(n, "duplicate_window_hours", window_hours, where);
  if (window_hours < 1 || window_hours > 24 * 365) {
    r.problem(n["duplicate_window_hours"], "hl7.duplicate_window_hours must be between 1 and 8760");
  } else {
    out.duplicate_window = std::chrono::hours(window_hours);
  }
}

void readSiteHl7(Reader& r, const YAML::Node& n, SiteHl7Config& out, const std::string& where_site) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = where_site + ".hl7";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"senders", "version", "charset"});
  YAML::Node senders = n["senders"];
  if (senders.IsDefined() && !senders.IsNull()) {
    if (!senders.IsSequence()) {
      r.problem(senders, where + ".senders must be a list of {application, facility}");
    } else {
      for (const auto& s : senders) {
        if (!r.isMap(s, where + " sender")) continue;
        r.checkKeys(s, where + " sender", {"application", "facility"});
        Hl7SenderConfig sender;
        r.readString(s, "application", sender.application, where);
        r.readString(s, "facility", sender.facility, where);
        if (sender.facility.empty() && sender.application.empty()) {
          r.problem(s, where + ": a sender needs a facility (MSH-4) or an application (MSH-3)");
          continue;
        }
        out.senders.push_back(std::move(sender));
      }
    }
  }
  r.readString(n, "version", out.version, where);
  static const char* kVersions[] = {"2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1"};
  bool known = false;
  for (const char* v : kVersions) known = known || out.version == v;
  if (!known) r.problem(n["version"], where + ".version must be one of 2.3 to 2.7.1");
  r.readString(n, "charset", out.charset, where);
  if (!out.charset.empty() && out.charset != "ASCII" && out.charset != "8859/1" &&
      out.charset != "UNICODE UTF-8") {
    r.problem(n["charset"], where + ".charset must be ASCII, 8859/1 or UNICODE UTF-8 (MSH-18)");
  }
}

}  // namespace sundial::config::detail
