"""The live metrics registered with the alerts job: the stage where most
customers were lost gives each manager a daily spot check of three recent
submissions there (the seed's 锁定一个高频流失环节), once a day."""
import datetime as dt
import re
import uuid

import requests

PASSWORD = "Alerts-Test-Pass-2026"


def run(stack, slug, now):
    return stack.cli("jobs", "run", "--now", now.strftime("%Y-%m-%d %H:%M:%S"),
                     "--tenant", slug).stdout


def test_the_stage_with_most_losses_gets_a_daily_spot_check(stack):
    slug = "la" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "Loss Co")
    for login, role, mgr in (("mgr", "manager", None), ("rep", "rep", "mgr")):
        args = ["user", "add", "--tenant", slug, "--login", login, "--role",
                role, "--password-stdin"]
        if mgr:
            args += ["--manager", mgr]
        stack.cli(*args, input_text=PASSWORD + "\n")
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    mgr = int(stack.sql(f"SELECT id FROM users WHERE tenant_id = {tid} AND "
                        "login = 'mgr'")[0][0])
    tok = stack.cli("token", "create", "--tenant", slug, "--user",
                    "rep").stdout.strip()
    ids = []
    for i in range(4):
        r = requests.post(stack.url("/api/v1/customers"), headers={
            "Authorization": f"Bearer {tok}"}, json={
            "name": f"流失测试{i}", "kind": "hospital",
            "confirm_duplicate": True})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    # Three entered "quote" and were lost there; one is still in quote.
    rows = []
    for i, cid in enumerate(ids):
        rows.append(f"({tid}, {cid}, 'lead', 'quote', UTC_TIMESTAMP(3) - "
                    f"INTERVAL {10 - i} DAY, 'ok', NULL)")
        if i < 3:
            rows.append(f"({tid}, {cid}, 'quote', 'lost', UTC_TIMESTAMP(3) - "
                        f"INTERVAL {5 - i} DAY, 'lost', 'price')")
    stack.sql("INSERT INTO stage_events (tenant_id, customer_id, from_stage, "
              "to_stage, at, code, lost_reason) VALUES " + ", ".join(rows))
    now = dt.datetime.utcnow().replace(microsecond=0)

    def checks():
        return stack.sql(
            "SELECT assignee_id, title, body FROM tasks WHERE tenant_id = "
            f"{tid} AND rule_script = 'alerts' AND title LIKE '%抽查%'")
    run(stack, slug, now)                                # schedules alerts
    run(stack, slug, now + dt.timedelta(minutes=16))     # runs them
    got = checks()
    assert len(got) == 1, got
    assignee, title, body = got[0]
    assert int(assignee) == mgr
    assert "报价" in title
    picked = [int(x) for x in re.findall(r"/customers/(\d+)", body)]
    assert len(picked) == 3 and len(set(picked)) == 3, body
    assert set(picked) <= set(ids)
    # Still the focus a quarter of an hour later: no second check today.
    run(stack, slug, now + dt.timedelta(minutes=31))
    assert len(checks()) == 1
