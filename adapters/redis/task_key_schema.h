#pragma once
// TaskKeySchema: the Redis keys of the worklist's areas (task:, tasks:, reader:, sla:), built
// in one place (the store-and-forward core's keys are in key_schema.h). Immutable; any thread.
//
//   <prefix>:v1:task:<id>                   hash    one read task (redis_task_codec.h)
//   <prefix>:v1:task:<id>:history           list    its events, oldest first (JSON)
//   <prefix>:v1:tasks:seq                   string  counter behind task ids
//   <prefix>:v1:tasks:all                   zset    every task by creation ms
//   <prefix>:v1:tasks:open                  zset    tasks not delivered or cancelled, by due ms
//   <prefix>:v1:tasks:state:<state>         set     tasks in that state
//   <prefix>:v1:tasks:site:<site>           set     open tasks of the site
//   <prefix>:v1:tasks:reader:<reader>       set     tasks in the reader's hands (assigned,
//                                                   claimed, in progress, preliminary)
//   <prefix>:v1:tasks:open_site:<site>      zset    open tasks of the site   } the query indexes:
//   <prefix>:v1:tasks:open_reader:<reader>  zset    open tasks assigned to   } scored like
//                                                   or claimed by the reader } tasks:open, so
//   <prefix>:v1:tasks:claimable             zset    queued and escalated     } a page reads
//                                                   tasks                    } only what it returns
//   <prefix>:v1:tasks:query_indexes         string  set once the query indexes hold every open
//                                                   task (built on first use over older data)
//   <prefix>:v1:tasks:delivered             zset    delivered tasks by delivery ms (TAT)
//   <prefix>:v1:tasks:open_study:<uid>      string  the open task of a study (one at a time)
//   <prefix>:v1:tasks:study:<uid>           string  the latest task of a study
//   <prefix>:v1:tasks:accession:<site>:<hex> string the latest task of an accession number
//   <prefix>:v1:tasks:leases                zset    claimed tasks by lease expiry ms
//   <prefix>:v1:tasks:changes               stream  every change (live updates), capped
//   <prefix>:v1:sla:warn                    zset    tasks by SLA warning ms (not yet warned)
//   <prefix>:v1:sla:due                     zset    tasks by due ms (not yet breached)
//   <prefix>:v1:sla:breaches                list    breaches with their cause (JSON), newest first
//   <prefix>:v1:reader:<reader>             hash    presence: last_heartbeat_ms, status
//
// Task ids, sites, readers and pools are checked with isValidKeyName and study UIDs with
// isValidUid before they reach a key; accession numbers (free text) are hex-encoded.

#include <string>
#include <string_view>

namespace sundial::adapters::redis {

class TaskKeySchema {
 public:
  explicit TaskKeySchema(std::string_view prefix);

  std::string task(std::string_view id) const;
  std::string history(std::string_view id) const;
  std::string sequence() const;
  std::string all() const;
  std::string open() const;
  std::string state(std::string_view state_name) const;
  std::string site(std::string_view site) const;
  std::string reader(std::string_view reader) const;
  std::string openSite(std::string_view site) const;
  std::string openReader(std::string_view reader) const;
  std::string claimable() const;
  std::string queryIndexesBuilt() const;
  std::string delivered() const;
  std::string openStudy(std::string_view study_uid) const;
  std::string study(std::string_view study_uid) const;
  std::string accession(std::string_view site, std::string_view accession) const;
  std::string leases() const;
  std::string changes() const;
  std::string slaWarn() const;
  std::string slaDue() const;
  std::string slaBreaches() const;
  std::string presence(std::string_view reader) const;

 private:
  std::string base_;  // "<prefix>:v1:"
};

}  // namespace sundial::adapters::redis
