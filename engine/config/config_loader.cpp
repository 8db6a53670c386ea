#include "engine/config/config_loader.h"

#include "engine/config/sections.h"
#include "engine/config/yaml_reader.h"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace sundial::config {
namespace {

using detail::Reader;

using detail::isValidAeTitle;
using detail::isValidName;

void readNode(Reader& r, const YAML::Node& n, NodeConfig& node) {
  const std::string where = "node";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where,
              {"name", "ae_title", "dicom_port", "http_port", "http_bind", "data_dir",
               "max_inbound_associations", "max_pdu_bytes", "dimse_timeout_ms",
               "identifying_logs"});
  r.readString(n, "name", node.name, where);
  if (!node.name.empty() && !isValidName(node.name)) {
    r.problem(n["name"], "node.name must be letters, digits, '_', '-' or '.'");
  }
  r.readString(n, "ae_title", node.ae_title, where);
  if (!isValidAeTitle(node.ae_title)) {
    r.problem(n["ae_title"], "node.ae_title must be 1-16 printable characters");
  }
  r.readPort(n, "dicom_port", node.dicom_port, where);
  r.readPort(n, "http_port", node.http_port, where);
  r.readString(n, "http_bind", node.http_bind, where);
  std::string data_dir;
  r.readString(n, "data_dir", data_dir, where);
  if (data_dir.empty()) {
    r.problem(n, "node.data_dir is required (the folder for the spool, Redis and audit)");
  }
  node.data_dir = data_dir;
  r.read(n, "max_inbound_associations", node.max_inbound_associations, where);
  if (node.max_inbound_associations < 1 || node.max_inbound_associations > 1024) {
    r.problem(n["max_inbound_associations"], "node.max_inbound_associations must be 1-1024");
  }
  r.read(n, "max_pdu_bytes", node.max_pdu_bytes, where);
  if (node.max_pdu_bytes < 4096 || node.max_pdu_bytes > 131072) {
    r.problem(n["max_pdu_bytes"], "node.max_pdu_bytes must be 4096-131072");
  }
  r.readMs(n, "dimse_timeout_ms", node.dimse_timeout, where, 1000);
  r.read(n, "identifying_logs", node.identifying_logs, where);
}

void readRedis(Reader& r, const YAML::Node& n, RedisConfig& redis) {
  const std::string where = "redis";
  if (!n.IsDefined() || n.IsNull()) return;
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"address", "key_prefix", "server_binary", "finished_study_retention_hours",
                         "appendfsync"});
  long long retention_hours = redis.finished_study_retention.count();
  r.read(n, "finished_study_retention_hours", retention_hours, where);
  if (retention_hours < 1) {
    r.problem(n["finished_study_retention_hours"],
              "redis.finished_study_retention_hours must be at least 1");
  } else {
    redis.finished_study_retention = std::chrono::hours(retention_hours);
  }
  r.readString(n, "address", redis.address, where);
  r.readString(n, "key_prefix", redis.key_prefix, where);
  r.readString(n, "server_binary", redis.server_binary, where);
  r.readString(n, "appendfsync", redis.appendfsync, where);
  if (redis.appendfsync != "always" && redis.appendfsync != "everysec") {
    r.problem(n["appendfsync"], "redis.appendfsync must be 'always' or 'everysec'");
  }
  if (!isValidName(redis.key_prefix)) {
    r.problem(n["key_prefix"], "redis.key_prefix must be letters, digits, '_', '-' or '.'");
  }
  const std::string& a = redis.address;
  if (!a.empty() && a.rfind("unix:", 0) != 0 && a.find(':') == std::string::npos) {
    r.problem(n["address"], "redis.address must be 'unix:/path' or 'host:port'");
  }
}

void readSpool(Reader& r, const YAML::Node& n, SpoolConfig& spool) {
  const std::string where = "spool";
  if (!n.IsDefined() || n.IsNull()) return;
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"fsync", "min_free_bytes", "keep_forwarded"});
  r.read(n, "fsync", spool.fsync, where);
  r.read(n, "min_free_bytes", spool.min_free_bytes, where);
  r.read(n, "keep_forwarded", spool.keep_forwarded, where);
}

void readTracker(Reader& r, const YAML::Node& n, TrackerConfig& tracker) {
  const std::string where = "tracker";
  if (!n.IsDefined() || n.IsNull()) return;
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"quiet_period_ms"});
  r.readMs(n, "quiet_period_ms", tracker.quiet_period, where, 100);
}

void readForwarding(Reader& r, const YAML::Node& n, ForwardingConfig& fwd) {
  const std::string where = "forwarding";
  if (!n.IsDefined() || n.IsNull()) return;
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where,
              {"max_attempts", "initial_backoff_ms", "max_backoff_ms",
               "idle_association_timeout_ms", "batch_size"});
  r.read(n, "max_attempts", fwd.max_attempts, where);
  if (fwd.max_attempts < 1) r.problem(n["max_attempts"], "forwarding.max_attempts must be >= 1");
  r.readMs(n, "initial_backoff_ms", fwd.initial_backoff, where, 10);
  r.readMs(n, "max_backoff_ms", fwd.max_backoff, where, 10);
  r.readMs(n, "idle_association_timeout_ms", fwd.idle_association_timeout, where, 0);
  r.read(n, "batch_size", fwd.batch_size, where);
  if (fwd.batch_size < 1 || fwd.batch_size > 1000) {
    r.problem(n["batch_size"], "forwarding.batch_size must be 1-1000");
  }
  if (fwd.max_backoff < fwd.initial_backoff) {
    r.problem(n["max_backoff_ms"], "forwarding.max_backoff_ms must be >= initial_backoff_ms");
  }
}

void readDestinations(Reader& r, const YAML::Node& n, std::vector<DestinationConfig>& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) {
    r.problem(n, "destinations must be a list");
    return;
  }
  std::set<std::string> names;
  for (const auto& d : n) {
    DestinationConfig dest;
    dest.config_line = static_cast<int>(d.Mark().line) + 1;
    if (!r.isMap(d, "each destination")) continue;
    r.checkKeys(d, "destination", {"name", "ae_title", "host", "port", "max_associations", "mode"});
    r.readString(d, "name", dest.name, "destination");
    std::string where = "destination '" + dest.name + "'";
    if (!isValidName(dest.name)) {
      r.problem(d, "a destination needs a name of letters, digits, '_', '-' or '.'");
    } else if (!names.insert(dest.name).second) {
      r.problem(d["name"], "destination name '" + dest.name + "' is used twice");
    }
    r.readString(d, "ae_title", dest.ae_title, where);
    if (!isValidAeTitle(dest.ae_title)) {
      r.problem(d["ae_title"].IsDefined() ? d["ae_title"] : YAML::Node(d),
                where + " needs an ae_title of 1-16 printable characters");
    }
    r.readString(d, "host", dest.host, where);
    if (dest.host.empty()) r.problem(d, where + " needs a host");
    if (!d["port"].IsDefined()) r.problem(d, where + " needs a port");
    r.readPort(d, "port", dest.port, where);
    r.read(d, "max_associations", dest.max_associations, where);
    if (dest.max_associations < 1 || dest.max_associations > 32) {
      r.problem(d["max_associations"], where + ".max_associations must be 1-32");
    }
    std::string mode = "on_completion";
    r.readString(d, "mode", mode, where);
    if (mode == "on_completion") {
      dest.mode = ForwardMode::OnCompletion;
    } else if (mode == "streaming") {
      dest.mode = ForwardMode::Streaming;
    } else {
      r.problem(d["mode"], where + ".mode must be 'on_completion' or 'streaming', not '" + mode + "'");
    }
    out.push_back(std::move(dest));
  }
}

void readSites(Reader& r, const YAML::Node& n, std::vector<SiteConfig>& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) {
    r.problem(n, "sites must be a list");
    return;
  }
  std::set<std::string> names;
  for (const auto& s : n) {
    SiteConfig site;
    site.config_line = static_cast<int>(s.Mark().line) + 1;
    if (!r.isMap(s, "each site")) continue;
    r.checkKeys(s, "site",
                {"name", "time_zone", "state", "callers", "destinations", "quiet_period_ms",
                 "quiet_period_by_modality_ms", "hl7", "reports", "coverage", "sla",
                 "viewer_url", "security"});
    r.readString(s, "name", site.name, "site");
    std::string where = "site '" + site.name + "'";
    if (!isValidName(site.name)) {
      r.problem(s, "a site needs a name of letters, digits, '_', '-' or '.'");
    } else if (!names.insert(site.name).second) {
      r.problem(s["name"], "site name '" + site.name + "' is used twice");
    }
    r.readString(s, "time_zone", site.time_zone, where);
    r.readString(s, "state", site.state, where);
    YAML::Node callers = s["callers"];
    if (!callers.IsDefined() || !callers.IsSequence() || callers.size() == 0) {
      r.problem(callers.IsDefined() ? callers : YAML::Node(s),
                where + " needs callers: a list of {ae_title, addresses}");
    } else {
      for (const auto& c : callers) {
        CallerConfig caller;
        if (!r.isMap(c, where + " caller")) continue;
        r.checkKeys(c, where + " caller", {"ae_title", "addresses"});
        r.readString(c, "ae_title", caller.ae_title, where);
        if (!isValidAeTitle(caller.ae_title)) {
          r.problem(c, where + ": a caller needs an ae_title of 1-16 printable characters");
        }
        caller.addresses = r.readStringList(c, "addresses", where + " caller");
        if (caller.addresses.empty()) {
          r.problem(c, where + ": caller '" + caller.ae_title + "' needs addresses");
        }
        for (const auto& a : caller.addresses) {
          if (!isValidAddressPattern(a)) {
            r.problem(c["addresses"], where + ": '" + a + "' is not an IP address or CIDR block");
          }
        }
        site.callers.push_back(std::move(caller));
      }
    }
    site.destinations = r.readStringList(s, "destinations", where);
    if (s["quiet_period_ms"].IsDefined()) {
      Milliseconds q{0};
      r.readMs(s, "quiet_period_ms", q, where, 100);
      site.quiet_period = q;
    }
    YAML::Node by_modality = s["quiet_period_by_modality_ms"];
    if (by_modality.IsDefined() && !by_modality.IsNull()) {
      if (!by_modality.IsMap()) {
        r.problem(by_modality, where + ".quiet_period_by_modality_ms must map modality to ms");
      } else {
        for (const auto& entry : by_modality) {
          Milliseconds q{0};
          r.readMs(by_modality, entry.first.Scalar().c_str(), q, where, 100);
          site.quiet_period_by_modality[entry.first.Scalar()] = q;
        }
      }
    }
    detail::readSiteHl7(r, s["hl7"], site.hl7, where);
    detail::readSiteReports(r, s["reports"], site.reports, where);
    detail::readSiteCoverage(r, s["coverage"], site.coverage, where);
    detail::readSiteSla(r, s["sla"], site.sla, where);
    r.readString(s, "viewer_url", site.viewer_url, where);
    detail::readSiteSecurity(r, s["security"], site.security, where);
    out.push_back(std::move(site));
  }
}

// Cross-checks that need the whole file: references between sections, overlapping callers.
void checkReferences(Reader& r, const YAML::Node& root, const Config& config) {
  YAML::Node sites = root["sites"];
  size_t index = 0;
  std::map<std::string, std::string> caller_owner;  // "AE@address" -> site
  for (const SiteConfig& site : config.sites) {
    YAML::Node node = sites.IsSequence() && index < sites.size() ? sites[index] : root;
    ++index;
    for (const std::string& dest : site.destinations) {
      if (!config.findDestination(dest)) {
        r.problem(node["destinations"], "site '" + site.name + "' names destination '" + dest +
                                            "', which is not in destinations");
      }
    }
    for (const CallerConfig& caller : site.callers) {
      for (const std::string& address : caller.addresses) {
        std::string key = caller.ae_title + "@" + address;
        auto [it, inserted] = caller_owner.emplace(key, site.name);
        if (!inserted && it->second != site.name) {
          r.problem(node["callers"], "caller " + key + " is configured for both site '" +
                                         it->second + "' and site '" + site.name + "'");
        }
      }
    }
  }
}

LoadOutcome finish(Reader& reader, std::shared_ptr<Config> config) {
  LoadOutcome outcome;
  outcome.problems = std::move(reader.problems());
  if (outcome.problems.empty()) outcome.config = std::move(config);
  return outcome;
}

}  // namespace

std::string LoadProblem::describe() const {
  std::ostringstream out;
  out << file;
  if (line > 0) out << ":" << line;
  out << ": " << message;
  return out.str();
}

bool isValidAddressPattern(const std::string& pattern) {
  std::string address = pattern;
  size_t slash = pattern.find('/');
  int max_bits = 32;
  if (slash != std::string::npos) address = pattern.substr(0, slash);
  unsigned char buffer[16];
  if (inet_pton(AF_INET, address.c_str(), buffer) == 1) {
    max_bits = 32;
  } else if (inet_pton(AF_INET6, address.c_str(), buffer) == 1) {
    max_bits = 128;
  } else {
    return false;
  }
  if (slash == std::string::npos) return true;
  std::string bits = pattern.substr(slash + 1);
  if (bits.empty() || bits.size() > 3) return false;
  for (char c : bits) {
    if (c < '0' || c > '9') return false;
  }
  return std::stoi(bits) <= max_bits;
}

bool addressMatches(const std::string& pattern, const std::string& address) {
  std::string base = pattern;
  int bits = -1;
  size_t slash = pattern.find('/');
  if (slash != std::string::npos) {
    base = pattern.substr(0, slash);
    bits = std::stoi(pattern.substr(slash + 1));
  }
  unsigned char want[16];
  unsigned char have[16];
  int length = 0;
  if (inet_pton(AF_INET, base.c_str(), want) == 1 &&
      inet_pton(AF_INET, address.c_str(), have) == 1) {
    length = 4;
  } else if (inet_pton(AF_INET6, base.c_str(), want) == 1 &&
             inet_pton(AF_INET6, address.c_str(), have) == 1) {
    length = 16;
  } else {
    return false;
  }
  if (bits < 0) bits = length * 8;
  for (int i = 0; i < length && bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((want[i] & mask) != (have[i] & mask)) return false;
  }
  return true;
}

const SiteConfig* Config::findSite(const std::string& name) const {
  for (const auto& s : sites) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const DestinationConfig* Config::findDestination(const std::string& name) const {
  for (const auto& d : destinations) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

Milliseconds Config::quietPeriodFor(const std::string& site_name,
                                    const std::string& modality) const {
  const SiteConfig* site = findSite(site_name);
  if (!site) return tracker.quiet_period;
  auto it = site->quiet_period_by_modality.find(modality);
  if (it != site->quiet_period_by_modality.end()) return it->second;
  return site->quiet_period.value_or(tracker.quiet_period);
}

std::string_view forwardModeName(ForwardMode mode) {
  return mode == ForwardMode::Streaming ? "streaming" : "on_completion";
}

LoadOutcome loadConfigText(const std::string& text, const std::string& file_label,
                           const std::filesystem::path& working_dir) {
  Reader reader(file_label);
  auto config = std::make_shared<Config>();
  config->source_file = file_label;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    reader.problems().push_back({file_label, static_cast<int>(e.mark.line) + 1,
                                 "YAML syntax error: " + e.msg});
    return finish(reader, nullptr);
  }
  if (!root.IsMap()) {
    reader.problems().push_back({file_label, 1, "the configuration must be a YAML mapping"});
    return finish(reader, nullptr);
  }
  reader.checkKeys(root, "the top level",
                   {"node", "redis", "spool", "tracker", "forwarding", "sites", "destinations",
                    "hl7", "reports", "matching", "readers", "rules", "worklist", "audit",
                    "security"});
  if (!root["node"].IsDefined()) {
    reader.problems().push_back({file_label, 1, "the 'node' section is required"});
  } else {
    readNode(reader, root["node"], config->node);
  }
  readRedis(reader, root["redis"], config->redis);
  readSpool(reader, root["spool"], config->spool);
  readTracker(reader, root["tracker"], config->tracker);
  readForwarding(reader, root["forwarding"], config->forwarding);
  readDestinations(reader, root["destinations"], config->destinations);
  readSites(reader, root["sites"], config->sites);
  if (config->sites.empty() && reader.problems().empty()) {
    reader.problems().push_back({file_label, 1, "at least one site is required"});
  }
  const std::filesystem::path config_dir =
      (working_dir / std::filesystem::path(file_label).parent_path()).lexically_normal();
  // Site report TLS files: relative to the configuration file, like security's.
  for (SiteConfig& site : config->sites) {
    for (std::filesystem::path* file :
         {&site.reports.ca_file, &site.reports.certificate, &site.reports.private_key}) {
      if (!file->empty() && file->is_relative()) *file = (config_dir / *file).lexically_normal();
    }
  }
  detail::readHl7Section(reader, root["hl7"], config->hl7);
  detail::readReportsSection(reader, root["reports"], config->reports);
  detail::readMatchingSection(reader, root["matching"], config->matching);
  detail::readReadersSection(reader, root["readers"], config->readers);
  detail::readRulesSection(reader, root["rules"], config->rules, config_dir);
  detail::readWorklistSection(reader, root["worklist"], config->worklist);
  detail::readAuditSection(reader, root["audit"], config->audit, config_dir);
  detail::readSecuritySection(reader, root["security"], config->security, config_dir);
  checkReferences(reader, root, *config);
  detail::checkRosterReferences(reader, root, *config);
  detail::checkWorklistReferences(reader, root, *config);
  detail::checkSecurityReferences(reader, root, *config);
  if (!config->node.data_dir.empty() && config->node.data_dir.is_relative()) {
    config->node.data_dir = (working_dir / config->node.data_dir).lexically_normal();
  }
  return finish(reader, config);
}

LoadOutcome loadConfigFile(const std::filesystem::path& file,
                           const std::filesystem::path& working_dir) {
  std::ifstream in(file);
  if (!in) {
    LoadOutcome outcome;
    outcome.problems.push_back(
        {file.string(), 0, std::string("cannot read the file: ") + std::strerror(errno)});
    return outcome;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return loadConfigText(buffer.str(), file.string(), working_dir);
}

}  // namespace sundial::config
