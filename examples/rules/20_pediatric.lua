-- Pediatric studies (patients under 18) go to a pediatric radiologist who may read them now,
-- the least loaded first. With none on shift the study falls through to the general rules.

local PEDIATRIC_AGE = 18

function route(f)
  local age = f.patient.age
  if age == nil or age >= PEDIATRIC_AGE then return nil end
  local reader = sundial.least_loaded(sundial.eligible({ subspecialty = "pediatric" }))
  if reader == nil then return nil end
  return { reader = reader, destinations = { "ARCHIVE" }, tags = { "pediatric" },
           reason = "pediatric patient (" .. age .. " y): pediatric radiologist" }
end
