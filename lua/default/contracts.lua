-- contracts.lua -- 合同规则 / Contract rules.
--
-- on_contract(contract, customer) returns what the contract needs:
--   { approval = "<kind>", prepay = 0.3, message = "..." }
-- contract_rules.ship_doc_hours: the logistics document must be uploaded
-- this many hours before shipping, or outbound is frozen.

contract_rules = { ship_doc_hours = 48 }

function on_contract(contract, customer)
  local late = customer.late_payments_3m or 0
  if (contract.payment_term_days or 0) >= 60 and late > 2 then
    return { approval = "prepay", prepay = 0.3,
             message = "账期 60 天且近 3 个月付款延迟超过 2 次：需预付 30%" }
  end
  return {}
end

test{ name = "账期60天且延迟3次需预付30%", fn = "on_contract",
      input = { contract = { payment_term_days = 60 },
                customer = { late_payments_3m = 3 } },
      expect = { approval = "prepay", prepay = 0.3, ship_doc_hours = 48 } }
test{ name = "信用良好无需审批", fn = "on_contract",
      input = { contract = { payment_term_days = 60 },
                customer = { late_payments_3m = 1 } },
      expect = { ship_doc_hours = 48 } }
