-- contracts.lua -- 合同规则 / Contract rules.
--
-- on_contract(contract, customer) decides on the terms a rep chose:
--   contract: amount, payment_term_days, prepay_pct, delivery_days,
--             warranty_months, penalty_pct, template
--   customer: id, name, kind, and the credit facts the core computes over
--             the last contract_rules.late_window_days: late_payments,
--             max_days_late, payments, open_balance, overdue_balance
-- and returns what the contract needs:
--   { approval = "<kind>", prepay = 0.3, message = "..." }
-- (approval: finance must approve; prepay: the least prepayment, a
-- fraction; a chosen prepayment below it is refused on the form.)
-- contract_rules:
--   ship_doc_hours     the logistics entrustment form (物流委托单) must be
--                      uploaded this many hours before a shipment's
--                      planned time, or its outbound is frozen
--   remind_hours       reminders to upload it, hours before the planned
--                      time
--   late_window_days   the window of the credit facts
--   require_qualified  signing needs the customer's qualification
--                      documents approved and valid (客户准入)

contract_rules = { ship_doc_hours = 48, remind_hours = { 72, 50 },
                   late_window_days = 90, require_qualified = true }

function on_contract(contract, customer)
  local late = customer.late_payments or 0
  if (contract.payment_term_days or 0) >= 60 and late > 2 then
    return { approval = "prepay", prepay = 0.3,
             message = "账期 60 天及以上且近 3 个月付款延迟超过 2 次：" ..
                       "需预付 30% 并经财务审批" }
  end
  return {}
end

test{ name = "账期60天且延迟3次需预付30%", fn = "on_contract",
      input = { contract = { payment_term_days = 60 },
                customer = { late_payments = 3 } },
      expect = { approval = "prepay", prepay = 0.3, ship_doc_hours = 48 } }
test{ name = "信用良好无需审批", fn = "on_contract",
      input = { contract = { payment_term_days = 60 },
                customer = { late_payments = 2 } },
      expect = { ship_doc_hours = 48 } }
test{ name = "账期59天不需审批", fn = "on_contract",
      input = { contract = { payment_term_days = 59 },
                customer = { late_payments = 5 } },
      expect = { ship_doc_hours = 48 } }

-- 客户准入 / Admission: the qualification documents each customer kind
-- needs.  A stage marked `qualified = true` in stages.lua (default: quote)
-- can only be entered once every document the customer's kind needs is
-- approved by legal and not expired.
--   kinds:      customer kind -> document types (kinds not listed: none)
--   documents:  number = "uscc" (18-character unified social credit code)
--               | "id_card" (18-digit ID number) | "text";
--               holder = "customer" (must match the customer's name) |
--               "person"; expires = true (an expiry date is required) |
--               false (may be long-term, 长期);
--               verifier = "https://..." (optional: a registry that answers
--               {"valid": true|false, "message": "..."} to a POST of
--               {"type", "number", "holder"}; called through the same
--               guarded client as webhooks)
--   remind_days: reminders before expiry, to the owner and legal
qualifications = {
  kinds = {
    dealer = { "business_licence", "device_licence", "legal_rep_id" },
  },
  documents = {
    business_licence = {
      name = "营业执照", name_en = "Business licence",
      number = "uscc", holder = "customer", expires = false,
    },
    device_licence = {
      name = "医疗器械经营许可证",
      name_en = "Medical device operating licence",
      number = "text", holder = "customer", expires = true,
    },
    legal_rep_id = {
      name = "法人身份证", name_en = "Legal representative's ID card",
      number = "id_card", holder = "person", expires = true,
    },
  },
  remind_days = { 30, 7, 1 },
}

-- 统一社会信用代码 (GB 32100-2015): 18 characters of 0-9 and A-Y without
-- I, O, S, V, Z; characters 3-8 are the region code; the last is a check
-- character (weights 3^i mod 31).
local USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
local USCC_W = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30,
                 28 }

function uscc_valid(s)
  if type(s) ~= "string" or #s ~= 18 or not s:sub(3, 8):match("^%d+$") then
    return false
  end
  local sum = 0
  for i = 1, 17 do
    local p = USCC:find(s:sub(i, i), 1, true)
    if not p then
      return false
    end
    sum = sum + (p - 1) * USCC_W[i]
  end
  local c = (31 - sum % 31) % 31
  return s:sub(18, 18) == USCC:sub(c + 1, c + 1)
end

-- 居民身份证号码 (GB 11643-1999): 17 digits (the 7th-14th a birth date)
-- and a check character (ISO 7064 MOD 11-2: 0-9 or X).
local ID_W = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local ID_C = "10X98765432"

function id_card_valid(s)
  if type(s) ~= "string" or not s:match("^" .. ("%d"):rep(17) .. "[%dX]$") then
    return false
  end
  local sum = 0
  for i = 1, 17 do
    sum = sum + tonumber(s:sub(i, i)) * ID_W[i]
  end
  local m = sum % 11 + 1
  local y, mo, d = tonumber(s:sub(7, 10)), tonumber(s:sub(11, 12)),
                   tonumber(s:sub(13, 14))
  return s:sub(18, 18) == ID_C:sub(m, m) and y >= 1900 and mo >= 1 and
         mo <= 12 and d >= 1 and d <= 31
end

-- Names compared without spaces, with full-width brackets as ASCII ones.
local function same_name(a, b)
  local function norm(s)
    return (tostring(s or ""):gsub("（", "("):gsub("）", ")"):gsub("%s", ""))
  end
  return norm(a) ~= "" and norm(a) == norm(b)
end

-- check_qualification(doc, customer) -> a list of problems, each
-- { field = "number" | "holder" | "issued_on" | "expires_on",
--   message = "..." }; empty when the document is fine.  doc: type,
-- number (upper case, no spaces), holder, issued_on and expires_on
-- ("YYYY-MM-DD" or nil for long-term), today.  customer: name, kind.
function check_qualification(doc, customer)
  local def = qualifications.documents[doc.type] or {}
  local problems = {}
  local function bad(field, message)
    problems[#problems + 1] = { field = field, message = message }
  end
  if def.number == "uscc" and not uscc_valid(doc.number) then
    bad("number", "统一社会信用代码格式或校验位不正确 / " ..
                  "not a valid unified social credit code")
  elseif def.number == "id_card" and not id_card_valid(doc.number) then
    bad("number", "身份证号码格式或校验位不正确 / not a valid ID number")
  end
  if def.holder == "customer" and not same_name(doc.holder, customer.name) then
    bad("holder", "持有人须与客户名称一致 / the holder must be the customer")
  end
  if doc.issued_on and doc.issued_on > doc.today then
    bad("issued_on", "签发日期不能晚于今天 / issued in the future")
  end
  if def.expires and not doc.expires_on then
    bad("expires_on", "请填写有效期至 / enter the expiry date")
  end
  if doc.expires_on and doc.issued_on and doc.expires_on <= doc.issued_on then
    bad("expires_on", "有效期须晚于签发日期 / expires before it was issued")
  end
  if doc.expires_on and doc.expires_on < doc.today then
    bad("expires_on", "证件已过期，请上传有效证件 / expired: upload the " ..
                      "current one")
  end
  return problems
end

-- parse_qr(type, text) -> the fields a QR code on the document gives
-- (number, holder, issued_on, expires_on), for the rep to confirm.
-- Default: an 18-character credit code anywhere in the text, and the
-- query parameters of a registry link (uniscid / regno, name / entname,
-- valid_from, valid_to).
local function unescape(s)
  return (s:gsub("+", " "):gsub("%%(%x%x)", function(h)
    return string.char(tonumber(h, 16))
  end))
end

function parse_qr(doc_type, text)
  local out = {}
  if type(text) ~= "string" then
    return out
  end
  local params = {}
  for k, v in text:gmatch("[?&]([%w_]+)=([^&#]*)") do
    params[k:lower()] = unescape(v)
  end
  local code = params.uniscid or params.regno or params.code
  if not code then
    for c in text:gmatch("%f[%w]([0-9A-Z][0-9A-Z]%d%d%d%d%d%d[0-9A-Z]+)%f[%W]") do
      if #c == 18 and uscc_valid(c) then
        code = c
        break
      end
    end
  end
  out.number = code
  out.holder = params.name or params.entname
  out.issued_on = params.valid_from
  out.expires_on = params.valid_to
  return out
end

local valid_doc = { type = "business_licence", number = "91350100M000100Y43",
                    holder = "示例医疗器械有限公司", issued_on = "2020-01-01",
                    today = "2026-12-06" }
test{ name = "营业执照：信用代码与名称正确即通过", fn = "check_qualification",
      input = { doc = valid_doc, customer = { name = "示例医疗器械有限公司" } },
      check = function(got)
        return #got == 0, "不应有问题"
      end }
test{ name = "营业执照：校验位错误被拒绝", fn = "check_qualification",
      input = { doc = { type = "business_licence",
                        number = "91350100M000100Y44",
                        holder = "示例医疗器械有限公司",
                        today = "2026-12-06" },
                customer = { name = "示例医疗器械有限公司" } },
      check = function(got)
        return #got == 1 and got[1].field == "number", "应指出号码错误"
      end }
test{ name = "身份证：校验位", fn = "check_qualification",
      input = { doc = { type = "legal_rep_id", number = "11010519491231002X",
                        holder = "张三", expires_on = "2036-01-01",
                        today = "2026-12-06" },
                customer = { name = "示例医疗器械有限公司" } },
      check = function(got)
        return #got == 0, "11010519491231002X 是有效号码"
      end }
test{ name = "二维码：从登记链接取信用代码和名称", fn = "parse_qr",
      input = { type = "business_licence",
                text = "https://www.gsxt.gov.cn/verify?uniscid=" ..
                       "91350100M000100Y43&name=%E7%A4%BA%E4%BE%8B" },
      expect = { number = "91350100M000100Y43", holder = "示例" } }
