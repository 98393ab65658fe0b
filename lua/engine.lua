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
local unpack, sort, concat = table.unpack, table.sort, table.concat

local E = {}
local tests = {}

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

local function stage_at(key)
  for i, s in ipairs(stages or {}) do
    if s.key == key then
      return i, s
    end
  end
  return nil, nil
end

local function contains(list, value)
  for _, v in ipairs(list or {}) do
    if v == value then
      return true
    end
  end
  return false
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
  local n, ne = names(evidence and evidence[key], key)
  return { key = key, name = n, name_en = ne }
end

-- Compiled rules ------------------------------------------------------------
--
-- compile() runs once, after the tenant's scripts are loaded and before the
-- environment is frozen.  It copies what the hot paths need into tables
-- private to the engine (plain tables, no read-only proxies in the way).
-- Nothing here is ever written again, and none of it is handed to tenant
-- code (hooks get fresh tables), so no call can change what the next sees.

local C = { stage_index = {}, stages = {}, eff_requires = {} }

-- Scratch list for the keys a call found missing: filled from index 1 and
-- read back only up to the count of that call, so nothing of one call can
-- show in the next; it never reaches tenant code.
local scratch = {}

function E.compile()
  for i, s in ipairs(stages or {}) do
    local reqs = {}
    for j, key in ipairs(s.requires or {}) do
      reqs[j] = key
    end
    C.stages[i] = { key = s.key, lost = s.lost and true or false, req = reqs }
    C.stage_index[s.key] = i
  end
  local policy = transitions or {}
  C.allow_back = policy.allow_back and true or false
  C.allow_skip = policy.allow_skip and true or false
  C.reopen = {}
  for _, k in ipairs(policy.reopen_to or {}) do
    C.reopen[k] = true
  end
  C.checks = {}
  for key, def in pairs(evidence or {}) do
    if type(def) == "table" and def.check then
      C.checks[key] = def.check
    end
  end
  local def = effective_activity or {}
  for i, f in ipairs(def.requires or {}) do
    C.eff_requires[i] = f
  end
  C.can_enter = can_enter
  C.is_effective = is_effective
  return true
end

-- The transition gate for C callers: returns allowed, code, and the keys
-- of the missing evidence as further results.  `have` maps evidence keys
-- to true or to the evidence's data.
local function gate_missing(first, last, have, out)
  local n = 0
  for i = first, last do
    local s = C.stages[i]
    if not s.lost then
      local req = s.req
      for j = 1, #req do
        local key = req[j]
        local item = have[key]
        local ok = item ~= nil and item ~= false
        if ok and type(item) == "table" then
          local check = C.checks[key]
          if check then
            ok = check(item) and true or false
          end
        end
        if not ok then
          n = n + 1
          out[n] = key
        end
      end
    end
  end
  return n
end

function E.gate(from, to, have, customer)
  local fi = C.stage_index[from]
  local ti = C.stage_index[to]
  if not ti then
    return false, "unknown_stage"
  end
  if from == to then
    return false, "same_stage"
  end
  local fs, ts = fi and C.stages[fi], C.stages[ti]
  if ts.lost then
    if fs and fs.lost then
      return false, "already_lost"
    end
    return true, "lost"
  end
  local first = 1
  if fs and fs.lost then
    if not C.reopen[to] then
      return false, "reopen_not_allowed"
    end
  elseif fs and ti < fi then
    if not C.allow_back then
      return false, "back_not_allowed"
    end
    return true, "back"
  elseif fs and ti > fi + 1 and not C.allow_skip then
    return false, "skip_not_allowed"
  elseif fs then
    first = fi + 1
  end
  local n = gate_missing(first, ti, have, scratch)
  if n > 0 then
    return false, "evidence_missing", unpack(scratch, 1, n)
  end
  if C.can_enter then
    local ok, message = C.can_enter(customer or {}, from, to, have)
    if not ok then
      return false, "rule_refused", message and tostring(message) or nil
    end
  end
  return true, "ok"
end

-- The activity classifier for C callers: returns effective and the keys
-- of the missing fields.
function E.effective(activity)
  local req = C.eff_requires
  local n = 0
  for i = 1, #req do
    local v = activity[req[i]]
    if v == nil or v == false or v == "" or
       (type(v) == "table" and next(v) == nil) then
      n = n + 1
      scratch[n] = req[i]
    end
  end
  if n > 0 then
    return false, unpack(scratch, 1, n)
  end
  if C.is_effective then
    local ok, reason = C.is_effective(activity)
    if not ok then
      return false, reason and tostring(reason) or nil
    end
  end
  return true
end

-- May a customer move from stage `from` to stage `to`, given the evidence
-- it has (`have`: keys, or key -> data)?  Returns
--   { allowed = bool, code = "...", missing = { {key, name, name_en} },
--     message = "..." }
function E.check_transition(customer, from, to, have)
  have = as_set(have)
  local policy = transitions or {}
  local fi, fs = stage_at(from)
  local ti, ts = stage_at(to)
  if not ts then
    return { allowed = false, code = "unknown_stage", missing = {} }
  end
  if from == to then
    return { allowed = false, code = "same_stage", missing = {} }
  end
  if ts.lost then
    if fs and fs.lost then
      return { allowed = false, code = "already_lost", missing = {} }
    end
    return { allowed = true, code = "lost", missing = {} }
  end
  local first = 1
  if fs and fs.lost then
    if not contains(policy.reopen_to, to) then
      return { allowed = false, code = "reopen_not_allowed", missing = {} }
    end
  elseif fs and ti < fi then
    if not policy.allow_back then
      return { allowed = false, code = "back_not_allowed", missing = {} }
    end
    return { allowed = true, code = "back", missing = {} }
  elseif fs and ti > fi + 1 and not policy.allow_skip then
    return { allowed = false, code = "skip_not_allowed", missing = {} }
  elseif fs then
    first = fi + 1
  end
  -- Entering a stage needs its evidence; skipping (when allowed) needs the
  -- evidence of every stage passed.
  local missing = {}
  for i = first, ti do
    local s = stages[i]
    if not s.lost then
      for _, key in ipairs(s.requires or {}) do
        local item = have[key]
        local def = evidence and evidence[key]
        local ok = item ~= nil and item ~= false
        if ok and def and def.check and type(item) == "table" then
          ok = def.check(item) and true or false
        end
        if not ok then
          missing[#missing + 1] = missing_item(key)
        end
      end
    end
  end
  if #missing > 0 then
    return { allowed = false, code = "evidence_missing", missing = missing }
  end
  if can_enter then
    local ok, message = can_enter(customer or {}, from, to, have)
    if not ok then
      return { allowed = false, code = "rule_refused", missing = {},
               message = message and tostring(message) or nil }
    end
  end
  return { allowed = true, code = "ok", missing = {} }
end

local function blank(v)
  return v == nil or v == false or v == "" or
         (type(v) == "table" and next(v) == nil)
end

-- Is an activity (visit, call, message, meeting) effective?  Returns
--   { effective = bool, missing = { {key, name, name_en} }, reason = "..." }
function E.classify_activity(activity)
  activity = activity or {}
  local def = effective_activity or {}
  local missing = {}
  for _, field in ipairs(def.requires or {}) do
    if blank(activity[field]) then
      local n, ne = names(def.fields and def.fields[field], field)
      missing[#missing + 1] = { key = field, name = n, name_en = ne }
    end
  end
  if #missing > 0 then
    return { effective = false, missing = missing }
  end
  if is_effective then
    local ok, reason = is_effective(activity)
    if not ok then
      return { effective = false, missing = {},
               reason = reason and tostring(reason) or nil }
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
                      lost = s.lost and true or false, requires = reqs }
  end
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
  for key, vt in pairs(visit_types or {}) do
    local n, ne = names(vt, key)
    out.visit_types[key] = { name = n, name_en = ne,
                             photos = E.required_photos(key) }
  end
  return out
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
function E.on_contract(contract, customer)
  local out = {}
  if contract_rules and contract_rules.ship_doc_hours then
    out.ship_doc_hours = contract_rules.ship_doc_hours
  end
  if on_contract then
    local d = on_contract(contract or {}, customer or {}) or {}
    for k, v in pairs(d) do
      out[k] = v
    end
  end
  return out
end

-- Pull structured fields out of a quick note: { field = value }.
function E.extract_notes(text)
  local out = {}
  if type(text) ~= "string" then
    return out
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
  elseif t.fn == "extract_notes" then
    got = fn(input.text)
  elseif t.fn == "required_photos" then
    got = fn(input.visit_type)
  else
    got = fn(input)
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
                                   ", got " .. describe_value(check)) }
end

return E
