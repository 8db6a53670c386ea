#pragma once
// Process exit codes of the sundial binary, defined once.

namespace sundial::app {

constexpr int kExitOk = 0;
constexpr int kExitStartFailed = 1;     // a component could not start (port, Redis, disk)
constexpr int kExitBadConfig = 2;       // the configuration has problems (each one printed)
constexpr int kExitAuditBroken = 3;     // `audit verify`: the trail is not intact
constexpr int kExitNotAccepted = 4;     // hl7 send: a message got no ACK, or not AA/CA
constexpr int kExitUsage = 64;          // wrong command line (EX_USAGE)

}  // namespace sundial::app
