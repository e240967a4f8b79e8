-- Telephony event ingestion: replays pre-signed, distinct events (ringing, answered, hangup of
-- many calls) from a file, each line "timestamp<TAB>signature<TAB>body". Thread k sends lines
-- k, k+T, k+2T, ...; every event is sent once (a replay would be refused), so the file holds
-- more events than the run can send.
-- args: API_KEY EVENTS_FILE THREADS
local report = require("report")

local counter = 0
function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
end

local lines, pos, step, key, host

function init(args)
  key = args[1]
  step = tonumber(args[3])
  host = wrk.headers["Host"]
  lines = {}
  local k = 0
  for line in io.lines(args[2]) do
    if k % step == (index or 0) then lines[#lines + 1] = line end
    k = k + 1
  end
  pos = 0
end

function request()
  pos = pos + 1
  local line = lines[pos] or lines[#lines]  -- past the end: a replay, counted as non-2xx
  local ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
  return "POST /api/v1/telephony/events HTTP/1.1\r\nHost: " .. host ..
         "\r\nContent-Type: application/json\r\nX-Api-Key: " .. key ..
         "\r\nX-Kehu-Timestamp: " .. ts .. "\r\nX-Kehu-Signature: sha256=" .. sig ..
         "\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
end

done = report.done
