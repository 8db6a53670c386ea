-- STAT stroke protocol: neuroradiologist first, any eligible reader otherwise; STAT, 20 min.

local head = { site = "DEMO", modality = "CT", body_part = "HEAD", description = "CT HEAD WO" }
local stroke = { priority = "STAT", procedure_code = "CTHEAD", procedure_text = "CT head without contrast",
                 reason = "Code stroke, LKW 21:10, left hemiparesis" }

cases = {
  { name = "stroke at night goes to the neuroradiologist on shift",
    now = "2026-12-01T22:00", study = head, order = stroke, patient = { age = 71, sex = "M" },
    expect = { reader = "diaz", priority = "STAT", tags = { "stroke" },
               destinations = { "ARCHIVE", "READER4" }, decided_by = "10_stroke.lua" } },
  { name = "stroke during DEMO's own hours still goes to neuro, not the local radiologist",
    now = "2026-12-01T10:00", study = head, order = stroke, patient = { age = 71, sex = "M" },
    expect = { reader = "chen", priority = "STAT", rejected = { diaz = "on_shift" } } },
  { name = "no neuroradiologist on shift: least-loaded eligible reader, still STAT",
    now = "2026-12-05T10:00", study = head, order = stroke, patient = { age = 71, sex = "M" },
    expect = { reader = "evans", priority = "STAT", tags = { "stroke" } } },
  { name = "a STAT order that is not a stroke keeps STAT but takes the general rules",
    now = "2026-12-01T22:00",
    study = { site = "DEMO", modality = "CT", body_part = "CHEST", description = "CT PE PROTOCOL" },
    order = { priority = "STAT", procedure_text = "CTA chest", reason = "suspected PE" },
    expect = { reader = "diaz", priority = "STAT", decided_by = "90_load_balance.lua" } },
  { name = "a STAT study at a site promising STAT within 30 minutes is tagged tight_sla",
    now = "2026-12-01T22:00",
    study = { site = "DEMO", modality = "CT", body_part = "CHEST", description = "CT PE PROTOCOL" },
    order = { priority = "STAT", procedure_text = "CTA chest", reason = "suspected PE" },
    expect = { reader = "diaz", decided_by = "90_load_balance.lua", tags = { "tight_sla" } } },
}
