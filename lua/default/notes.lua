-- notes.lua -- 速记提取 / Fields pulled out of a quick (voice) note.
--
-- Each pattern is a Lua pattern; the first capture is the value
-- (type = "number" converts it).  Patterns run with a step limit.

note_patterns = {
  { field = "budget_wan", pattern = "预算%s*(%d+)%s*万", type = "number" },
  { field = "next_date",  pattern = "(%d+)月(%d+)日" },
  { field = "competitor", pattern = "竞品%s*([^%s，。,]+)" },
}

test{ name = "提取预算", fn = "extract_notes",
      input = { text = "拜访设备科李主任，预算 50 万，竞品 联影，下次 3月15日 再谈" },
      expect = { budget_wan = 50, competitor = "联影" } }
