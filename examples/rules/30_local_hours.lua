-- After-hours coverage for emergency sites with their own radiologists: while the site's
-- coverage hours run (DEMO: weekdays 07:00-18:00 site time, from the configuration), its local
-- radiologists (pool demo_local) read its studies; outside them, and at weekends, the study
-- falls through to the remote readers.

local LOCAL_POOL = { DEMO = "demo_local" }

function route(f)
  local pool = LOCAL_POOL[f.site.name]
  if pool == nil or not f.site.covered then return nil end
  local reader = sundial.least_loaded(sundial.eligible({ pool = pool }))
  if reader == nil then return nil end  -- local staff all busy elsewhere or offline: remote
  return { reader = reader, destinations = { "ARCHIVE" }, tags = { "local" },
           reason = "site coverage hours (" .. f.site.time.text .. "): local radiologist" }
end
