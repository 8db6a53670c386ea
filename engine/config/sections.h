#pragma once
// The section loaders, one file per section, each owned with the feature it configures.
// config_loader.cpp calls them; a section that is absent leaves its defaults.

#include <yaml-cpp/yaml.h>

#include <string>

#include "engine/config/config.h"
#include "engine/config/yaml_reader.h"

namespace sundial::config::detail {

// hl7_config.cpp
void readHl7Section(Reader& r, const YAML::Node& n, Hl7Config& out);
void readSiteHl7(Reader& r, const YAML::Node& n, SiteHl7Config& out, const std::string& where);
// reports_config.cpp
void readReportsSection(Reader& r, const YAML::Node& n, ReportsConfig& out);
void readSiteReports(Reader& r, const YAML::Node& n, SiteReportsConfig& out,
                     const std::string& where);
// matching_config.cpp
void readMatchingSection(Reader& r, const YAML::Node& n, MatchingConfig& out);
// roster_config.cpp
void readReadersSection(Reader& r, const YAML::Node& n, std::vector<ReaderConfig>& out);
void readSiteCoverage(Reader& r, const YAML::Node& n, SiteCoverageConfig& out,
                      const std::string& where);
// rules_config.cpp (relative folders are taken relative to the configuration file's folder)
void readRulesSection(Reader& r, const YAML::Node& n, RulesConfig& out,
                      const std::filesystem::path& config_dir);
// worklist_config.cpp
void readWorklistSection(Reader& r, const YAML::Node& n, WorklistConfig& out);
void readSiteSla(Reader& r, const YAML::Node& n, SiteSlaConfig& out, const std::string& where);
// audit_config.cpp (key and certificate paths relative to the configuration file's folder)
void readAuditSection(Reader& r, const YAML::Node& n, AuditConfig& out,
                      const std::filesystem::path& config_dir);
// security_config.cpp (certificate and key paths relative to the configuration file's folder)
void readSecuritySection(Reader& r, const YAML::Node& n, SecurityConfig& out,
                         const std::filesystem::path& config_dir);
void readSiteSecurity(Reader& r, const YAML::Node& n, SiteSecurityConfig& out,
                      const std::string& where);

// Checks across sections once everything is read (a reader's credential names a known site,
// a user's site exists...). One per section file that needs it; `root` is for line numbers.
void checkRosterReferences(Reader& r, const YAML::Node& root, const Config& config);
void checkWorklistReferences(Reader& r, const YAML::Node& root, const Config& config);
void checkSecurityReferences(Reader& r, const YAML::Node& root, const Config& config);

}  // namespace sundial::config::detail
