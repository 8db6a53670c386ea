// The sundial binary: `sundial serve --config FILE` (more commands come with rules and audit).

#include <CLI/CLI.hpp>

#include "engine/app/audit_command.h"
#include "engine/app/exit_codes.h"
#include "engine/app/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Sundial: teleradiology workflow and routing engine"};
  app.set_version_flag("--version", "sundial 0.1.0");
  app.require_subcommand(1);

  std::string config_file;
  CLI::App* serve = app.add_subcommand("serve", "Run the engine (every component of one node)");
  serve->add_option("--config", config_file, "The YAML configuration file")->required();

  CLI::App* audit = app.add_subcommand("audit", "The audit trail");
  audit->require_subcommand(1);
  CLI::App* audit_verify =
      audit->add_subcommand("verify", "Check the audit trail's hash chain and anchors");
  audit_verify->add_option("--config", config_file, "The YAML configuration file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : sundial::app::kExitUsage;
  }
  if (serve->parsed()) return sundial::app::runServe(config_file);
  if (audit_verify->parsed()) return sundial::app::runAuditVerify(config_file);
  return sundial::app::kExitUsage;
}
