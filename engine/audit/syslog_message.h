#pragma once
// RFC 5424 syslog messages carrying PS3.15 audit XML, as IHE ITI-20 asks: facility 10
// (security/authorization), severity 5 (notice) or 4 (warning) for failures, so PRI 85 or
// 84; MSGID "IHE+RFC-3881"; the MSG is the XML, UTF-8 with a BOM. The structured data
// names the trail record ([sundial@32473 seq=".." hash=".."], 32473 being the private
// enterprise number RFC 5612 reserves for examples), so a repository can drop the repeats
// that at-least-once delivery brings after a reconnect. Pure code, safe from any thread.

#include <string>
#include <string_view>

#include "engine/audit/stored_record.h"

namespace sundial::engine::audit {

inline constexpr int kSyslogFacilityAuthorization = 10;
inline constexpr int kSyslogSeverityWarning = 4;
inline constexpr int kSyslogSeverityNotice = 5;
inline constexpr const char* kAtnaMessageId = "IHE+RFC-3881";

struct SyslogHeader {
  std::string hostname;          // this machine's name (RFC 5424 HOSTNAME, at most 255)
  std::string app_name = "sundial";
  std::string proc_id;           // this process's id
};

// <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] BOM MSG
std::string syslogMessage(const StoredRecord& stored, std::string_view xml,
                          const SyslogHeader& header);

// RFC 5425 octet-counting: "MSG-LEN SP SYSLOG-MSG".
std::string octetCountedFrame(std::string_view message);

}  // namespace sundial::engine::audit
