-- notes.lua -- 速记提取 / Fields pulled out of a quick (voice) note.
--
-- A rep dictates "拜访仁和医院设备科李主任，聊CT球管更换预算，他提了三点顾虑，
-- 下周二带样品再去"; Proofline proposes an activity from it and saves nothing
-- until the rep confirms.  read_note() below does the reading with the
-- word lists that follow; change the lists to teach it your company's
-- words.  It returns text only: the core matches the customer (among the
-- rep's own customers) and the contact, and checks every date.
--
-- note = { text = "...", today = "YYYY-MM-DD" (the company's local day
-- when the note was taken), weekday = 1..7 (Monday = 1) }.
-- Fields returned (each optional): customer, contact (a mention such as
-- 李主任 or Dr. Li), contact_surname, contact_title, topic, concerns,
-- need, competitor, next_step, next_date ("YYYY-MM-DD"), kind (visit,
-- call, meeting, message, demo, training).
--
-- note_patterns: extra fields of your own.  Each pattern is a Lua
-- pattern; the first capture is the value (type = "number" converts it).
-- Patterns run with a step limit.

note_patterns = {
  { field = "budget_wan", pattern = "预算%s*(%d+)%s*万", type = "number" },
}

-- 开头的动作词 → 客户 / A clause that starts with one of these names the
-- customer after it (the core looks for your customers' names in it).
note_customer_lead = {
  "拜访了", "拜访", "走访了", "走访", "去了趟", "去了", "去", "到了", "到",
  "在", "跑了", "见了", "陪同", "回访了", "回访", "打电话给", "电话",
  "致电", "给", "联系了", "联系",
  "visited ", "visit to ", "visit ", "went to ", "at ", "called ",
  "met with ", "meeting at ", "meeting with ",
}

-- 活动类型 / The kind of activity, from words in the first clause.
note_kinds = {
  { kind = "call",     words = { "电话", "致电", "打给", "call", "phoned" } },
  { kind = "message",  words = { "微信", "短信", "发消息", "留言", "wechat",
                                 "message", "texted" } },
  { kind = "demo",     words = { "演示", "demo" } },
  { kind = "training", words = { "培训", "讲课", "training" } },
  { kind = "meeting",  words = { "开会", "会议", "座谈", "meeting" } },
  { kind = "visit",    words = { "拜访", "走访", "去了", "跑了", "到店",
                                 "回访", "visit", "went to", "met " } },
}

-- 拜访类型 / The visit type (visits.lua) when the note says it: a type's
-- own name first (门店拜访), then these words.  Only for a visit.
note_visit_type_words = {
  { type = "installation",   words = { "安装", "装机", "installation" } },
  { type = "store_visit",    words = { "门店", "超市", "药房", "药店", "店长",
                                       "store", "pharmacy", "supermarket" } },
  { type = "hospital_visit", words = { "医院", "科室", "hospital" } },
}

-- 称谓（长的在前）/ Titles after a surname (longest first).
note_titles = {
  "副院长", "副主任", "副总", "护士长", "总经理", "总监", "主任", "科长",
  "院长", "处长", "部长", "经理", "老师", "医生", "大夫", "主管", "店长",
  "老板", "局长", "书记", "教授", "厂长", "工", "总", "姐", "哥",
}
-- English titles before a surname (the title is not compared: contacts'
-- titles may be written in Chinese).
note_titles_en = { "Dr", "Doctor", "Director", "Prof", "Manager", "Mr", "Ms",
                   "Mrs", "Miss" }
-- 常见姓氏 / Surnames a contact mention may start with.
note_surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓" ..
  "曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾" ..
  "夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫" ..
  "孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦" ..
  "俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛" ..
  "靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄" ..
  "窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁" ..
  "沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"

-- 话题 / Topic: what follows one of these words.
note_topic_lead = {
  "聊了聊", "聊了", "聊", "谈了", "谈", "讨论了", "讨论", "沟通了", "沟通",
  "介绍了", "介绍", "商量了", "商量", "关于", "talked about ",
  "discussed ", "about ",
}
-- 顾虑 / Concerns: a capture after these, or else the whole clause that
-- holds one of note_concern_words.
note_concern_lead = {
  "担心", "顾虑是", "顾虑", "担忧", "疑虑", "concerned about ",
  "worried about ", "concerns about ", "concern about ", "concerns: ",
  "concern: ",
}
note_concern_words = { "顾虑", "担心", "担忧", "疑虑", "异议", "concern",
                       "worried" }
-- 需求 / Need.
note_need_lead = {
  "需求是", "需求", "需要", "想要", "想买", "想采购", "计划采购", "要采购",
  "打算采购", "needs ", "need ", "wants ", "looking for ",
}
-- 竞品 / Competitors: a known name anywhere, else a capture after the
-- lead words.
note_competitors = {
  "联影", "迈瑞", "西门子", "飞利浦", "东软", "万东", "GE", "Siemens",
  "Philips", "Mindray", "United Imaging",
}
note_competitor_lead = {
  "竞品是", "竞品", "竞争对手是", "竞争对手", "对手是", "在用", "用的是",
  "competitor is ", "competitor ", "currently using ", "using ",
}
-- 下一步 / A clause is the next step when it has a date after today or
-- one of these words.
note_next_words = {
  "下次", "下周", "下个月", "再去", "再访", "再来", "回访", "跟进", "约了",
  "约好", "准备",
  "计划", "打算", "安排", "要去", "送", "带", "next", "follow up",
  "will ", "plan to",
}
-- What to strip from the front of a next step.
note_next_strip = { "下一步是", "下一步", "然后", "next step is ",
                    "next step: ", "next step ", "next ", "then " }

-- 日期 / Dates -----------------------------------------------------------
note_day_words = {          -- 相对今天的天数 / days after the note's day
  { "大后天", 3 }, { "后天", 2 }, { "明天", 1 }, { "明日", 1 },
  { "明早", 1 }, { "明晚", 1 }, { "今天", 0 }, { "今日", 0 },
  { "今晚", 0 }, { "day after tomorrow", 2 }, { "tomorrow", 1 },
  { "today", 0 }, { "tonight", 0 },
}
note_weekdays = {
  ["一"] = 1, ["二"] = 2, ["三"] = 3, ["四"] = 4, ["五"] = 5, ["六"] = 6,
  ["日"] = 7, ["天"] = 7,
}
note_weekdays_en = {
  monday = 1, tuesday = 2, wednesday = 3, thursday = 4, friday = 5,
  saturday = 6, sunday = 7, mon = 1, tue = 2, tues = 2, wed = 3, thu = 4,
  thur = 4, thurs = 4, fri = 5, sat = 6, sun = 7,
}
note_months_en = {
  january = 1, february = 2, march = 3, april = 4, may = 5, june = 6,
  july = 7, august = 8, september = 9, october = 10, november = 11,
  december = 12, jan = 1, feb = 2, mar = 3, apr = 4, jun = 6, jul = 7,
  aug = 8, sep = 9, sept = 9, oct = 10, nov = 11, dec = 12,
}
-- 时段：连同日期一起从下一步里去掉 / Parts of the day, taken out with the date.
note_day_parts = { "上午", "下午", "中午", "晚上", "早上", "傍晚", "一早",
                   " morning", " afternoon", " evening" }

-- Reading ----------------------------------------------------------------

local HZ = "[\228-\233][\128-\191][\128-\191]"

-- A table's entries in the order of their keys: the same note reads the
-- same on every worker (pairs() order follows each state's hash seed).
local function ordered(t)
  local keys = {}
  for k in pairs(t) do
    keys[#keys + 1] = k
  end
  table.sort(keys, function (x, y) return tostring(x) < tostring(y) end)
  local i = 0
  return function ()
    i = i + 1
    if keys[i] ~= nil then
      return keys[i], t[keys[i]]
    end
  end
end

local function trim(s)
  s = s:gsub("^[%s,:;]+", ""):gsub("[%s,:;]+$", "")
  return s
end

local function starts(s, prefix)
  return s:sub(1, #prefix) == prefix
end

-- Days since 1970-01-01 of a civil date, and back (H. Hinnant).
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return (m <= 2 and yoe + era * 400 + 1 or yoe + era * 400), m, d
end

local function valid(y, m, d)
  if m < 1 or m > 12 or d < 1 or d > 31 then
    return false
  end
  local y2, m2 = civil_from_days(days_from_civil(y, m, d))
  return y2 == y and m2 == m
end

local function iso(z)
  local y, m, d = civil_from_days(z)
  return string.format("%04d-%02d-%02d", y, m, d)
end

-- 一..三十一 → number (runs of Chinese numerals before 月/号/日/天).
local cn_digit = { ["一"] = 1, ["二"] = 2, ["两"] = 2, ["三"] = 3,
                   ["四"] = 4, ["五"] = 5, ["六"] = 6, ["七"] = 7,
                   ["八"] = 8, ["九"] = 9, ["十"] = 10 }

local function cn_number(run)
  local chars = {}
  for _, c in utf8.codes(run) do
    chars[#chars + 1] = utf8.char(c)
  end
  if #chars == 1 then
    return cn_digit[chars[1]]
  end
  if #chars == 2 and chars[1] == "十" then
    return 10 + (cn_digit[chars[2]] or 0)
  end
  if #chars == 2 and chars[2] == "十" then
    return (cn_digit[chars[1]] or 0) * 10
  end
  if #chars == 3 and chars[2] == "十" then
    return (cn_digit[chars[1]] or 0) * 10 + (cn_digit[chars[3]] or 0)
  end
  return nil
end

local cn_units = { ["月"] = true, ["号"] = true, ["日"] = true,
                  ["天"] = true }

local function cn_numerals(text)
  local chars = {}
  for _, c in utf8.codes(text) do
    chars[#chars + 1] = utf8.char(c)
  end
  local out, i = {}, 1
  while i <= #chars do
    local j = i
    while j <= #chars and cn_digit[chars[j]] do
      j = j + 1
    end
    local n = j > i and cn_units[chars[j] or ""] and
              cn_number(table.concat(chars, "", i, j - 1))
    if n and n > 0 then
      out[#out + 1] = tostring(n)
      i = j
    elseif j > i then
      out[#out + 1] = table.concat(chars, "", i, j - 1)
      i = j
    else
      out[#out + 1] = chars[i]
      i = i + 1
    end
  end
  return table.concat(out)
end

-- The first of several patterns that matches s: start, end, captures.
local function first_of(s, patterns)
  for _, p in ipairs(patterns) do
    local r = { s:find(p) }
    if r[1] then
      return table.unpack(r)
    end
  end
  return nil
end

-- b moved past a 日 or 号 right after it.
local function past_day_mark(s, b)
  local nxt = s:sub(b + 1, b + 3)
  if nxt == "日" or nxt == "号" then
    return b + 3
  end
  return b
end

local no_date_after = { "万", "亿", "元", "块", "k", "K", "%%", "倍", "米",
                        "台", "个", "%.%d" }

-- The date a clause names: days since the epoch and the phrase found
-- (start, end), or nil.  today: days since the epoch; wd: 1..7.
local function find_date(s, today, wd, year)
  local low = s:lower()
  local a, b, y, m, d
  a, b, y, m, d = first_of(s, { "(%d%d%d%d)%-(%d%d?)%-(%d%d?)",
                                "(%d%d%d%d)/(%d%d?)/(%d%d?)",
                                "(%d%d%d%d)年(%d%d?)月(%d%d?)" })
  if a then
    b = past_day_mark(s, b)
    y, m, d = tonumber(y), tonumber(m), tonumber(d)
    return valid(y, m, d) and days_from_civil(y, m, d) or nil, a, b
  end
  for _, w in ipairs(note_day_words) do
    a, b = low:find(w[1], 1, true)
    if a then
      return today + w[2], a, b
    end
  end
  local n
  -- At most four digits: a run of digits is no number of days.
  a, b, n = s:find("%f[%d](%d%d?%d?%d?)天后")
  if a then
    return today + tonumber(n), a, b
  end
  a, b, n = low:find("in (%d%d?%d?%d?) days")
  if a then
    return today + tonumber(n), a, b
  end
  local monday = today - (wd - 1)
  for _, lead in ipairs({ { "下下周", 14 }, { "下下星期", 14 },
                          { "下周", 7 }, { "下星期", 7 }, { "下礼拜", 7 },
                          { "这周", 0 }, { "本周", 0 }, { "这星期", 0 },
                          { "这礼拜", 0 }, { "周", -1 }, { "星期", -1 },
                          { "礼拜", -1 } }) do
    a, b = s:find(lead[1], 1, true)
    if a then
      local day = note_weekdays[s:sub(b + 1, b + 3)]
      if day then
        if lead[2] >= 0 then
          return monday + lead[2] + day - 1, a, b + 3
        end
        local ahead = (day - wd) % 7
        return today + (ahead == 0 and 7 or ahead), a, b + 3
      end
    end
  end
  a, b, n = first_of(s, { "下个月(%d%d?)号", "下个月(%d%d?)日",
                          "下月(%d%d?)号", "下月(%d%d?)日" })
  if a then
    local y0, m0 = civil_from_days(today)
    m0 = m0 + 1
    if m0 > 12 then
      y0, m0 = y0 + 1, 1
    end
    d = tonumber(n)
    return valid(y0, m0, d) and days_from_civil(y0, m0, d) or nil, a, b
  end
  a, b, m, d = s:find("(%d%d?)月(%d%d?)")
  if a then
    b = past_day_mark(s, b)
  else
    a, b, m, d = s:find("(%d%d?)[./](%d%d?)%f[^%d]")
    if a and s:sub(a - 1, a - 1):match("[%d.]") then
      a = nil
    end
    for _, w in ipairs(no_date_after) do
      if a and s:sub(b + 1):match("^%s*" .. w) then
        a = nil
      end
    end
  end
  if not a then
    for word, mo in ordered(note_months_en) do
      local a2, b2, dd = low:find("%f[%a]" .. word .. "%.?%s+(%d%d?)%f[^%d]")
      if not a2 then
        a2, b2, dd = low:find("%f[%d](%d%d?)%s*[snrt]?[tdh]?%s+" .. word ..
                              "%f[^%a]")
      end
      if a2 then
        a, b, m, d = a2, b2, mo, dd
        break
      end
    end
    if a then
      local a3, b3 = low:find("%f[%a]on ", 1)
      if a3 and b3 + 1 == a then
        a = a3
      end
      local b4 = low:find("^th", b + 1)
      if b4 then
        b = b + 2
      end
    end
  end
  if a then
    m, d = tonumber(m), tonumber(d)
    if not valid(year, m, d) then
      return nil, a, b
    end
    local z = days_from_civil(year, m, d)
    -- "3月2日拜访了…" written on 4 March is that past day; only a date
    -- long gone (a December note about 1月5日) means next year's.
    if z < today - 180 then
      z = valid(year + 1, m, d) and days_from_civil(year + 1, m, d) or nil
    end
    return z, a, b
  end
  a, b, n = s:find("(%d%d?)号")
  if a then
    local y0, m0 = civil_from_days(today)
    d = tonumber(n)
    local z = valid(y0, m0, d) and days_from_civil(y0, m0, d) or nil
    -- A day a week or more gone is next month's ("5号" on the 20th).
    if z and z < today - 7 then
      m0 = m0 + 1
      if m0 > 12 then
        y0, m0 = y0 + 1, 1
      end
      z = valid(y0, m0, d) and days_from_civil(y0, m0, d) or nil
    end
    return z, a, b
  end
  for _, lead in ipairs({ { "next ", 7 }, { "this ", 0 }, { "on ", -1 },
                          { "", -1 } }) do
    for word, day in ordered(note_weekdays_en) do
      a, b = low:find("%f[%a]" .. lead[1] .. word .. "%f[^%a]")
      if a then
        if lead[2] >= 0 then
          -- "next Friday" is next week's, as 下周五
          return monday + lead[2] + day - 1, a, b
        end
        local ahead = (day - wd) % 7
        return today + (ahead == 0 and 7 or ahead), a, b
      end
    end
  end
  return nil
end

-- Take the phrase [a, b] out of s, with a part of the day right after it
-- or a preposition right before it.
local function cut(s, a, b)
  local rest = s:sub(b + 1)
  for _, p in ipairs(note_day_parts) do
    if starts(rest:lower(), p) then
      rest = rest:sub(#p + 1)
      break
    end
  end
  -- "周五前回复": by Friday
  for _, w in ipairs({ "之前", "以前", "前" }) do
    if starts(rest, w) then
      rest = rest:sub(#w + 1)
      break
    end
  end
  local head = trim(s:sub(1, a - 1))
  head = trim(head:gsub("%f[%a][Oo]n$", ""):gsub("%f[%a][Bb]y$", ""))
  rest = trim(rest)
  -- hanzi join without a space
  local sep = (head:match("[\128-\255]$") or rest:match("^[\128-\255]"))
              and "" or " "
  return trim(head .. sep .. rest)
end

local function after_lead(s, leads)
  local low = s:lower()
  for _, w in ipairs(leads) do
    local a, b = low:find(w, 1, true)
    if a then
      local v = trim(s:sub(b + 1))
      if v ~= "" then
        return v, a
      end
    end
  end
  return nil
end

-- What follows a lead word at the start of the clause (after words such
-- as 今天 or 我 that may come first).
local note_openers = { "今天上午", "今天下午", "今天", "上午", "下午", "刚才",
                       "刚刚", "早上", "我们", "我", "刚", "today ",
                       "this morning ", "this afternoon ", "i ", "we " }

local function lead_start(s, leads)
  local low = s:lower()
  for _, o in ipairs(note_openers) do
    if starts(low, o) then
      s, low = s:sub(#o + 1), low:sub(#o + 1)
      break
    end
  end
  for _, w in ipairs(leads) do
    if starts(low, w) then
      local v = trim(s:sub(#w + 1))
      if v ~= "" then
        return v
      end
    end
  end
  return nil
end

local function has_word(s, words)
  local low = s:lower()
  for _, w in ipairs(words) do
    if low:find(w:lower(), 1, true) then
      return true
    end
  end
  return false
end

-- Full-width punctuation to ASCII, titles' dots kept, then clauses.
local function clauses(text)
  local s = text
  for from, to in pairs({ ["，"] = ",", ["。"] = ";", ["；"] = ";",
                          ["！"] = ";", ["？"] = ";", ["："] = ":",
                          ["（"] = "(", ["）"] = ")", ["　"] = " ",
                          ["\n"] = ";", ["\r"] = ";" }) do
    s = s:gsub(from, to)
  end
  s = s:gsub("(%d)：(%d)", "%1:%2")
  s = s:gsub("%f[%a](%a+)%. ", function(w)
    for _, t in ipairs(note_titles_en) do
      if t:lower() == w:lower() then
        return w .. " "
      end
    end
    return nil
  end)
  s = s:gsub("%.%s+", ";"):gsub("%.$", "")
  local out = {}
  for c in s:gmatch("[^,;!?]+") do
    c = trim(c)
    if c ~= "" then
      out[#out + 1] = c
    end
  end
  return out
end

local function contact_of(s, out)
  for _, t in ipairs(note_titles) do
    local init = 1
    while true do
      local a, b, sur = s:find("(" .. HZ .. ")" .. t, init)
      if not a then
        break
      end
      if note_surnames:find(sur, 1, true) then
        out.contact, out.contact_surname, out.contact_title =
          sur .. t, sur, t
        return true
      end
      init = b + 1
    end
  end
  for _, t in ipairs(note_titles_en) do
    local a, b, sur = s:find("%f[%a]" .. t .. "%.?%s+(%u%l+)")
    if a then
      out.contact, out.contact_surname, out.contact_title =
        s:sub(a, b), sur, ""
      return true
    end
  end
  return false
end

local function kind_of(s)
  for _, k in ipairs(note_kinds) do
    if has_word(s, k.words) then
      return k.kind
    end
  end
  return nil
end

local function date_parts(note)
  local y, m, d = (note.today or ""):match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
  if not y then
    return nil
  end
  local today = days_from_civil(tonumber(y), tonumber(m), tonumber(d))
  local wd = tonumber(note.weekday)
  if not wd or wd < 1 or wd > 7 then
    wd = (today + 3) % 7 + 1 -- 1970-01-01 was a Thursday
  end
  return today, wd, tonumber(y)
end

-- The date of a clause: days since the epoch (or nil), the clause with
-- numerals made digits, and where the date phrase is.
local function clause_date(c, note)
  local today, wd, year = date_parts(note)
  local s = cn_numerals(c)
  if not today then
    return nil, s
  end
  local z, a, b = find_date(s, today, wd, year)
  return z, s, a, b, today
end

-- Is clause c the next step?  pass 1: it names a day after today (or
-- today with a next-step word); pass 2: it starts with a next-step word.
local function is_next(c, note, pass)
  local z, s, a, _, today = clause_date(c, note)
  if pass == 1 then
    return z ~= nil and (z > today or has_word(s, note_next_words))
  end
  return a == nil and lead_start(c, note_next_words) ~= nil
end

local function next_step_of(c, note, out)
  local z, s, a, b = clause_date(c, note)
  local step = a and cut(s, a, b) or s
  -- "赵店长说下周一来提货": the step is what was said
  if out.contact and starts(step, out.contact) then
    step = step:sub(#out.contact + 1)
    for _, w in ipairs({ "说", "表示", "讲", "答应", "同意" }) do
      if starts(step, w) then
        step = step:sub(#w + 1)
        break
      end
    end
    step = trim(step)
  end
  for _, p in ipairs(note_next_strip) do
    if starts(step:lower(), p) then
      step = trim(step:sub(#p + 1))
    end
  end
  if step ~= "" then
    out.next_step = step
  end
  if z then
    out.next_date = iso(z)
  end
end

-- Leads that say how the customer was reached when no kind word does.
note_lead_kinds = { ["打电话给"] = "call", ["电话"] = "call",
                    ["致电"] = "call", ["called "] = "call", ["给"] = "",
                    ["联系了"] = "", ["联系"] = "" }

local function other_fields(c, out)
  if not out.concerns and has_word(c, note_concern_words) then
    out.concerns = after_lead(c, note_concern_lead) or c
    return true
  end
  local v = not out.need and after_lead(c, note_need_lead)
  if v then
    out.need = v
    return true
  end
  v = not out.topic and after_lead(c, note_topic_lead)
  if v then
    out.topic = v
    return true
  end
  return false
end

local function competitor_of(c, used, out)
  for _, name in ipairs(note_competitors) do
    if c:find(name, 1, true) then
      out.competitor = name
      return
    end
  end
  if not used then
    out.competitor = after_lead(c, note_competitor_lead)
  end
end

local function visit_type_of(text)
  local types = visit_types or {}
  for key, vt in ordered(types) do
    if type(vt) == "table" and
       has_word(text, { vt.name or key, vt.name_en or key }) then
      return key
    end
  end
  for _, t in ipairs(note_visit_type_words) do
    if types[t.type] and has_word(text, t.words) then
      return t.type
    end
  end
  return nil
end

function read_note(note)
  local out = {}
  local list = clauses(note.text or "")
  local nxt
  for pass = 1, 2 do
    for i, c in ipairs(list) do
      if not nxt and is_next(c, note, pass) then
        nxt = i
      end
    end
  end
  for i, c in ipairs(list) do
    local used = false
    if i == 1 then
      out.kind = kind_of(c)
    end
    if not out.customer and i ~= nxt then
      local v = lead_start(c, note_customer_lead)
      if v then
        out.customer = v
        used = i == 1
        if i == 1 and not out.kind then
          local lead = c:sub(1, #c - #v):lower()
          local k, len = "visit", 0
          for w, kind in ordered(note_lead_kinds) do
            if #w > len and lead:sub(-#w) == w then
              k, len = kind, #w
            end
          end
          out.kind = k ~= "" and k or nil
        end
      end
    end
    if not out.contact then
      contact_of(c, out)
    end
    if i == nxt then
      next_step_of(c, note, out)
      used = true
    end
    if not used then
      used = other_fields(c, out)
    end
    if not out.competitor then
      competitor_of(c, used, out)
    end
  end
  if out.kind == "visit" then
    out.visit_type = visit_type_of(note.text or "")
  end
  return out
end

test{ name = "示例速记", fn = "extract_notes",
      input = { text = "拜访仁和医院设备科李主任,聊CT球管更换预算,他提了三点顾虑,下周二带样品再去",
                today = "2026-03-04", weekday = 3 },
      expect = { customer = "仁和医院设备科李主任", contact = "李主任",
                 topic = "CT球管更换预算", concerns = "他提了三点顾虑",
                 next_step = "带样品再去", next_date = "2026-03-10",
                 kind = "visit" } }
test{ name = "提取预算与竞品", fn = "extract_notes",
      input = { text = "拜访设备科李主任，预算 50 万，竞品 联影，下次 3月15日 再谈",
                today = "2026-03-04", weekday = 3 },
      expect = { budget_wan = 50, competitor = "联影",
                 next_date = "2026-03-15" } }
test{ name = "明天下午", fn = "extract_notes",
      input = { text = "电话华润万家王经理，明天下午送报价单",
                today = "2026-12-31", weekday = 4 },
      expect = { kind = "call", contact = "王经理", next_step = "送报价单",
                 next_date = "2027-01-01" } }
test{ name = "English", fn = "extract_notes",
      input = { text = "Visited Renhe Hospital, met Dr. Li, discussed the CT tube budget. Next step: demo on March 5",
                today = "2026-03-04", weekday = 3 },
      expect = { customer = "Renhe Hospital", contact = "Dr Li",
                 topic = "the CT tube budget", next_step = "demo",
                 next_date = "2026-03-05" } }
test{ name = "日期写法", fn = "extract_notes",
      input = { text = "去了协和，下个月三号再去", today = "2026-01-30",
                weekday = 5 },
      expect = { next_date = "2026-02-03", next_step = "再去" } }
test{ name = "金额不是日期", fn = "extract_notes",
      input = { text = "拜访仁和医院，预算3.5万，4.8再去", today = "2026-03-04",
                weekday = 3 },
      expect = { next_date = "2026-04-08", next_step = "再去" } }
test{ name = "English dates", fn = "extract_notes",
      input = { text = "Called Renhe, they are worried about price, follow up this Friday",
                today = "2026-03-04", weekday = 3 },
      expect = { kind = "call", concerns = "price", next_step = "follow up",
                 next_date = "2026-03-06" } }
test{ name = "in 3 days", fn = "extract_notes",
      input = { text = "Visited Sunrise, next visit in 3 days",
                today = "2026-03-04", weekday = 3 },
      expect = { next_date = "2026-03-07", next_step = "visit" } }
test{ name = "拜访类型", fn = "extract_notes",
      input = { text = "拜访华润万家超市王店长，明天补货", today = "2026-03-04",
                weekday = 3 },
      check = function(got)
        return visit_types == nil or visit_types.store_visit == nil or
               got.visit_type == "store_visit", "应为门店拜访"
      end }
