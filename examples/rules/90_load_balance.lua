-- Everything else: the least-loaded remote reader (open RVUs, then open tasks) who holds a
-- licence for the site's state, a credential at the site, reads the modality and is on shift
-- and online. With nobody eligible now, the remote pool (the dispatcher assigns when someone
-- comes on shift).

function route(f)
  local reader = sundial.least_loaded(sundial.eligible({ pool = "remote" }))
  if reader ~= nil then
    return { reader = reader, destinations = { "ARCHIVE" },
             reason = "load balancing: least-loaded eligible remote reader" }
  end
  return { pool = "remote", destinations = { "ARCHIVE" },
           reason = "load balancing: no remote reader eligible now, queued to the remote pool" }
end
