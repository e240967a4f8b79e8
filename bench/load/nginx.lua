-- The ceiling: nginx serves a 200-byte static JSON file. The request has the same shape and
-- costs the load generator the same as the point read (a random id, a bearer header), so the
-- two req/s figures differ only by what the server does.
-- args: TOKEN MIN_ID MAX_ID (the token is sent and ignored; nginx does not check it)
local report = require("report")

local prefix, suffix, min_id, max_id

function init(args)
  prefix, suffix = report.get_prefix_suffix(args[1])
  min_id = tonumber(args[2]) or 1
  max_id = tonumber(args[3]) or 1000000
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  prefix = prefix .. "/customer.json?id="
end

function request()
  return prefix .. math.random(min_id, max_id) .. suffix
end

done = report.done
