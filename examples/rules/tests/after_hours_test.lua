-- After-hours coverage at DEMO (Texas emergency site, coverage weekdays 07:00-18:00 Chicago):
-- local radiologist by day, remote readers at night and at weekends. Times without a zone are
-- the study site's wall time.

local chest = { site = "DEMO", modality = "CT", body_part = "CHEST", description = "CT CHEST W CONTRAST" }

cases = {
  { name = "weekday daytime CT goes to the local radiologist",
    now = "2026-12-01T10:00", study = chest, patient = { age = 45, sex = "F" },
    expect = { reader = "avery", destinations = { "ARCHIVE", "READER1" }, decided_by = "30_local_hours.lua",
               priority = "ROUTINE", tags = { "local" } } },
  { name = "weekday night CT goes to the least-loaded eligible remote reader",
    now = "2026-12-01T22:00", study = chest, patient = { age = 45, sex = "F" },
    readers = { diaz = { load_rvu = 10 }, foster = { load_rvu = 2 }, hall = { load_rvu = 5 } },
    expect = { reader = "foster", destinations = { "ARCHIVE", "READER6" },
               decided_by = "90_load_balance.lua",
               rejected = { avery = "on_shift", gupta = "licence", chen = "on_shift", evans = "on_shift" } } },
  { name = "weekend daytime is after hours too",
    now = "2026-12-05T10:00", study = chest, patient = { age = 45, sex = "F" },
    expect = { reader = "evans", decided_by = "90_load_balance.lua", rejected = { avery = "on_shift" } } },
  { name = "local radiologist offline in the day: remote reader",
    now = "2026-12-01T10:00", study = chest, patient = { age = 45, sex = "F" },
    readers = { avery = { online = false }, chen = { load_rvu = 3 }, evans = { load_rvu = 1 } },
    expect = { reader = "evans", rejected = { avery = "online" } } },
  { name = "nobody eligible at night: queued to the remote pool, never to an unlicensed reader",
    now = "2026-12-01T22:00", study = chest, patient = { age = 45, sex = "F" },
    readers = { diaz = { online = false }, foster = { online = false }, hall = { online = false } },
    expect = { pool = "remote", reader = "", fallback = false, eligible = {},
               rejected = { gupta = "licence", diaz = "online", foster = "online" } } },
}
