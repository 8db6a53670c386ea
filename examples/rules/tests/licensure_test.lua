-- Licences (TX, NY, CO) and credentials (per site) across the three sites.

cases = {
  { name = "Denver ER at night: least-loaded reader licensed in Colorado and credentialed there",
    now = "2026-12-01T21:00",
    study = { site = "DENVER_ER", modality = "CT", body_part = "ABDOMEN", description = "CT ABD/PELVIS" },
    readers = { diaz = { load_rvu = 8 }, foster = { load_rvu = 6 }, hall = { load_rvu = 1 } },
    expect = { reader = "hall", destinations = { "ARCHIVE", "READER2" }, rejected = { chen = "on_shift" } } },
  { name = "New York centre late evening: only NY-licensed readers on shift",
    now = "2026-12-01T23:00",
    study = { site = "NYC_IMAGING", modality = "CR", body_part = "CHEST", description = "XR CHEST" },
    expect = { reader = "gupta",
               rejected = { evans = "on_shift", chen = "modality" } } },
  { name = "a reader credentialed at DEMO without a Texas licence is never chosen",
    now = "2026-12-01T22:00",
    study = { site = "DEMO", modality = "CR", body_part = "CHEST", description = "XR CHEST" },
    readers = { foster = { online = false }, hall = { online = false } },
    expect = { pool = "remote", rejected = { gupta = "licence" } } },
}
