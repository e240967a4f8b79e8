-- Screen-pop look-up under load: GET /api/v1/telephony/pop?phone=... with phones read from a
-- file (one a line: known customers' numbers mixed with unknown ones), each thread its own slice.
-- args: TOKEN PHONES_FILE
local report = require("report")

local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local prefix, suffix, phones, n, i

function init(args)
  prefix, suffix = report.get_prefix_suffix(args[1])
  prefix = prefix .. "/api/v1/telephony/pop?phone="
  phones = {}
  for line in io.lines(args[2]) do phones[#phones + 1] = line end
  n = #phones
  i = (index or 0) * 7919 % n
end

function request()
  i = i % n + 1
  return prefix .. phones[i] .. suffix
end

if report.paced() then delay = report.delay end

done = report.done
