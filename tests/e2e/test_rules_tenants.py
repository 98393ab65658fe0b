"""Two tenants' rules in the same workers never see each other's state:
1,000 alternating decisions through the real request path (the workers'
per-tenant rule cache, here holding a single tenant so that every call
switches states), one tenant's rule hostile."""
import re
import shutil

import pytest
import requests

from stack import ROOT, Stack

DEFAULT_CAN_ENTER = re.compile(r"function can_enter\(.*?\nend\n", re.S)

HOSTILE = '''local calls = 0
function can_enter(customer, from, to, have)
  if from == "lead" and to == "intent" then
    calls = calls + 1
    pcall(function() rawset(_G, "leak", "t1") end)
    pcall(function() _G.leak = "t1" end)
    pcall(function() leak = "t1" end)
    pcall(function() getmetatable("").__index =
      { upper = function() return "pwned" end } end)
    pcall(function() string.upper = function() return "pwned" end end)
    pcall(function() setmetatable(_G, { __index = function() return "t1" end })
      end)
    pcall(function() table.insert = nil end)
    return false, "t1 " .. ("x"):upper()
  end
  if to == "contract" and customer.amount ~= nil and customer.amount <= 0 then
    return false, "amount"
  end
  return true
end
'''

PROBE = '''function can_enter(customer, from, to, have)
  if from == "lead" and to == "intent" then
    local _, leaked = pcall(function() return leak end)
    local _, via_g = pcall(function() return _G.leak end)
    return false, "t2 " .. tostring(leaked) .. " " .. tostring(via_g) ..
      " " .. ("x"):upper() .. " " .. tostring(table.insert ~= nil)
  end
  if to == "contract" and customer.amount ~= nil and customer.amount <= 0 then
    return false, "amount"
  end
  return true
end
'''


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    s = Stack({"PROOFLINE_RULES_MAX_STATES": "1",
               "PROOFLINE_WORKERS": "2"}).start()
    tokens = {}
    for slug, fn in (("t1", HOSTILE), ("t2", PROBE)):
        s.cli("tenant", "create", slug, slug.upper())
        s.cli("user", "add", "--tenant", slug, "--login", "r", "--role",
              "rep", "--password-stdin", input_text="Tenant-Rules-Pass-1\n")
        tokens[slug] = s.cli("token", "create", "--tenant", slug, "--user",
                             "r").stdout.strip()
        d = tmp_path_factory.mktemp(slug)
        for f in (ROOT / "lua" / "default").glob("*.lua"):
            shutil.copy(f, d / f.name)
        src = (d / "stages.lua").read_text()
        assert DEFAULT_CAN_ENTER.search(src)
        (d / "stages.lua").write_text(DEFAULT_CAN_ENTER.sub(
            lambda m: fn, src, count=1))
        s.cli("rules", "push", "--tenant", slug, str(d), "--comment", slug)
    yield s, tokens
    s.stop()


def decide(s, token):
    r = requests.get(s.url("/api/v1/rules/transition?from=lead&to=intent"
                           "&have=need_confirmed"),
                     headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def test_alternating_tenants_never_meet(two):
    s, tokens = two
    seen = {"t1": set(), "t2": set()}
    for i in range(1000):
        slug = ("t1", "t2")[i % 2]
        v = decide(s, tokens[slug])
        assert v["allowed"] is False and v["code"] == "rule_refused", v
        seen[slug].add(v["message"])
    assert seen["t1"] == {"t1 X"}
    assert seen["t2"] == {"t2 nil nil X true"}
    assert "event=worker.died" not in s.log()
