#pragma once
// The node's configuration as immutable plain structs. Built once by the loader (validated
// in full), then shared read-only as std::shared_ptr<const Config>.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/audit_config.h"
#include "engine/config/hl7_config.h"
#include "engine/config/matching_config.h"
#include "engine/config/reports_config.h"
#include "engine/config/roster_config.h"
#include "engine/config/rules_config.h"
#include "engine/config/security_config.h"
#include "engine/config/worklist_config.h"

namespace sundial::config {

using Milliseconds = std::chrono::milliseconds;

struct NodeConfig {
  // This node's name among several sharing one Redis: its forward queues, workers and HL7
  // inbox consumer are named after it, so it must differ between live nodes. Empty: the
  // host name (serve resolves it at start).
  std::string name;
  std::string ae_title = "SUNDIAL";
  std::uint16_t dicom_port = 11112;
  std::uint16_t http_port = 8080;
  std::string http_bind = "127.0.0.1";
  std::filesystem::path data_dir;            // absolute after loading
  int max_inbound_associations = 64;         // concurrent receive associations
  std::uint32_t max_pdu_bytes = 65536;
  Milliseconds dimse_timeout{30000};
  bool identifying_logs = false;             // patient identity and UIDs in logs
};

struct RedisConfig {
  // Empty: start and supervise an embedded redis-server on a Unix socket in the data folder.
  // "unix:/path/to/socket" or "host:port" otherwise.
  std::string address;
  std::string key_prefix = "sundial";
  std::string server_binary = "redis-server";  // embedded mode only
  // Embedded mode only: when the append-only file is fsynced. "always": before each reply, so
  // what Redis acknowledged (an HL7 message, before its ACK) survives a power loss;
  // "everysec": once a second (survives a crash of Sundial or Redis, a power loss may lose the
  // last second). An external Redis keeps its own setting.
  std::string appendfsync = "always";
  // Finished studies (complete, everything sent or dead-lettered) are forgotten this long
  // after their last activity; until then a repeat of their instances is not forwarded again.
  std::chrono::hours finished_study_retention{168};
};

struct SpoolConfig {
  bool fsync = true;                         // fsync each file before acknowledging it
  std::uint64_t min_free_bytes = 256ull << 20;  // refuse new instances below this
  bool keep_forwarded = false;               // keep files after every destination has them
};

enum class ForwardMode { OnCompletion, Streaming };

struct DestinationConfig {
  std::string name;
  std::string ae_title;
  std::string host;
  std::uint16_t port = 104;
  int max_associations = 2;
  ForwardMode mode = ForwardMode::OnCompletion;
  int config_line = 0;
};

struct CallerConfig {
  std::string ae_title;
  std::vector<std::string> addresses;        // exact IPs or CIDR blocks
};

struct SiteConfig {
  std::string name;
  std::string time_zone = "UTC";
  std::string state;
  std::vector<CallerConfig> callers;
  std::vector<std::string> destinations;     // names of DestinationConfig
  std::optional<Milliseconds> quiet_period;  // falls back to tracker.quiet_period
  std::map<std::string, Milliseconds> quiet_period_by_modality;
  SiteHl7Config hl7;            // how its HL7 messages are recognised (MSH-3/MSH-4)
  SiteReportsConfig reports;    // where its reports go
  SiteCoverageConfig coverage;  // hours its own radiologists cover
  SiteSlaConfig sla;            // turnaround promised per priority
  std::string viewer_url;       // template of the reader's "open in viewer" link
  SiteSecurityConfig security;
  int config_line = 0;
};

struct TrackerConfig {
  Milliseconds quiet_period{3000};
};

struct ForwardingConfig {
  int max_attempts = 20;  // with the default backoff: about 1.5 hours of retries
  Milliseconds initial_backoff{1000};
  Milliseconds max_backoff{300000};
  Milliseconds idle_association_timeout{5000};  // release an idle association after this
  int batch_size = 32;                          // jobs claimed at a time per worker
};

struct Config {
  std::filesystem::path source_file;
  NodeConfig node;
  RedisConfig redis;
  SpoolConfig spool;
  TrackerConfig tracker;
  ForwardingConfig forwarding;
  std::vector<SiteConfig> sites;
  std::vector<DestinationConfig> destinations;
  Hl7Config hl7;
  ReportsConfig reports;
  MatchingConfig matching;
  std::vector<ReaderConfig> readers;
  RulesConfig rules;
  WorklistConfig worklist;
  AuditConfig audit;
  SecurityConfig security;

  const SiteConfig* findSite(const std::string& name) const;
  const DestinationConfig* findDestination(const std::string& name) const;
  // The quiet period for a study of this site and modality.
  Milliseconds quietPeriodFor(const std::string& site, const std::string& modality) const;
  std::filesystem::path spoolDir() const { return node.data_dir / "spool"; }
  std::filesystem::path redisDir() const { return node.data_dir / "redis"; }
};

std::string_view forwardModeName(ForwardMode mode);

}  // namespace sundial::config
