-- Durable create: POST /api/v1/customers, each with a phone no customer has yet (a duplicate
-- would be a cheap 409, not a create). Phones are 199 + 8 digits (198 in the warm-up run): valid
-- China Mobile ranges the demo data never uses. The 8 digits are (base + n * threads + thread)
-- mod 10^8 with a random base per run, so threads never collide within a run of < 10^8 requests.
-- args: TOKEN THREADS [warmup]
local report = require("report")

local kNames = {
  "王小明", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴刚",
  "欧阳娜娜", "司马光", "上海酒业有限公司", "杭州品鉴会所",
}

local threads_started = 0
local base = nil

-- Runs in the main Lua state, once per thread, before init().
function setup(thread)
  if base == nil then
    math.randomseed(os.time())
    base = math.random(0, 99999999)
  end
  thread:set("thread_index", threads_started)
  thread:set("phone_base", base)
  threads_started = threads_started + 1
end

local head, threads, n, range

function init(args)
  threads = tonumber(args[2])
  range = args[3] == "warmup" and "198" or "199"
  n = 0
  head = "POST /api/v1/customers HTTP/1.1\r\nHost: " .. wrk.headers["Host"] .. "\r\n" ..
         "Authorization: Bearer " .. args[1] .. "\r\n" ..
         "Content-Type: application/json\r\nContent-Length: "
  math.randomseed(os.time() + thread_index)
end

function request()
  local suffix = (phone_base + n * threads + thread_index) % 100000000
  n = n + 1
  local body = string.format('{"name":"%s","phones":["%s%08d"]}',
                             kNames[math.random(#kNames)], range, suffix)
  return head .. #body .. "\r\n\r\n" .. body
end

done = report.done
