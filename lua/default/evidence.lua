-- evidence.lua -- 证据类型 / Evidence kinds.
--
-- kind: "photo" (a picture taken on site), "document" (an uploaded file),
-- "audio" (a recording), "form" (fields to fill in), "call" (a logged
-- phone call).  Fields of a
-- form: key, name, name_en, type ("text", "number", "date", "choice",
-- "list"), required, min/max (numbers; for "list": how many items),
-- options (for "choice").

evidence = {
  need_confirmed = {
    name = "需求确认记录", name_en = "Need confirmed", kind = "form",
    fields = {
      { key = "need", name = "客户需求", name_en = "Customer need",
        type = "text", required = true },
      { key = "who", name = "确认人", name_en = "Confirmed by",
        type = "text", required = true },
    },
  },
  trial_kit_receipt = {
    name = "试用装签收单", name_en = "Trial kit receipt signed",
    kind = "photo",
    hint = "拍摄客户签字的试用装签收单",
    hint_en = "Photograph the trial kit receipt signed by the customer",
  },
  head_phone_confirmation = {
    name = "科室主任电话确认使用意向",
    name_en = "Department head confirmed by phone", kind = "call",
    fields = {
      { key = "contact", name = "科室主任", name_en = "Department head",
        type = "text", required = true },
      { key = "outcome", name = "确认内容", name_en = "What was confirmed",
        type = "text", required = true },
    },
  },
  installation_form = {
    name = "设备安装需求表", name_en = "Installation requirement form",
    kind = "form",
    fields = {
      { key = "location", name = "安装位置", name_en = "Location",
        type = "text", required = true },
      { key = "power", name = "电源要求", name_en = "Power supply",
        type = "choice", options = { "220V", "380V" }, required = true },
      { key = "date", name = "期望安装日期", name_en = "Wanted date",
        type = "date", required = true },
    },
  },
  quote_sheet = {
    name = "报价单（附 3 家同类客户案例）",
    name_en = "Quote sheet with 3 comparable customer cases",
    kind = "form",
    fields = {
      { key = "amount", name = "报价金额（元）", name_en = "Quoted amount",
        type = "number", required = true, min = 1 },
      { key = "cases", name = "同类客户案例", name_en = "Comparable cases",
        type = "list", required = true, min = 3, max = 10 },
    },
    -- The quote only counts with at least three cases.
    check = function(item) return item.cases ~= nil and #item.cases >= 3 end,
  },
  -- The loss focus stage's extra evidence (stages.lua loss_focus).
  price_comparison = {
    name = "竞品价格对比截图", name_en = "Price comparison screenshot",
    kind = "document",
    hint = "上传与竞品报价的对比截图（图片或 PDF）",
    hint_en = "Upload a screenshot comparing our price with the competitor's",
  },
  customer_words = {
    name = "客户原话录音", name_en = "The customer's own words (recording)",
    kind = "audio",
    hint = "录下客户对价格与方案的原话",
    hint_en = "Record what the customer said about the price and the offer",
  },
  signed_contract = {
    name = "合同签字页", name_en = "Signed contract", kind = "document",
  },
}

test{ name = "报价单少于 3 个案例不算数", fn = "check_transition",
      input = { from = "advancing", to = "quote",
                have = { qualified = true,
                         quote_sheet = { amount = 100, cases = { "a", "b" } } } },
      expect = { allowed = false, missing = { "quote_sheet" } } }
test{ name = "报价单 3 个案例", fn = "check_transition",
      input = { from = "advancing", to = "quote",
                have = { qualified = true,
                         quote_sheet = { amount = 100,
                                         cases = { "a", "b", "c" } } } },
      expect = { allowed = true } }
