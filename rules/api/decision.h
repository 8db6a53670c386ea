#pragma once
// Decision: what a rule decided for one study, once checked; DecisionRecord: the decision with
// everything an audit, a credentialing dispute or a replay needs (the rule set's version, who
// decided, whether the fallback was used and why, the readers eligible and those rejected with
// the constraint that rejected each).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/order.h"

namespace sundial::rules {

struct Decision {
  OrderPriority priority = OrderPriority::Routine;
  // Set only when the rule names one (due_minutes, due_ms). Empty: the worklist applies the
  // site's SLA for the priority from the contract's clock start (study complete, or a later
  // order), which the rules cannot see; a default here would count from the first image.
  std::optional<UtcTime> due;
  std::string reader;                 // a reader id, or empty when a pool is named
  std::string pool;                   // a pool name, or empty when a reader is named
  std::vector<std::string> destinations;  // where the images go (the reader's workstation incl.)
  std::vector<std::string> tags;
  bool hold = false;                  // keep the study unassigned until a person releases it
  std::vector<std::string> notify;    // free-form addressees for the dispatcher's alerting
  std::vector<std::string> reasons;   // free text for the audit trail
};

// The hard constraints checked for every reader whatever the rule says, in this order.
enum class Constraint { UnknownReader, Licence, Credential, Modality, OnShift, Online };
std::string_view constraintName(Constraint constraint);  // "licence", "credential", ...

struct Rejection {
  std::string reader;
  Constraint constraint = Constraint::Licence;
  std::string detail;  // "no licence for TX", "off shift (America/New_York)", "offline"
};

struct DecisionRecord {
  Decision decision;
  std::string rule_set_version;  // content hash of the rule files
  std::string roster_version;    // content hash of the roster
  std::string decided_by;        // the rule file whose route() answered, or "fallback"
  bool fallback = false;         // the fallback decision was used (and an alert raised)
  std::string fallback_reason;   // why: the rule's error, the broken constraint ...
  // For a pool decision: the pool's members who pass every check (the dispatcher balances
  // among them); for a reader decision: that reader.
  std::vector<std::string> eligible;
  // The candidates (the readers credentialed at the site, and the pool's members) that failed a
  // check, with the first constraint each failed.
  std::vector<Rejection> rejected;
};

}  // namespace sundial::rules
