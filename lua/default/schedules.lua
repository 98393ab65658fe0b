-- schedules.lua -- 定时提醒 / Reminders at set times.
--
-- Each reminder has a readable schedule in the company's time zone:
--   every = "weekdays 16:00"   (also "daily 09:00", "mon,thu 10:30",
--                               "1h", "30m"; Chinese works too:
--                               "工作日 16:00", "每天 09:00")
--   after = { event = "contract.signed", hours = 24 }
--                              (made when the event happens, due that many
--                               hours later)
-- facts names what the core passes in (never SQL here):
--   "people"                 every active user {id, login, name, role,
--                            region, manager_id}
--   "reps"                   the active reps, the same fields
--   "visits_missing_photos"  yesterday's visits checked in and not
--                            completed (a visit completes only with its
--                            required photos) {id, rep_id, customer_name}
--   "object"                 for after = {...}: the object of the event
--                            {id, name, owner_id, ...}
-- make(item, at) returns what to make for one item ("at" is the local
-- time of the run, "YYYY-MM-DD HH:MM"), or nil to skip it:
--   { type = "task", assignee = <user id> | role = "<role>", title = "...",
--     body = "...", due = "HH:MM" (that day) | due_hours = n,
--     kind = "reminder", priority = 1..3 }
--   { type = "notify", user = <user id>, title = "...", body = "..." }

schedules = {
  { key = "visit_photos", name = "补录昨日拜访照片",
    name_en = "Add yesterday's visit photos",
    every = "weekdays 09:00", facts = "visits_missing_photos",
    make = function(visit, at)
      return { type = "task", assignee = visit.rep_id, kind = "reminder",
               title = "今日16:00前补录昨日拜访照片：" ..
                       tostring(visit.customer_name),
               due = "16:00" }
    end },
  { key = "delivery_plan", name = "签约后提交交付计划",
    name_en = "Delivery plan after signing",
    after = { event = "contract.signed", hours = 24 },
    make = function(contract, at)
      return { type = "task", assignee = contract.owner_id, kind = "todo",
               title = "客户签约后24小时内提交交付计划：" ..
                       tostring(contract.name),
               due_hours = 24 }
    end },
}

test{ name = "缺照片的拜访给销售派补录任务", fn = "schedule_run",
      input = { key = "visit_photos", at = "2026-03-02 09:00",
                items = { { id = 7, rep_id = 3, customer_name = "瑞金医院" } } },
      check = function(got)
        local a = got[1]
        return a ~= nil and a.type == "task" and a.assignee == 3 and
               a.due == "16:00" and #got == 1,
               "每个缺照片的拜访应给其销售派一个 16:00 到期的任务"
      end }
test{ name = "签约后交付计划24小时内到期", fn = "schedule_run",
      input = { key = "delivery_plan", at = "2026-03-02 10:00",
                items = { { id = 5, owner_id = 9, name = "华山医院" } } },
      check = function(got)
        return got[1] ~= nil and got[1].assignee == 9 and
               got[1].due_hours == 24, "应派给负责销售，24 小时内到期"
      end }
