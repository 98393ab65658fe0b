-- alerts.lua -- 预警动作 / What happens when a metric crosses a threshold.
--
-- on_alert(alert) receives { metric = "...", status = "...", value = n,
-- scope = {...}, ... } and returns a list of actions (metrics:
-- stage_health, funnel_break, consistency, loss_focus, qual_expiry with
-- customer_name, document, expires_on and days; distribution with
-- missing_text and files_text, sku_ratio with peers_text, repurchase
-- with link -- value and threshold for all three, ...):
--   { type = "task", assignee = "owner" | "manager" | <role>, title = "..." }
--   { type = "notify", role = <role> | user = <id>, message = "..." }
--   { type = "webhook", url = "https://...", body = {...} }

-- A ratio as a percentage for messages: 0.05 -> "5.0%".
local function pct(v)
  if type(v) ~= "number" then return "—" end
  return string.format("%.1f%%", v * 100)
end

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
    -- 新品首周铺货率不足：给该区域督导未铺货门店清单和话术包
    return {
      { type = "notify", user = "owner",
        message = "新品首周铺货率 " .. pct(alert.value) .. " 低于 " ..
                  pct(alert.threshold) .. "：「" ..
                  tostring(alert.campaign_name) .. "」" ..
                  tostring(alert.missing_count or 0) .. " 家门店未铺货",
        body = "未铺货门店：\n" .. tostring(alert.missing_text or "") ..
               "\n话术包：\n" .. tostring(alert.files_text or "") },
    }
  elseif m == "sku_ratio" then
    -- 单品周动销比低：给店长周边 3 家高动销门店的陈列图和距离
    return {
      { type = "notify", user = "owner",
        message = "单品周动销比 " .. pct(alert.value) .. " 低于 " ..
                  pct(alert.threshold) .. "：" ..
                  tostring(alert.store_name) .. "「" ..
                  tostring(alert.campaign_name) .. "」",
        body = "周边高动销门店的陈列图（距离、动销比）：\n" ..
               tostring(alert.peers_text or "") .. "\n" ..
               tostring(alert.link or "") },
    }
  elseif m == "repurchase" then
    -- 30 日复购率低：给市场部该店顾客画像报告
    return {
      { type = "notify", role = "marketing",
        message = "30 日复购率 " .. pct(alert.value) .. " 低于 " ..
                  pct(alert.threshold) .. "：" ..
                  tostring(alert.store_name) .. "「" ..
                  tostring(alert.campaign_name) .. "」",
        body = "顾客画像报告：" .. tostring(alert.link or "") },
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
test{ name = "铺货率不足通知该区域督导", fn = "on_alert",
      input = { metric = "distribution", value = 0.6, threshold = 0.85,
                campaign_name = "新品", missing_count = 1,
                missing_text = "S001 一店 /stores/1\n",
                files_text = "话术.pdf /files/2\n" },
      expect = { { type = "notify", user = "owner" } },
      check = function(r)
        return string.find(r[1].body, "S001", 1, true) ~= nil and
               string.find(r[1].body, "/files/2", 1, true) ~= nil,
               "消息需附未铺货门店与话术包链接"
      end }
test{ name = "动销比低通知店长并附周边陈列图", fn = "on_alert",
      input = { metric = "sku_ratio", value = 0.02, threshold = 0.05,
                store_name = "一店", campaign_name = "新品",
                peers_text = "S002 二店 1.20 km 9.0% /stores/1/photos/7\n" },
      expect = { { type = "notify", user = "owner" } },
      check = function(r)
        return string.find(r[1].body, "/stores/1/photos/7", 1, true) ~= nil,
               "消息需附周边门店陈列图链接"
      end }
test{ name = "复购率低通知市场部并附画像报告", fn = "on_alert",
      input = { metric = "repurchase", value = 0.1, threshold = 0.22,
                store_name = "一店", campaign_name = "新品",
                link = "/stores/1/profile?campaign=3" },
      expect = { { type = "notify", role = "marketing" } },
      check = function(r)
        return string.find(r[1].body, "/stores/1/profile", 1, true) ~= nil,
               "消息需附顾客画像报告链接"
      end }
