"""The cockpit page: its filter keeps the team chosen, the large-screen
mode, and clear refusals for a bad date, an unknown list or a scope the
caller may not see."""
import uuid

from identity import Account, Client

PASSWORD = "Cockpit-Page-Pass-2026"


def test_cockpit_filter_modes_and_refusals(stack):
    slug = "cp" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "Cockpit Page Co")
    for login, role, mgr in (("mgr", "manager", None), ("rep", "rep", "mgr")):
        args = ["user", "add", "--tenant", slug, "--login", login, "--role",
                role, "--password-stdin"]
        if mgr:
            args += ["--manager", mgr]
        stack.cli(*args, input_text=PASSWORD + "\n")
    tid = stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0]
    mgr = stack.sql(f"SELECT id FROM users WHERE tenant_id = {tid} AND "
                    "login = 'mgr'")[0][0]
    boss = Client(stack, Account(slug, "mgr", PASSWORD))
    boss.sign_in()
    r = boss.get(f"/cockpit?team={mgr}")
    assert r.status_code == 200
    assert f'<option value="{mgr}" selected>' in r.text
    assert boss.get("/cockpit").text.count(" selected>") == 0
    big = boss.get("/cockpit?big=1")
    assert big.status_code == 200 and "cockpit-big" in big.text
    assert boss.get("/cockpit?as_of=2026-13-40").status_code == 400
    assert boss.get("/cockpit/customers?which=nope").status_code == 422
    rep = Client(stack, Account(slug, "rep", PASSWORD))
    rep.sign_in()
    assert rep.get(f"/cockpit?team={mgr}").status_code == 404
    assert rep.get("/cockpit").status_code == 200
