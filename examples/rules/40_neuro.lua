-- Neuro CT and MR (head, brain, spine) go to a neuroradiologist who may read them now, the
-- least loaded first; with none on shift they fall through to general load balancing.

local NEURO_PARTS = { HEAD = true, BRAIN = true, NECK = true, CSPINE = true, SPINE = true }
local NEURO_WORDS = { "head", "brain", "cerebr", "neuro", "spine" }

local function is_neuro(f)
  if NEURO_PARTS[string.upper(f.study.body_part or "")] then return true end
  local text = string.lower((f.study.description or "") .. " " .. (f.order.procedure_text or ""))
  for _, word in ipairs(NEURO_WORDS) do
    if text:find(word, 1, true) then return true end
  end
  return false
end

function route(f)
  if f.study.modality ~= "CT" and f.study.modality ~= "MR" then return nil end
  if not is_neuro(f) then return nil end
  local reader = sundial.least_loaded(sundial.eligible({ subspecialty = "neuro" }))
  if reader == nil then return nil end
  return { reader = reader, destinations = { "ARCHIVE" }, tags = { "neuro" },
           reason = "neuro " .. f.study.modality .. ": neuroradiologist" }
end
