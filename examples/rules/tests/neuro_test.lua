-- Neuro CT/MR to neuroradiologists (after the site's own coverage hours).

cases = {
  { name = "routine CT head at night goes to the night neuroradiologist",
    now = "2026-12-01T22:00",
    study = { site = "DEMO", modality = "CT", body_part = "HEAD", description = "CT HEAD WO" },
    expect = { reader = "diaz", decided_by = "40_neuro.lua", tags = { "neuro" } } },
  { name = "MR brain at the New York centre goes to the neuroradiologist licensed in NY",
    now = "2026-12-01T11:00",
    study = { site = "NYC_IMAGING", modality = "MR", body_part = "BRAIN", description = "MR BRAIN W/WO" },
    expect = { reader = "chen", destinations = { "ARCHIVE", "READER3" } } },
  { name = "routine CT head during DEMO's coverage hours is read locally",
    now = "2026-12-01T10:00",
    study = { site = "DEMO", modality = "CT", body_part = "HEAD", description = "CT HEAD WO" },
    expect = { reader = "avery", decided_by = "30_local_hours.lua" } },
}
