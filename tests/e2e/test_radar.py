"""The customer health radar: five scores from the rules' health_radar,
computed from facts the C core gathers, on the customer page."""
import os
import re
import tempfile

import requests
from identity import Account, Client

PASSWORD = "Radar-Test-Pass-2026"
TENANT = "radarco"


def make_customer(stack):
    stack.cli("tenant", "create", TENANT, "Radar Co", check=False)
    stack.cli("user", "add", "--tenant", TENANT, "--login", "rep",
              "--role", "rep", "--name", "Rep", "--password-stdin",
              check=False, input_text=PASSWORD + "\n")
    tok = stack.cli("token", "create", "--tenant", TENANT, "--user",
                    "rep").stdout.strip()
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {tok}"
    s.headers["Accept-Language"] = "en"
    r = s.post(stack.url("/api/v1/customers"), json={
        "name": "雷达测试医院", "kind": "hospital", "confirm_duplicate": True})
    assert r.status_code == 201, r.text
    return s, r.json()["id"]


def scores(page, cid):
    html = page.get(f"/customers/{cid}").text
    rows = dict(re.findall(r'data-dim="(\w+)" data-score="([\d.]+)"', html))
    assert '<svg class="radar"' in html
    return {k: float(v) for k, v in rows.items()}


def test_radar_follows_the_facts_and_the_rules(stack):
    s, cid = make_customer(stack)
    page = Client(stack, Account(TENANT, "rep", PASSWORD))
    page.sign_in()
    # A new lead: nobody met, nothing done, created (its last touch) and
    # entered its stage today.
    assert scores(page, cid) == {
        "coverage": 0.0, "recency": 1.0, "evidence": 0.0, "velocity": 1.0,
        "engagement": 0.0}
    # A month and a half without a touch: recency is gone (30 days).
    stack.sql(f"UPDATE customers SET last_activity_at = UTC_TIMESTAMP(3) - "
              f"INTERVAL 45 DAY WHERE id = {cid}")
    assert scores(page, cid)["recency"] == 0.0
    r = s.post(stack.url("/api/v1/activities"), json={
        "kind": "call", "customer": cid, "content": "电话回访",
        "need": "换新设备", "competitor": "对手报价低", "next_step": "下周演示"})
    assert r.status_code == 201, r.text[:300]
    r = s.post(stack.url(f"/api/v1/customers/{cid}/evidence"), json={
        "key": "need_confirmed", "data": {"need": "CT", "who": "王科长"}})
    assert r.status_code == 201, r.text[:300]
    got = scores(page, cid)
    # Called today (recency 1), one activity of the four that make full
    # engagement, the next stage's one evidence item done.
    assert got["recency"] == 1.0 and got["engagement"] == 0.25, got
    assert got["evidence"] == 1.0, got
    # A company's own formula replaces the defaults at once.
    d = tempfile.mkdtemp(prefix="rules-radar-")
    stack.cli("rules", "pull", "--tenant", TENANT, d)
    path = os.path.join(d, "thresholds.lua")
    with open(path, encoding="utf-8") as fh:
        src = fh.read()
    src += ("\nfunction health_radar(f)\n"
            "  return { coverage = 0.5, recency = f.activities_30d / 2,\n"
            "           evidence = 2, velocity = -1, engagement = 0.1 }\n"
            "end\n")
    src = re.sub(r'test\{ name = "健康雷达.*?\} \}\n', "", src, flags=re.S)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(src)
    stack.cli("rules", "push", "--tenant", TENANT, d, "--comment", "radar")
    assert scores(page, cid) == {
        "coverage": 0.5, "recency": 0.5, "evidence": 1.0, "velocity": 0.0,
        "engagement": 0.1}
