-- stages.lua -- 客户阶段与最小证据链 / Stages and the evidence each requires.
--
-- A customer enters a stage only when every evidence item in `requires`
-- is present.  Keys refer to the `evidence` table (evidence.lua).
-- `qualified = true`: entering also needs the customer's qualification
-- documents approved by legal and valid (contracts.lua qualifications;
-- customer kinds that need none pass).

stages = {
  { key = "lead",      name = "线索",   name_en = "Lead" },
  { key = "intent",    name = "意向",   name_en = "Intent",
    requires = { "need_confirmed" } },
  { key = "advancing", name = "推进中", name_en = "Advancing",
    requires = { "trial_kit_receipt", "head_phone_confirmation",
                 "installation_form" } },
  { key = "quote",     name = "报价",   name_en = "Quote", qualified = true,
    requires = { "quote_sheet" } },
  { key = "contract",  name = "合同",   name_en = "Contract", won = true,
    requires = { "signed_contract" } },
  { key = "lost",      name = "丢单",   name_en = "Lost", lost = true },
}

-- How customers may move between stages.
transitions = {
  allow_back = true,                 -- one or more stages back, no evidence
  allow_skip = false,                -- forward one stage at a time
  reopen_to = { "lead", "intent" },  -- a lost customer may be reopened here
}

-- Why a customer was lost (marking "lost" requires one of these).
lost_reasons = {
  { key = "price",       name = "价格",     name_en = "Price" },
  { key = "competitor",  name = "选择竞品", name_en = "Chose a competitor" },
  { key = "budget",      name = "预算取消", name_en = "Budget cancelled" },
  { key = "no_decision", name = "迟迟不决策", name_en = "No decision" },
  { key = "other",       name = "其他",     name_en = "Other" },
}

-- 锁定高频流失环节 / Loss focus.  The stage where most customers were
-- lost in the last window_days (at least min_losses of them) is under
-- focus: while it is, entering it also needs the evidence listed here
-- (empty: nothing more), and every manager gets a daily spot check of
-- `sample` recent entries into it (alerts.lua, metric "loss_focus").
loss_focus = {
  requires = { "price_comparison", "customer_words" },
  min_losses = 3, window_days = 30, sample = 3,
}

-- 客户类型 / Customer kinds (add your own; keys are stored with customers).
customer_kinds = {
  { key = "hospital",   name = "医院",   name_en = "Hospital" },
  { key = "dealer",     name = "经销商", name_en = "Dealer" },
  { key = "store",      name = "门店",   name_en = "Store" },
  { key = "enterprise", name = "企业",   name_en = "Enterprise" },
  { key = "other",      name = "其他",   name_en = "Other" },
}

-- 决策链角色 / Roles in a customer's decision.  The penetration of a
-- decision chain counts the roles marked required: a required role is
-- covered when one of its contacts was met within
-- thresholds.decision_chain.recent_days with a consensus point recorded.
decision_roles = {
  { key = "budget",     name = "预算",   name_en = "Budget",     required = true },
  { key = "acceptance", name = "验收",   name_en = "Acceptance", required = true },
  { key = "influencer", name = "口碑",   name_en = "Influencer", required = true },
  { key = "user",       name = "使用者", name_en = "User" },
  { key = "other",      name = "其他",   name_en = "Other" },
}

-- Optional logic beyond the evidence list: return false and a message to
-- refuse.  Example: a contract needs a known deal amount.
function can_enter(customer, from, to, have)
  if to == "contract" and customer.amount ~= nil and customer.amount <= 0 then
    return false, "合同金额必须大于 0 / the contract amount must be positive"
  end
  return true
end

-- Self-tests check how the gate behaves with whatever evidence the stages
-- above require, so a company can change the lists (here or in the rules
-- form) and keep the tests green.
local function requires_of(key)
  for _, s in ipairs(stages) do
    if s.key == key then
      return s.requires or {}
    end
  end
  return {}
end

local function keys(list)
  local out = {}
  for _, m in ipairs(list or {}) do
    out[#out + 1] = type(m) == "table" and m.key or m
  end
  table.sort(out)
  return table.concat(out, ",")
end

local function refuses_without(stage)
  return function(got)
    local want = requires_of(stage)
    if #want == 0 then
      return got.allowed == true, "不要求证据时应当允许"
    end
    return got.allowed == false and keys(got.missing) == keys(want),
           "应当拒绝并列出所缺证据：" .. keys(want)
  end
end

test{ name = "线索→意向：缺证据时拒绝并列出所缺", fn = "check_transition",
      input = { from = "lead", to = "intent", have = {} },
      check = refuses_without("intent") }
test{ name = "意向→推进中：缺证据时拒绝并列出所缺", fn = "check_transition",
      input = { from = "intent", to = "advancing", have = {} },
      check = refuses_without("advancing") }
test{ name = "意向→推进中：证据齐全即可进入", fn = "check_transition",
      input = { from = "intent", to = "advancing",
                have = requires_of("advancing") },
      expect = { allowed = true } }
test{ name = "不能跳过阶段", fn = "check_transition",
      input = { from = "lead", to = "quote", have = {} },
      expect = { allowed = false, code = "skip_not_allowed" } }
test{ name = "可以退回", fn = "check_transition",
      input = { from = "quote", to = "intent", have = {} },
      expect = { allowed = true } }
test{ name = "任何阶段都可丢单", fn = "check_transition",
      input = { from = "advancing", to = "lost", have = {} },
      expect = { allowed = true, code = "lost" } }
test{ name = "丢单后可重新打开为线索", fn = "check_transition",
      input = { from = "lost", to = "lead", have = {} },
      expect = { allowed = true } }
test{ name = "丢单后不能直接进入报价", fn = "check_transition",
      input = { from = "lost", to = "quote", have = {} },
      expect = { allowed = false, code = "reopen_not_allowed" } }
test{ name = "合同金额必须为正", fn = "check_transition",
      input = { customer = { amount = 0 }, from = "quote", to = "contract",
                have = { "signed_contract" } },
      expect = { allowed = false, code = "rule_refused" } }

local function focus_check(got)
  local want = (loss_focus or {}).requires or {}
  if #want == 0 then
    return got.allowed == true, "没有加严证据时应当允许"
  end
  return got.allowed == false and keys(got.missing) == keys(want),
         "应当拒绝并列出加严证据：" .. keys(want)
end
test{ name = "加严环节：本阶段证据齐全仍需加严证据", fn = "check_transition",
      input = { customer = { loss_focus = "advancing" }, from = "intent",
                to = "advancing", have = requires_of("advancing") },
      check = focus_check }
test{ name = "加严环节：补齐加严证据即可进入", fn = "check_transition",
      input = { customer = { loss_focus = "advancing" }, from = "intent",
                to = "advancing",
                have = (function()
                  local h = {}
                  for _, k in ipairs(requires_of("advancing")) do
                    h[#h + 1] = k
                  end
                  for _, k in ipairs((loss_focus or {}).requires or {}) do
                    h[#h + 1] = k
                  end
                  return h
                end)() },
      expect = { allowed = true } }
