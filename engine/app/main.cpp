// The sundial binary: `sundial serve --config FILE` (more commands come with rules and audit).

#include <CLI/CLI.hpp>

#include "engine/app/audit_command.h"
#include "engine/app/exit_codes.h"
#include "engine/app/rules_command.h"
#include "engine/app/hl7_send_command.h"
#include "engine/app/serve_command.h"
#include "engine/app/users_command.h"

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
  CLI::App* users = app.add_subcommand("users", "Local accounts");
  users->require_subcommand(1);
  CLI::App* hash_password = users->add_subcommand(
      "hash-password", "Read a password from standard input, print its scrypt hash");

  CLI::App* rules = app.add_subcommand("rules", "Test Lua routing rules, replay past decisions");
  rules->require_subcommand(1);
  sundial::app::RulesTestArgs test_args;
  CLI::App* rules_test = rules->add_subcommand("test", "Run the test cases of a rule folder");
  rules_test->add_option("DIR", test_args.folder, "The rule folder")->required();
  rules_test->add_option("--config", test_args.config_file, "Configuration with the roster");
  sundial::app::RulesReplayArgs replay_args;
  CLI::App* rules_replay =
      rules->add_subcommand("replay", "Re-run recorded decisions; print where they differ");
  rules_replay->add_option("--config", replay_args.config_file, "The YAML configuration")->required();
  rules_replay->add_option("--since", replay_args.since, "From (2026-11-29T00:00:00Z or epoch ms)")
      ->required();
  rules_replay->add_option("--until", replay_args.until, "Up to (default: now)");
  rules_replay->add_option("--rules", replay_args.rules_folder, "Rule folder (default: rules.folder)");
  rules_replay->add_option("--redis", replay_args.redis_address, "Redis address (default: configured)");

  sundial::app::Hl7SendOptions hl7_send;
  CLI::App* hl7 = app.add_subcommand("hl7", "HL7 tools");
  hl7->require_subcommand(1);
  CLI::App* hl7_send_command =
      hl7->add_subcommand("send", "Send the HL7 messages of files over MLLP and print each ACK");
  hl7_send_command->add_option("--host", hl7_send.host, "Receiver host")->capture_default_str();
  hl7_send_command->add_option("--port", hl7_send.port, "Receiver MLLP port")->capture_default_str();
  hl7_send_command->add_option("--ack-timeout-ms", hl7_send.ack_timeout_ms, "Wait for each ACK")
      ->capture_default_str();
  hl7_send_command->add_flag("--tls", hl7_send.tls, "MLLP over TLS (TLS 1.2 or newer)");
  hl7_send_command->add_option("--ca", hl7_send.ca_file,
                               "CA file (PEM) the receiver's certificate must chain to (with --tls)");
  hl7_send_command->add_option("--server-name", hl7_send.server_name,
                               "Name the receiver's certificate must carry (default: --host)");
  hl7_send_command->add_option("--cert", hl7_send.certificate,
                               "Our client certificate (PEM), for receivers that ask for one");
  hl7_send_command->add_option("--key", hl7_send.private_key, "The key of --cert (PEM)");
  hl7_send_command->add_option("FILE", hl7_send.files, "Files of HL7 messages")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : sundial::app::kExitUsage;
  }
  if (serve->parsed()) return sundial::app::runServe(config_file);
  if (audit_verify->parsed()) return sundial::app::runAuditVerify(config_file);
  if (rules_test->parsed()) return sundial::app::runRulesTest(test_args);
  if (rules_replay->parsed()) return sundial::app::runRulesReplay(replay_args);
  if (hl7_send_command->parsed()) return sundial::app::runHl7Send(hl7_send);
  if (hash_password->parsed()) return sundial::app::runHashPassword();
  return sundial::app::kExitUsage;
}
