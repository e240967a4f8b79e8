-- Point read: GET /api/v1/customers/{id} with ids drawn uniformly from the real id range, so
-- the reads touch the whole table rather than a few hot pages.
-- args: TOKEN MIN_ID MAX_ID
local report = require("report")

local prefix, suffix, min_id, max_id

function init(args)
  prefix, suffix = report.get_prefix_suffix(args[1])
  min_id = tonumber(args[2])
  max_id = tonumber(args[3])
  -- Each thread has its own Lua state: seed from the state's address so threads differ.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  prefix = prefix .. "/api/v1/customers/"
end

function request()
  return prefix .. math.random(min_id, max_id) .. suffix
end

if report.paced() then delay = report.delay end

done = report.done
