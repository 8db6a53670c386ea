-- Everything else: the least-loaded remote reader (open RVUs, then open tasks) who holds a
-- licence for the site's state, a credential at the site, reads the modality and is on shift
-- and online. With nobody eligible now, the remote pool (the dispatcher assigns when someone
-- comes on shift).
--
-- A study whose contract turnaround at its site (f.site.sla_minutes, from the configuration's
-- `sla:`) is an hour or less is tagged "tight_sla", so the worklist and the dispatcher's
-- alerting can pick it out.

local TIGHT_SLA_MINUTES = 60

local function tags_for(f)
  local priority = f.order.present and f.order.priority or "ROUTINE"
  local sla = f.site.sla_minutes[priority]
  if sla ~= nil and sla <= TIGHT_SLA_MINUTES then return { "tight_sla" } end
  return {}
end

function route(f)
  local reader = sundial.least_loaded(sundial.eligible({ pool = "remote" }))
  if reader ~= nil then
    return { reader = reader, destinations = { "ARCHIVE" }, tags = tags_for(f),
             reason = "load balancing: least-loaded eligible remote reader" }
  end
  return { pool = "remote", destinations = { "ARCHIVE" }, tags = tags_for(f),
           reason = "load balancing: no remote reader eligible now, queued to the remote pool" }
end
