-- alerts.lua -- 预警动作 / What happens when a metric crosses a threshold.
--
-- on_alert(alert) receives { metric = "...", status = "...", value = n,
-- scope = {...}, ... } and returns a list of actions (metrics:
-- stage_health, funnel_break, consistency, loss_focus, qual_expiry with
-- customer_name, document, expires_on and days, ...):
--   { type = "task", assignee = "owner" | "manager" | <role>, title = "..." }
--   { type = "notify", role = <role> | user = <id>, message = "..." }
--   { type = "webhook", url = "https://...", body = {...} }

function on_alert(alert)
  local m = alert.metric
  if m == "stage_health" and alert.status == "zombie" then
    return {
      { type = "task", assignee = "manager",
        title = "阶段「" .. tostring(alert.stage_name or alert.stage) ..
                "」健康度低于 70%，请检查僵尸客户" },
    }
  elseif m == "funnel_break" then
    return {
      { type = "notify", role = "manager",
        message = "漏斗断裂点：" .. tostring(alert.transition) ..
                  " 流失率 " .. tostring(alert.loss_rate) },
    }
  elseif m == "consistency" then
    return {
      { type = "task", assignee = "manager",
        title = "销售行为偏差：请与 " .. tostring(alert.rep_name) ..
                " 校准拜访标准" },
    }
  elseif m == "loss_focus" then
    -- 锁定高频流失环节：每位经理每天抽查该阶段 3 条最近提交
    return {
      { type = "task", assignee = "manager",
        title = "抽查：「" .. tostring(alert.stage_name or alert.stage) ..
                "」是近 30 天丢单最多的环节，请逐条核对 3 条最近提交，" ..
                "通过（完成）或驳回（取消）并写明意见",
        body = tostring(alert.links or "") },
    }
  elseif m == "qual_expiry" then
    -- 资质到期提醒：提前 30、7、1 天通知负责人和法务
    local text = "客户「" .. tostring(alert.customer_name) .. "」的" ..
                 tostring(alert.document) .. "将于 " ..
                 tostring(alert.expires_on) .. " 到期（剩 " ..
                 tostring(alert.days) .. " 天内），请及时更新"
    return {
      { type = "notify", user = "owner", message = text },
      { type = "notify", role = "legal", message = text },
    }
  elseif m == "ship_form" then
    -- 发货倒计时：提前 72、50 小时提醒上传物流委托单
    return {
      { type = "notify", user = "owner",
        message = "请在发货前 " .. tostring(alert.deadline_hours) ..
                  " 小时上传物流委托单：" .. tostring(alert.customer_name) ..
                  " " .. tostring(alert.number) .. "，计划发货 " ..
                  tostring(alert.planned_at) },
    }
  elseif m == "ship_frozen" then
    -- 超过时限未上传物流委托单：出库冻结，通知负责人和财务
    local text = "出库已冻结（未按时上传物流委托单）：" ..
                 tostring(alert.customer_name) .. " " ..
                 tostring(alert.number) .. "，计划发货 " ..
                 tostring(alert.planned_at)
    return {
      { type = "notify", user = "owner", message = text },
      { type = "notify", role = "finance", message = text },
    }
  elseif m == "distribution" then
    return {
      { type = "notify", role = "supervisor",
        message = "新品首周铺货率不足 85%：附未铺货门店清单与话术包" },
    }
  elseif m == "sku_ratio" then
    return {
      { type = "notify", role = "store_manager",
        message = "单品周动销比低于 5%：附周边 3 家高动销门店陈列图" },
    }
  elseif m == "repurchase" then
    return {
      { type = "notify", role = "marketing",
        message = "30 日复购率低于 22%：附该店顾客画像报告" },
    }
  end
  return {}
end

test{ name = "僵尸阶段给经理派任务", fn = "on_alert",
      input = { metric = "stage_health", status = "zombie",
                stage = "intent", stage_name = "意向" },
      expect = { { type = "task", assignee = "manager" } } }
test{ name = "高频流失环节给经理派抽查任务", fn = "on_alert",
      input = { metric = "loss_focus", status = "focus", stage = "quote",
                stage_name = "报价", links = "/customers/1\n" },
      expect = { { type = "task", assignee = "manager" } } }
test{ name = "资质到期提醒负责人和法务", fn = "on_alert",
      input = { metric = "qual_expiry", customer_name = "示例经销商",
                document = "医疗器械经营许可证", expires_on = "2027-01-05",
                days = 30 },
      expect = { { type = "notify", user = "owner" },
                 { type = "notify", role = "legal" } } }
test{ name = "铺货率不足通知督导", fn = "on_alert",
      input = { metric = "distribution", value = 0.6 },
      expect = { { type = "notify", role = "supervisor" } } }
