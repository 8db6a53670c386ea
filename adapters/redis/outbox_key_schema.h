#pragma once
// OutboxKeySchema: the Redis keys of report delivery (area `outbox:`), built in one place.
// Immutable; safe from any thread.
//
//   <prefix>:v1:outbox:site:<site>:ready              list  delivery ids; LPUSH to queue,
//                                                           taken from the right (oldest first)
//   <prefix>:v1:outbox:site:<site>:inflight:<worker>  list  claimed by that sender
//   <prefix>:v1:outbox:site:<site>:workers            set   senders that have claimed (depth)
//   <prefix>:v1:outbox:site:<site>:retry              zset  delivery ids by due time (epoch ms)
//   <prefix>:v1:outbox:site:<site>:dead               list  delivery ids, newest first; the
//                                                           reason is in the delivery's hash
//   <prefix>:v1:outbox:site:<site>:unapplied          zset  delivery ids (of a task) delivered or
//                                                           dead whose outcome the worklist has
//                                                           not confirmed yet, by outcome time
//   <prefix>:v1:outbox:delivery:<id>                  hash  task, site, accession, patient,
//                                                           message (the HL7 bytes),
//                                                           attempts, error (last failure),
//                                                           state (ready|inflight|waiting|
//                                                           delivered|dead), worker, queued_ms,
//                                                           updated_ms, delivered_ms, dead_ms
//
// Site, worker and delivery id are checked with isValidKeyName before they reach a key, so
// none can hold the ':' separator.

#include <string>
#include <string_view>

namespace sundial::adapters::redis {

class OutboxKeySchema {
 public:
  explicit OutboxKeySchema(std::string_view prefix);

  std::string ready(std::string_view site) const;
  std::string inFlight(std::string_view site, std::string_view worker) const;
  std::string workers(std::string_view site) const;
  std::string retry(std::string_view site) const;
  std::string dead(std::string_view site) const;
  std::string unapplied(std::string_view site) const;
  std::string delivery(std::string_view delivery_id) const;

  // For scripts that learn ids inside Redis: deliveryPrefix() + id is delivery(id),
  // inFlightPrefix(site) + worker is inFlight(site, worker).
  std::string deliveryPrefix() const;
  std::string inFlightPrefix(std::string_view site) const;

 private:
  std::string site(std::string_view site, std::string_view what) const;

  std::string base_;  // "<prefix>:v1:outbox:"
};

}  // namespace sundial::adapters::redis
