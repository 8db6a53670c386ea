-- STAT stroke protocol: a STAT CT/MR whose order mentions stroke (or a CTA/perfusion head
-- protocol) goes at once to the least-loaded neuroradiologist who may read it now; with none on
-- shift, to the least-loaded eligible reader of any kind. Always STAT, due in 20 minutes.

local stroke_words = { "stroke", "cva", "tia", "hemipar", "aphasia", "lkw", "last known well" }
local stroke_codes = { CTHEADSTROKE = true, CTA_HEAD_NECK = true, CTPERF = true, MRSTROKE = true }

local function mentions_stroke(text)
  local lower = string.lower(text or "")
  for _, word in ipairs(stroke_words) do
    if lower:find(word, 1, true) then return true end
  end
  return false
end

function route(f)
  if f.study.modality ~= "CT" and f.study.modality ~= "MR" then return nil end
  if not f.order.present or f.order.priority ~= "STAT" then return nil end
  if not (mentions_stroke(f.order.reason) or mentions_stroke(f.order.procedure_text)
          or stroke_codes[f.order.procedure_code]) then
    return nil
  end
  local reader = sundial.least_loaded(sundial.eligible({ subspecialty = "neuro" }))
  local why = "stroke protocol: neuroradiologist"
  if reader == nil then
    reader = sundial.least_loaded(sundial.eligible())
    why = "stroke protocol: no neuroradiologist on shift, least-loaded eligible reader"
  end
  if reader == nil then
    return { pool = "remote", priority = "STAT", due_minutes = 20, tags = { "stroke" },
             notify = { "neuro-oncall" }, destinations = { "ARCHIVE" },
             reason = "stroke protocol: nobody eligible now, STAT to the remote pool" }
  end
  return { reader = reader, priority = "STAT", due_minutes = 20, tags = { "stroke" },
           notify = { "neuro-oncall" }, destinations = { "ARCHIVE" }, reason = why }
end
