-- thresholds.lua -- 指标阈值 / Metric thresholds.

thresholds = {
  -- 客户阶段健康度: share of customers with an effective activity in 7 days
  stage_health = { healthy = 0.85, warning = 0.70, window_days = 7 },
  -- 销售行为一致性: sample 10% of reps, flag a deviation above 15 points
  consistency = { deviation = 0.15, sample = 0.10, dormant_days = 90 },
  -- 商机漏斗断裂点: loss rate at or above 50%, or up 15 points
  funnel = { loss = 0.5, rise = 0.15 },
  -- 动销健康度: first-week distribution, weekly SKU ratio, 30-day repurchase
  -- (the repurchase push waits for min_buyers member buyers in a store)
  sell_through = { distribution = 0.85, sku_ratio = 0.05, repurchase = 0.22,
                   min_buyers = 20 },
  -- 客户健康点: green with an action within fresh_days, red after stale_days
  customer_health = { fresh_days = 7, stale_days = 30 },
  -- 决策链渗透率: a role counts when met within recent_days with consensus
  decision_chain = { recent_days = 30 },
  -- 客户健康雷达: recency falls to 0 after stale_days without an action,
  -- velocity after stage_days in one stage; engagement is full at
  -- `engaged` activities in 30 days.  Define health_radar(f) to replace
  -- the formulas (f: penetration, penetration_applicable,
  -- days_since_activity, evidence_done, evidence_required, days_in_stage,
  -- activities_30d; return coverage, recency, evidence, velocity,
  -- engagement, each 0..1).
  radar = { stale_days = 30, stage_days = 60, engaged = 4 },
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

test{ name = "健康雷达：刚拜访、证据齐全的客户各项满分", fn = "health_radar",
      input = { penetration = 1, days_since_activity = 0, evidence_done = 3,
                evidence_required = 3, days_in_stage = 0,
                activities_30d = 10 },
      expect = { coverage = 1, recency = 1, evidence = 1, velocity = 1,
                 engagement = 1 } }
test{ name = "健康雷达：久未跟进的客户近期得分为 0", fn = "health_radar",
      input = { penetration = 0, days_since_activity = 400,
                evidence_required = 2, evidence_done = 0,
                days_in_stage = 400, activities_30d = 0 },
      expect = { coverage = 0, recency = 0, evidence = 0, velocity = 0,
                 engagement = 0 } }
test{ name = "动销阈值在 0 与 1 之间，复购最少买家为正", fn = "thresholds",
      input = {},
      check = function(t)
        local s = t.sell_through or {}
        local function ratio(v) return type(v) == "number" and v > 0 and v <= 1 end
        return ratio(s.distribution) and ratio(s.sku_ratio) and
               ratio(s.repurchase) and type(s.min_buyers) == "number" and
               s.min_buyers >= 1,
               "sell_through 的比率需在 (0, 1] 内，min_buyers 至少 1"
      end }
