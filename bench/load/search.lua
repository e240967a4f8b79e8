-- Search: GET /api/v1/customers?q=...&limit=20 with the mix of queries a sales or service desk
-- types: Chinese names of one to three characters (one- and two-character terms take the
-- short-CJK index, three characters the trigram one), pinyin in full and as initials, phone
-- digits (a whole number, its first seven digits, its last four) and a few tag/organization
-- words. Phone digits are drawn fresh for every request so no two requests repeat exactly.
-- args: TOKEN
local report = require("report")

local kNames = {
  "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
  "王芳", "李娜", "张伟", "刘强", "陈静", "杨磊", "王军", "李明", "张敏", "周杰",
  "王小明", "张秀英", "李建国", "陈志强", "刘德华", "赵丽颖", "黄晓明", "吴建华",
}
local kPinyin = {
  "wang", "zhang", "liu", "chen", "wangfang", "zhangwei", "lina", "wangxiaoming",
  "wxm", "zw", "lm", "cjh", "zxy", "ljg",
}
local kWords = { "白酒", "团购", "专卖店", "酒业", "宴席", "品鉴会" }
local kMobilePrefixes = { "130", "135", "136", "138", "139", "150", "158", "186", "187", "188" }

local prefix, suffix
local names, pinyin, words = {}, {}, {}

local function UrlEncode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function Encoded(list, out)
  for i, v in ipairs(list) do out[i] = UrlEncode(v) end
end

local function Digits(n)
  local t = {}
  for i = 1, n do t[i] = string.char(48 + math.random(0, 9)) end
  return table.concat(t)
end

local function PhoneQuery()
  local r = math.random(3)
  if r == 1 then return kMobilePrefixes[math.random(#kMobilePrefixes)] .. Digits(8) end
  if r == 2 then return kMobilePrefixes[math.random(#kMobilePrefixes)] .. Digits(4) end
  return Digits(4)
end

function init(args)
  prefix, suffix = report.get_prefix_suffix(args[1])
  prefix = prefix .. "/api/v1/customers?limit=20&q="
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  Encoded(kNames, names)
  Encoded(kPinyin, pinyin)
  Encoded(kWords, words)
end

-- 45% Chinese names, 25% pinyin, 20% phone digits, 10% tags and organization words.
function request()
  local r = math.random(100)
  local q
  if r <= 45 then
    q = names[math.random(#names)]
  elseif r <= 70 then
    q = pinyin[math.random(#pinyin)]
  elseif r <= 90 then
    q = PhoneQuery()
  else
    q = words[math.random(#words)]
  end
  return prefix .. q .. suffix
end

if report.paced() then delay = report.delay end
done = report.done
