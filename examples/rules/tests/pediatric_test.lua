-- Pediatric patients to the pediatric radiologist while one is on shift.

local chest = { site = "DEMO", modality = "CR", body_part = "CHEST", description = "XR CHEST 2V" }

cases = {
  { name = "child's chest film in the evening goes to the pediatric radiologist",
    now = "2026-12-01T20:00", study = chest, patient = { age = 6, sex = "F" },
    expect = { reader = "evans", tags = { "pediatric" }, decided_by = "20_pediatric.lua" } },
  { name = "pediatric rule comes before DEMO's local coverage",
    now = "2026-12-01T10:00", study = chest, patient = { age = 6, sex = "F" },
    expect = { reader = "evans" } },
  { name = "no pediatric radiologist on shift: general rules, a reader who reads CR",
    now = "2026-12-01T22:00", study = chest, patient = { age = 6, sex = "F" },
    expect = { reader = "foster", rejected = { evans = "on_shift", diaz = "modality" } } },
  { name = "adults are not pediatric",
    now = "2026-12-01T20:00", study = chest, patient = { age = 30, sex = "F" },
    expect = { reader = "evans", decided_by = "90_load_balance.lua" } },
}
