-- engine.lua -- Proofline's rule engine.
--
-- This file is part of Proofline, not of a tenant's rules: it is loaded
-- first into each tenant's sandbox, and the table it returns holds the
-- functions the C core calls.  It reads the tenant's declarative tables
-- (stages, evidence, visit_types, effective_activity, thresholds,
-- note_patterns, ...) and calls the tenant's optional hook functions
-- (can_enter, is_effective, on_alert, on_contract).  It runs under the
-- same limits as the tenant's code and never keeps state between calls.

-- The builtins the hot paths use, as locals: no global lookups per call.
local type, next, pairs, ipairs, tostring, tonumber, error =
      type, next, pairs, ipairs, tostring, tonumber, error
local sort, concat = table.sort, table.concat

-- The sandbox passes one helper to this chunk: where(f) names the script
-- and line where the tenant's function f is defined ("stages:59").
local where = ...

local E = {}
local tests = {}

-- A tenant hook returned something the engine does not expect: a rule
-- error that names the hook's script and line, never a value shown to a
-- user as it is (a table would read "table: 0x55bc...").
local function bad_result(fn, name, what)
  error(where(fn) .. ": " .. name .. " " .. what, 0)
end

-- The (ok, message) of a decision hook: ok a boolean (or nil), message a
-- string (or nil).
local function decision(fn, name, ok, message)
  if ok ~= nil and type(ok) ~= "boolean" then
    bad_result(fn, name, "returned a " .. type(ok) .. " where true or " ..
               "false was expected")
  end
  if message ~= nil and type(message) ~= "string" then
    bad_result(fn, name, "returned a " .. type(message) .. " as its " ..
               "message: return a string, or nothing")
  end
  return ok and true or false, message
end

-- Rules declare self-tests with test{...} while they load.
function test(t)
  if type(t) ~= "table" or type(t.fn) ~= "string" then
    error("test{} needs a table with fn = \"...\"", 2)
  end
  tests[#tests + 1] = t
end

local function names(def, key)
  if type(def) ~= "table" then
    return key, key
  end
  return def.name or key, def.name_en or def.name or key
end

local function as_set(list)
  local set = {}
  for k, v in pairs(list or {}) do
    if type(k) == "number" then
      set[v] = true
    else
      set[k] = v
    end
  end
  return set
end

local function missing_item(key)
  if key == "qualified" and not (evidence and evidence[key]) then
    -- the pseudo-evidence of a stage marked qualified = true
    return { key = key, name = "准入资质审核通过且有效",
             name_en = "Qualifications approved and valid",
             qualification = true }
  end
  local n, ne = names(evidence and evidence[key], key)
  return { key = key, name = n, name_en = ne }
end

-- Compiled rules ------------------------------------------------------------
--
-- compile() runs once, after the tenant's scripts are loaded and before the
-- environment is frozen.  It returns the declarative part of the rules as a
-- plain table (the "plan") that the C core reads; the decisions on it
-- (stage order, transition policy, required evidence, required activity
-- fields) are made in C, by the two functions the core passes in.  What
-- stays here is the tenant's own logic: evidence checks on form data,
-- can_enter() and is_effective().

local C = { checks = {} }
local plan_gate, plan_missing_fields

function E.compile(gate_fn, fields_fn)
  plan_gate, plan_missing_fields = gate_fn, fields_fn
  local plan = { stages = {}, fields = {} }
  local reopen = {}
  local policy = transitions or {}
  for _, k in ipairs(policy.reopen_to or {}) do
    reopen[k] = true
  end
  for i, s in ipairs(stages or {}) do
    if type(s) ~= "table" then
      error("stages: stage " .. i .. " is not a table", 0)
    end
    local reqs = {}
    for j, key in ipairs(s.requires or {}) do
      reqs[j] = key
    end
    plan.stages[i] = { key = s.key, lost = s.lost and true or false,
                       reopen = reopen[s.key] or false,
                       qualified = s.qualified and true or false,
                       requires = reqs }
  end
  -- 锁定高频流失环节: evidence the stage under loss focus needs on top
  -- of its own (the C core names the stage in customer.loss_focus).
  local focus = loss_focus or {}
  plan.focus_requires = {}
  for i, key in ipairs(focus.requires or {}) do
    plan.focus_requires[i] = key
  end
  plan.allow_back = policy.allow_back and true or false
  plan.allow_skip = policy.allow_skip and true or false
  for key, def in pairs(evidence or {}) do
    if type(def) == "table" and def.check then
      C.checks[key] = def.check
    end
  end
  local def = effective_activity or {}
  for i, f in ipairs(def.requires or {}) do
    plan.fields[i] = f
  end
  C.can_enter = can_enter
  C.is_effective = is_effective
  plan.can_enter = can_enter ~= nil
  plan.is_effective = is_effective ~= nil
  return plan
end

-- The tenant's hooks, for C callers that decided the declarative part
-- themselves: ok, and a message when refused.
function E.can_enter(customer, from, to, have)
  return decision(C.can_enter, "can_enter",
                  C.can_enter(customer or {}, from, to, have or {}))
end

function E.is_effective(activity)
  return decision(C.is_effective, "is_effective", C.is_effective(activity))
end

-- May a customer move from stage `from` to stage `to`, given the evidence
-- it has (`have`: keys, or key -> data)?  Returns
--   { allowed = bool, code = "...", missing = { {key, name, name_en} },
--     message = "..." }
-- Evidence that carries form data counts only when its check (if any)
-- accepts the data.
function E.check_transition(customer, from, to, have)
  have = as_set(have)
  for key, item in pairs(have) do
    local check = C.checks[key]
    if check and type(item) == "table" then
      local ok = check(item)
      if ok ~= nil and type(ok) ~= "boolean" then
        bad_result(check, "evidence." .. tostring(key) .. ".check",
                   "returned a " .. type(ok) .. " where true or false " ..
                   "was expected")
      end
      if not ok then
        have[key] = nil
      end
    end
  end
  local focus = type(customer) == "table" and customer.loss_focus or nil
  if type(focus) ~= "string" then
    focus = nil
  end
  local r = { plan_gate(from, to, have, focus) }
  local code = r[1]
  local missing = {}
  for i = 2, #r do
    missing[i - 1] = missing_item(r[i])
  end
  local allowed = code == "ok" or code == "lost" or code == "back"
  if code == "ok" and C.can_enter then
    local ok, message = E.can_enter(customer, from, to, have)
    if not ok then
      return { allowed = false, code = "rule_refused", missing = {},
               message = message }
    end
  end
  return { allowed = allowed, code = code, missing = missing }
end

-- Is an activity (visit, call, message, meeting) effective?  Returns
--   { effective = bool, missing = { {key, name, name_en} }, reason = "..." }
function E.classify_activity(activity)
  activity = activity or {}
  local def = effective_activity or {}
  local r = { plan_missing_fields(activity) }
  if #r > 0 then
    local missing = {}
    for i, field in ipairs(r) do
      local n, ne = names(def.fields and def.fields[field], field)
      missing[i] = { key = field, name = n, name_en = ne }
    end
    return { effective = false, missing = missing }
  end
  if C.is_effective then
    local ok, reason = E.is_effective(activity)
    if not ok then
      return { effective = false, missing = {}, reason = reason }
    end
  end
  return { effective = true, missing = {} }
end

-- The photos a visit of this type must carry: { {key, name, name_en} }.
function E.required_photos(visit_type)
  local vt = visit_types and visit_types[visit_type]
  if not vt then
    return {}
  end
  local out = {}
  for _, key in ipairs(vt.photos or {}) do
    local n, ne = names(photos and photos[key], key)
    out[#out + 1] = { key = key, name = n, name_en = ne }
  end
  return out
end

function E.thresholds()
  return thresholds or {}
end

-- Everything the pages need to show the rules: stages with their evidence,
-- evidence kinds and fields, lost reasons, visit types and photos.
function E.describe()
  local out = { stages = {}, evidence = {}, lost_reasons = {},
                visit_types = {}, transitions = transitions or {} }
  for i, s in ipairs(stages or {}) do
    local n, ne = names(s, s.key)
    local reqs = {}
    for _, key in ipairs(s.requires or {}) do
      reqs[#reqs + 1] = missing_item(key)
    end
    out.stages[i] = { key = s.key, name = n, name_en = ne,
                      won = s.won and true or false,
                      lost = s.lost and true or false,
                      qualified = s.qualified and true or false,
                      requires = reqs }
  end
  local focus = loss_focus or {}
  local freqs = {}
  for _, key in ipairs(focus.requires or {}) do
    freqs[#freqs + 1] = missing_item(key)
  end
  out.loss_focus = { requires = freqs,
                     min_losses = tonumber(focus.min_losses) or 3,
                     window_days = tonumber(focus.window_days) or 30,
                     sample = tonumber(focus.sample) or 3 }
  for key, def in pairs(evidence or {}) do
    local n, ne = names(def, key)
    local fields = {}
    for i, f in ipairs(def.fields or {}) do
      local fnm, fne = names(f, f.key)
      fields[i] = { key = f.key, name = fnm, name_en = fne,
                    type = f.type or "text", required = f.required or false,
                    min = f.min, max = f.max, options = f.options }
    end
    out.evidence[key] = { name = n, name_en = ne, kind = def.kind or "form",
                          fields = fields, hint = def.hint,
                          hint_en = def.hint_en }
  end
  for i, r in ipairs(lost_reasons or {}) do
    local n, ne = names(r, r.key)
    out.lost_reasons[i] = { key = r.key, name = n, name_en = ne }
  end
  out.customer_kinds = {}
  local has_store = false
  for i, k in ipairs(customer_kinds or {}) do
    local n, ne = names(k, k.key)
    out.customer_kinds[i] = { key = k.key, name = n, name_en = ne }
    has_store = has_store or k.key == "store"
  end
  -- The store network's customers (门店) have this kind whatever the
  -- company's list says, so it is always described.
  if not has_store then
    out.customer_kinds[#out.customer_kinds + 1] =
      { key = "store", name = "门店", name_en = "Store" }
  end
  out.decision_roles = {}
  for i, k in ipairs(decision_roles or {}) do
    local n, ne = names(k, k.key)
    out.decision_roles[i] = { key = k.key, name = n, name_en = ne,
                              required = k.required and true or false }
  end
  local th = thresholds or {}
  local ch, dc = th.customer_health or {}, th.decision_chain or {}
  out.health = { fresh_days = tonumber(ch.fresh_days) or 7,
                 stale_days = tonumber(ch.stale_days) or 30,
                 chain_recent_days = tonumber(dc.recent_days) or 30 }
  -- the live metrics' thresholds (module/metrics), defaults as DESIGN §7
  local sh, co, fu = th.stage_health or {}, th.consistency or {},
                     th.funnel or {}
  local st = th.sell_through or {}
  out.metrics = {
    stage_health = { healthy = tonumber(sh.healthy) or 0.85,
                     warning = tonumber(sh.warning) or 0.70,
                     window_days = tonumber(sh.window_days) or 7 },
    consistency = { deviation = tonumber(co.deviation) or 0.15,
                    sample = tonumber(co.sample) or 0.10,
                    dormant_days = tonumber(co.dormant_days) or 90 },
    funnel = { loss = tonumber(fu.loss) or 0.5,
               rise = tonumber(fu.rise) or 0.15 },
    sell_through = { distribution = tonumber(st.distribution) or 0.85,
                     sku_ratio = tonumber(st.sku_ratio) or 0.05,
                     repurchase = tonumber(st.repurchase) or 0.22,
                     min_buyers = tonumber(st.min_buyers) or 20 } }
  for key, vt in pairs(visit_types or {}) do
    local n, ne = names(vt, key)
    out.visit_types[key] = { name = n, name_en = ne,
                             photos = E.required_photos(key),
                             -- far from the customer: "allow", "flag" or
                             -- "refuse" beyond far_m metres
                             far = vt.far or "flag",
                             far_m = tonumber(vt.far_m) or 500,
                             -- a photo's own time and place against the
                             -- check-in's (trust flags)
                             photo_minutes = tonumber(vt.photo_minutes) or 30,
                             photo_m = tonumber(vt.photo_m) or 500 }
  end
  -- 合同规则 (contracts.lua contract_rules): what the C core needs to
  -- decide and count (the decision itself is on_contract's)
  local cr = contract_rules or {}
  local remind = {}
  for j, h in ipairs(cr.remind_hours or { 72, 50 }) do
    remind[j] = tonumber(h)
  end
  out.contract_rules = {
    ship_doc_hours = tonumber(cr.ship_doc_hours) or 48,
    late_window_days = tonumber(cr.late_window_days) or 90,
    remind_hours = remind,
    require_qualified = cr.require_qualified ~= false }
  -- the pseudo-evidence of stages marked qualified = true (the C core
  -- lists it with their requirements: rules/ruledesc.h)
  out.qualified_item = missing_item("qualified")
  -- 客户准入 (contracts.lua qualifications): the document types each
  -- customer kind needs, each type's definition, reminder lead days
  local q = qualifications or {}
  out.qualifications = { kinds = {}, documents = {}, remind_days = {} }
  for kind, list in pairs(q.kinds or {}) do
    local items = {}
    for j, key in ipairs(list) do
      local def = (q.documents or {})[key] or {}
      local dn, dne = names(def, key)
      items[j] = { key = key, name = dn, name_en = dne }
    end
    out.qualifications.kinds[kind] = items
  end
  for key, def in pairs(q.documents or {}) do
    local dn, dne = names(def, key)
    out.qualifications.documents[key] = {
      name = dn, name_en = dne, number = def.number or "text",
      holder = def.holder or "customer", expires = def.expires and true or false,
      verifier = def.verifier }
  end
  for j, d in ipairs(q.remind_days or { 30, 7, 1 }) do
    out.qualifications.remind_days[j] = tonumber(d)
  end
  out.photos = {}
  for key, def in pairs(photos or {}) do
    local n, ne = names(def, key)
    out.photos[key] = { name = n, name_en = ne }
  end
  return out
end

-- A customer's health radar: five scores in [0, 1] from the facts the C
-- core passes (penetration, days since the last activity, the next
-- stage's evidence done and required, days in the stage, activities in
-- the last 30 days).  A company may define health_radar(f) in its rules;
-- without one these defaults apply.
local function clamp01(x)
  x = tonumber(x) or 0
  if x ~= x then return 0 end
  return x < 0 and 0 or (x > 1 and 1 or x)
end

function E.health_radar(f)
  f = f or {}
  local out
  if health_radar then
    out = health_radar(f)
    if type(out) ~= "table" then
      bad_result(health_radar, "health_radar", "returned a " .. type(out) ..
                 " where a table of scores was expected")
    end
  else
    local r = (thresholds or {}).radar or {}
    local stale = tonumber(r.stale_days) or 30
    local slow = tonumber(r.stage_days) or 60
    local busy = tonumber(r.engaged) or 4
    local need = tonumber(f.evidence_required) or 0
    out = {
      coverage = f.penetration_applicable == false and 1 or f.penetration,
      recency = f.days_since_activity == nil and 0 or
                1 - f.days_since_activity / stale,
      evidence = need > 0 and (tonumber(f.evidence_done) or 0) / need or 1,
      velocity = 1 - (tonumber(f.days_in_stage) or 0) / slow,
      engagement = (tonumber(f.activities_30d) or 0) / busy,
    }
  end
  return { coverage = clamp01(out.coverage), recency = clamp01(out.recency),
           evidence = clamp01(out.evidence), velocity = clamp01(out.velocity),
           engagement = clamp01(out.engagement) }
end

-- A metric crossed its threshold: what happens?  Returns a list of actions
--   { type = "task", assignee = "owner"|"manager"|<role>, title = "..." }
--   { type = "notify", role = "<role>" | user = <id>, message = "..." }
--   { type = "webhook", url = "https://...", body = {...} }
local action_types = { task = true, notify = true, webhook = true }

function E.on_alert(alert)
  if not on_alert then
    return {}
  end
  local actions = on_alert(alert or {}) or {}
  if type(actions) ~= "table" then
    bad_result(on_alert, "on_alert", "returned a " .. type(actions) ..
               " where a list of actions was expected")
  end
  for i, a in ipairs(actions) do
    if type(a) ~= "table" or not action_types[a.type] then
      error("on_alert: action " .. i .. " needs type task, notify or " ..
            "webhook", 0)
    end
  end
  return actions
end

-- A contract is drafted or changed: what does it need?  Returns
--   { approval = "<kind>" | nil, prepay = 0.3, message = "...",
--     ship_doc_hours = 48 }
-- A qualification document's problems (contracts.lua
-- check_qualification): a list of { field, message }.
function E.check_qualification(doc, customer)
  if not check_qualification then
    return {}
  end
  local got = check_qualification(doc or {}, customer or {})
  if type(got) ~= "table" then
    bad_result(check_qualification, "check_qualification",
               "returned a " .. type(got) .. " where a list was expected")
  end
  local out = {}
  for i, p in ipairs(got) do
    out[i] = { field = type(p) == "table" and tostring(p.field or "number")
                       or "number",
               message = type(p) == "table" and tostring(p.message or "")
                         or tostring(p) }
  end
  return out
end

-- What a QR code on a qualification document says, as fields
-- (contracts.lua parse_qr): number, holder, issued_on, expires_on.
function E.parse_qr(doc_type, text)
  if not parse_qr then
    return {}
  end
  local got = parse_qr(doc_type, text)
  local out = {}
  if type(got) == "table" then
    for _, k in ipairs({ "number", "holder", "issued_on", "expires_on" }) do
      if type(got[k]) == "string" and got[k] ~= "" then
        out[k] = got[k]
      end
    end
  end
  return out
end

function E.on_contract(contract, customer)
  local out = {}
  if contract_rules and contract_rules.ship_doc_hours then
    out.ship_doc_hours = contract_rules.ship_doc_hours
  end
  if on_contract then
    local d = on_contract(contract or {}, customer or {}) or {}
    if type(d) ~= "table" then
      bad_result(on_contract, "on_contract", "returned a " .. type(d) ..
                 " where a table was expected")
    end
    if d.message ~= nil and type(d.message) ~= "string" then
      bad_result(on_contract, "on_contract", "returned a " ..
                 type(d.message) .. " as its message: return a string")
    end
    for k, v in pairs(d) do
      out[k] = v
    end
  end
  return out
end

-- Reminders (schedules.lua) ----------------------------------------------
--
-- schedules = { { key, name, name_en, every = "weekdays 16:00" | "1h",
--                 or after = { event = "contract.signed", hours = 24 },
--                 facts = "<what the core passes in>",
--                 make = function(item, at) return action or nil end } }
-- The core reads the list (E.schedules) to schedule the jobs; when one
-- runs it passes the facts it names (a list of items) and makes what
-- make() returns for each: an action like on_alert's
--   { type = "task", assignee = <user id> | role = "<role>", title, body,
--     due_hours = n | due = "HH:MM" (that day), kind, priority }
--   { type = "notify", user = <user id>, title, body }
local schedule_fields = { key = "string", name = "string", every = "string",
                          facts = "string" }

local function schedule_named(key)
  for _, s in ipairs(schedules or {}) do
    if s.key == key then
      return s
    end
  end
  return nil
end

function E.schedules()
  local out = {}
  if schedules ~= nil and type(schedules) ~= "table" then
    error("schedules must be a list of tables", 0)
  end
  for i, s in ipairs(schedules or {}) do
    if type(s) ~= "table" or type(s.key) ~= "string" or
       not s.key:match("^[a-z][a-z0-9_]*$") then
      error("schedules[" .. i .. "]: key must be lower-case letters, " ..
            "digits and _", 0)
    end
    for f, ty in pairs(schedule_fields) do
      if s[f] ~= nil and type(s[f]) ~= ty then
        error("schedules " .. s.key .. ": " .. f .. " must be a " .. ty, 0)
      end
    end
    if (s.every == nil) == (s.after == nil) then
      error("schedules " .. s.key .. ": give every = \"...\" or " ..
            "after = { event = ..., hours = ... }", 0)
    end
    if s.after ~= nil and (type(s.after) ~= "table" or
        type(s.after.event) ~= "string" or
        (s.after.hours ~= nil and type(s.after.hours) ~= "number")) then
      error("schedules " .. s.key .. ": after needs event = \"...\" and " ..
            "hours = n", 0)
    end
    if type(s.make) ~= "function" then
      error("schedules " .. s.key .. ": make = function(item, at) ... end " ..
            "is missing", 0)
    end
    local n, ne = names(s, s.key)
    out[i] = { key = s.key, name = n, name_en = ne, every = s.every,
               facts = s.facts or (s.after and "object") or "people",
               after = s.after and { event = s.after.event,
                                     hours = s.after.hours or 0 } or nil }
  end
  return out
end

function E.schedule_run(key, items, at)
  local s = schedule_named(key)
  if not s then
    return {}
  end
  local out = {}
  for _, item in ipairs(items or {}) do
    local a = s.make(item, at)
    if a ~= nil then
      if type(a) ~= "table" or (a.type ~= "task" and a.type ~= "notify") then
        bad_result(s.make, "schedules " .. key .. " make", "returned a " ..
                   type(a) .. " where an action {type = \"task\" or " ..
                   "\"notify\", ...} was expected")
      end
      if type(a.title) ~= "string" or a.title == "" then
        bad_result(s.make, "schedules " .. key .. " make",
                   "returned an action without a title")
      end
      a.item = item.id
      out[#out + 1] = a
    end
  end
  return out
end

-- Pull structured fields out of a quick note: { field = value }.
-- input: the note's text, or { text =, today = "YYYY-MM-DD", weekday =
-- 1..7 } (the company's local day when the note was taken).  The tenant's
-- read_note(note) reads it first (notes.lua); note_patterns then add or
-- replace fields.  Values are strings or numbers; anything else is a rule
-- error naming read_note.
local function note_value(fn, k, v)
  if type(k) ~= "string" or (type(v) ~= "string" and type(v) ~= "number"
                             and type(v) ~= "table") then
    bad_result(fn, "read_note", "returned a " .. type(v) .. " for " ..
               tostring(k) .. ": return strings or numbers")
  end
  return v
end

function E.extract_notes(input)
  local out = {}
  local note = input
  if type(input) == "string" then
    note = { text = input }
  end
  if type(note) ~= "table" or type(note.text) ~= "string" then
    return out
  end
  local text = note.text
  if read_note then
    local got = read_note({ text = text, today = note.today,
                            weekday = note.weekday })
    if got ~= nil and type(got) ~= "table" then
      bad_result(read_note, "read_note", "returned a " .. type(got) ..
                 " where a table of fields was expected")
    end
    for k, v in pairs(got or {}) do
      out[k] = note_value(read_note, k, v)
    end
  end
  for _, p in ipairs(note_patterns or {}) do
    local a, b = string.match(text, p.pattern)
    if a ~= nil then
      if p.type == "number" then
        out[p.field] = tonumber(a)
      elseif b ~= nil then
        out[p.field] = { a, b }
      else
        out[p.field] = a
      end
    end
  end
  return out
end

-- Self-tests ---------------------------------------------------------------

function E.test_count()
  return #tests
end

local function same(got, want)
  if type(want) ~= "table" then
    return got == want
  end
  if type(got) ~= "table" then
    return false
  end
  for k, v in pairs(want) do
    if not same(got[k], v) then
      return false
    end
  end
  return true
end

local function keys_of(list)
  local out = {}
  for _, m in ipairs(list or {}) do
    out[#out + 1] = m.key
  end
  sort(out)
  return out
end

local function describe_value(v)
  if type(v) ~= "table" then
    return tostring(v)
  end
  local parts = {}
  for k, x in pairs(v) do
    parts[#parts + 1] = tostring(k) .. "=" .. describe_value(x)
  end
  sort(parts)
  return "{" .. concat(parts, ", ") .. "}"
end

-- Run test i: { name, ok, message }.
function E.run_test(i)
  local t = tests[i]
  local fn = E[t.fn]
  if not fn or t.fn == "run_test" or t.fn == "test_count" then
    return { name = t.name or t.fn, ok = false,
             message = "unknown function " .. t.fn }
  end
  local input = t.input or {}
  local got
  if t.fn == "check_transition" then
    got = fn(input.customer, input.from, input.to, input.have)
  elseif t.fn == "on_contract" then
    got = fn(input.contract, input.customer)
  elseif t.fn == "check_qualification" then
    got = fn(input.doc, input.customer)
  elseif t.fn == "parse_qr" then
    got = fn(input.type, input.text)
  elseif t.fn == "extract_notes" then
    got = fn(input)
  elseif t.fn == "required_photos" then
    got = fn(input.visit_type)
  elseif t.fn == "schedule_run" then
    got = fn(input.key, input.items, input.at)
  else
    got = fn(input)
  end
  -- A test may check behaviour with a function of the result instead of
  -- (or besides) expected values: check(got) returns true, or false and
  -- what it found wrong.  Default tests do that for the numbers a company
  -- is meant to tune (thresholds), so changing them keeps them green.
  if type(t.check) == "function" then
    local fine, why = t.check(got)
    if not fine then
      return { name = t.name or t.fn, ok = false,
               message = tostring(why or ""), got = describe_value(got) }
    end
    if t.expect == nil then
      return { name = t.name or t.fn, ok = true, message = "" }
    end
  end
  local want = t.expect or {}
  local ok = true
  local check = {}
  for k, v in pairs(want) do
    if k == "missing" then
      local w = {}
      for _, key in ipairs(v) do
        w[#w + 1] = key
      end
      sort(w)
      local g = keys_of(got.missing)
      ok = ok and #w == #g and concat(w, ",") == concat(g, ",")
      check[k] = concat(g, ",")
    elseif k == "photos" then
      local g = keys_of(got)
      local w = {}
      for _, key in ipairs(v) do
        w[#w + 1] = key
      end
      sort(w)
      ok = ok and concat(w, ",") == concat(g, ",")
      check[k] = concat(g, ",")
    else
      ok = ok and same(got[k], v)
      check[k] = got[k]
    end
  end
  return { name = t.name or t.fn, ok = ok,
           message = ok and "" or ("expected " .. describe_value(want) ..
                                   ", got " .. describe_value(check)),
           expected = not ok and describe_value(want) or nil,
           got = not ok and describe_value(check) or nil }
end

return E
