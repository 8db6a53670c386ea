-- Every study to the remote pool (the least loaded reader on shift) and to the archive.
function route(f)
  return { pool = "remote", destinations = { "ARCHIVE" }, reason = "two-node example: remote pool" }
end
