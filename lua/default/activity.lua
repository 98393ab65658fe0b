-- activity.lua -- 有效动作 / What makes an activity effective.
--
-- An activity (visit, call, message, meeting) is effective when every
-- field in `requires` is filled in: the customer's need, a comparison with
-- the competitor, and the next step.

effective_activity = {
  requires = { "need", "competitor", "next_step" },
  fields = {
    need       = { name = "客户需求记录", name_en = "Need recorded" },
    competitor = { name = "竞品对比",     name_en = "Competitor comparison" },
    next_step  = { name = "下一步计划",   name_en = "Next step" },
  },
}

-- Optional extra logic, run only after the three fields are filled in:
-- return false and a reason to refuse.  Example (a next step must be more
-- than a word):
--
-- function is_effective(activity)
--   local n = utf8.len(activity.next_step or "")
--   if n ~= nil and n < 2 then
--     return false, "下一步计划太简略 / the next step is too short"
--   end
--   return true
-- end

test{ name = "三要素齐全为有效拜访", fn = "classify_activity",
      input = { need = "CT 球管更换预算", competitor = "竞品价格低 5%",
                next_step = "下周安排技术交流" },
      expect = { effective = true } }
test{ name = "只写了已拜访不算有效", fn = "classify_activity",
      input = { need = "", note = "已拜访" },
      expect = { effective = false,
                 missing = { "need", "competitor", "next_step" } } }
