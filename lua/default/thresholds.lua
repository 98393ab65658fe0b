-- thresholds.lua -- 指标阈值 / Metric thresholds.

thresholds = {
  -- 客户阶段健康度: share of customers with an effective activity in 7 days
  stage_health = { healthy = 0.85, warning = 0.70, window_days = 7 },
  -- 销售行为一致性: sample 10% of reps, flag a deviation above 15 points
  consistency = { deviation = 0.15, sample = 0.10, dormant_days = 90 },
  -- 商机漏斗断裂点: loss rate at or above 50%, or up 15 points
  funnel = { loss = 0.5, rise = 0.15 },
  -- 动销健康度: first-week distribution, weekly SKU ratio, 30-day repurchase
  sell_through = { distribution = 0.85, sku_ratio = 0.05, repurchase = 0.22 },
  -- 客户健康点: green with an action within fresh_days, red after stale_days
  customer_health = { fresh_days = 7, stale_days = 30 },
  -- 决策链渗透率: a role counts when met within recent_days with consensus
  decision_chain = { recent_days = 30 },
}

-- Self-tests check that the thresholds make sense, not their values, so a
-- company can tune them (0.85 -> 0.80) and keep every test green.
test{ name = "阶段健康阈值合理：0 < 预警 < 健康 ≤ 1", fn = "thresholds",
      input = {},
      check = function(t)
        local h = t.stage_health
        return type(h) == "table" and type(h.healthy) == "number" and
               type(h.warning) == "number" and h.warning > 0 and
               h.warning < h.healthy and h.healthy <= 1,
               "需要 0 < 预警(warning) < 健康(healthy) ≤ 1"
      end }
test{ name = "统计窗口为正的天数", fn = "thresholds", input = {},
      check = function(t)
        local h = t.stage_health or {}
        return type(h.window_days) == "number" and h.window_days >= 1,
               "统计窗口 window_days 至少 1 天"
      end }
