"""The rules react to losses (the seed's 锁定一个高频流失环节): once the
alerts job finds the stage where most customers were lost lately, entering
that stage also needs the rules' loss-focus evidence -- a price comparison
screenshot and the customer's own words as a recording -- on every write
path, the customer page and the API list the extra items, and the focus
goes away when the losses do or when the rules ask for nothing more."""
import datetime as dt
import re
import tempfile
import uuid

import requests

from identity import Account, Client

PASSWORD = "Focus-Test-Pass-2026"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")
M4A = b"\0\0\0\x20ftypM4A \0\0\0\0M4A mp42isom" + b"\0" * 64
QUOTE = {"amount": 120000, "cases": ["协和医院", "华山医院", "瑞金医院"]}
EXTRA = {"price_comparison", "customer_words"}


class Company:
    def __init__(self, stack):
        self.stack = stack
        self.slug = "lf" + uuid.uuid4().hex[:6]
        stack.cli("tenant", "create", self.slug, "Focus Co")
        for login, role, mgr in (("boss", "admin", None),
                                 ("mgr", "manager", None),
                                 ("rep", "rep", "mgr")):
            args = ["user", "add", "--tenant", self.slug, "--login", login,
                    "--role", role, "--password-stdin"]
            if mgr:
                args += ["--manager", mgr]
            stack.cli(*args, input_text=PASSWORD + "\n")
        self.tid = int(stack.sql("SELECT id FROM tenants WHERE slug = "
                                 f"'{self.slug}'")[0][0])
        self.h = {"Authorization": "Bearer " + stack.cli(
            "token", "create", "--tenant", self.slug, "--user",
            "rep").stdout.strip(), "Accept-Language": "zh-CN"}

    def api(self, method, path, **kw):
        return requests.request(method, self.stack.url(path), headers=self.h,
                                timeout=30, **kw)

    def customer(self, stage=None):
        r = self.api("POST", "/api/v1/customers", json={
            "name": f"加严 {uuid.uuid4().hex[:8]}", "kind": "hospital",
            "confirm_duplicate": True})
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        if stage:  # a customer already there (the gate reads this row)
            self.stack.sql(f"UPDATE customers SET stage = '{stage}' WHERE "
                           f"id = {cid}")
        return cid

    def evidence(self, cid, key, **kw):
        r = self.api("POST", f"/api/v1/customers/{cid}/evidence", **kw)
        assert r.status_code == 201, (key, r.text)

    def jobs(self, now):
        return self.stack.cli("jobs", "run", "--now",
                              now.strftime("%Y-%m-%d %H:%M:%S"), "--tenant",
                              self.slug).stdout

    def focus(self):
        return self.stack.sql("SELECT stage, losses FROM loss_focus WHERE "
                              f"tenant_id = {self.tid}")

    def lose_at(self, stage, n):
        """n customers that entered `stage` and were lost there lately."""
        rows = []
        for i in range(n):
            cid = self.customer()
            rows.append(f"({self.tid}, {cid}, 'advancing', '{stage}', "
                        f"UTC_TIMESTAMP(3) - INTERVAL {10 + i} DAY, 'ok', "
                        "NULL)")
            rows.append(f"({self.tid}, {cid}, '{stage}', 'lost', "
                        f"UTC_TIMESTAMP(3) - INTERVAL {5 + i} DAY, 'lost', "
                        "'price')")
        self.stack.sql("INSERT INTO stage_events (tenant_id, customer_id, "
                       "from_stage, to_stage, at, code, lost_reason) VALUES "
                       + ", ".join(rows))

    def run_alerts(self):
        """Runs of the alerts job (every quarter of an hour), on a clock of
        the test's own that only moves forward.  The first call of the
        scheduler after a rules publication plans the company's jobs anew
        (the alerts job at its next slot): two runs a quarter apart make
        sure one ran on the current rules."""
        if not hasattr(self, "clock"):
            self.clock = dt.datetime.utcnow().replace(microsecond=0)
            self.jobs(self.clock)                      # schedules alerts
        for _ in range(2):
            self.clock += dt.timedelta(minutes=16)
            self.jobs(self.clock)

    def push_stages(self, change):
        d = tempfile.mkdtemp(prefix="rules-focus-")
        self.stack.cli("rules", "pull", "--tenant", self.slug, d)
        with open(f"{d}/stages.lua", encoding="utf-8") as f:
            src = f.read()
        new = change(src)
        assert new != src
        with open(f"{d}/stages.lua", "w", encoding="utf-8") as f:
            f.write(new)
        self.stack.cli("rules", "push", "--tenant", self.slug, d,
                       "--comment", "loss focus test")


def test_the_stage_with_most_losses_needs_the_extra_evidence(stack):
    co = Company(stack)
    cid = co.customer("advancing")
    co.evidence(cid, "quote_sheet", json={"key": "quote_sheet",
                                          "data": QUOTE})
    # Two losses are not yet a focus (the rules ask for three).
    co.lose_at("quote", 2)
    co.run_alerts()
    assert co.focus() == []
    r = co.api("GET", f"/api/v1/customers/{cid}")
    assert r.json()["next_stage"]["missing"] == [], r.text
    # A third makes "quote" the focus: the quote sheet alone no longer
    # lets a customer in, and the refusal names exactly the two items.
    co.lose_at("quote", 1)
    co.run_alerts()
    assert co.focus() == [["quote", "3"]]
    nxt = co.api("GET", f"/api/v1/customers/{cid}").json()["next_stage"]
    assert nxt["loss_focus"] == "quote"
    assert {m["key"] for m in nxt["missing"]} == EXTRA
    assert all(m["focus"] for m in nxt["missing"])
    r = co.api("POST", f"/api/v1/customers/{cid}/stage", json={"to": "quote"})
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "evidence_missing"
    assert {m["key"] for m in r.json()["missing"]} == EXTRA
    assert co.api("GET", f"/api/v1/customers/{cid}").json()["stage"] == \
        "advancing"
    # Another company's gate is its own: no focus there.
    other = Company(stack)
    oid = other.customer("advancing")
    other.evidence(oid, "quote_sheet", json={"key": "quote_sheet",
                                             "data": QUOTE})
    r = other.api("POST", f"/api/v1/customers/{oid}/stage",
                  json={"to": "quote"})
    assert r.status_code == 200, r.text
    # The manager's cockpit says which stage is under focus and why.
    mgr = Client(stack, Account(co.slug, "mgr", PASSWORD, "manager"))
    mgr.sign_in()
    html = mgr.get("/cockpit").text
    focus = re.search(r'<p class="alert alert-warn" id="loss-focus" '
                      r'data-stage="quote">(.*?)</p>', html, re.S)
    assert focus, html[:3000]
    assert "Price comparison screenshot" in focus.group(1)
    assert "recording" in focus.group(1)
    # The customer page lists them, marked, with their upload pages.
    page = Client(stack, Account(co.slug, "rep", PASSWORD, "rep"))
    page.sign_in()
    html = page.get(f"/customers/{cid}").text
    assert 'id="loss-focus"' in html
    for key in EXTRA:
        item = re.search(r'<li class="evidence-item missing" data-key="'
                         + key + r'">.*?</li>', html, re.S)
        assert item and "badge-warn" in item.group(0), key
    # The recording must be a recording; the screenshot an image or PDF.
    form = page.get(f"/customers/{cid}/evidence/customer_words").text
    assert 'accept="audio/*"' in form
    r = page.post(f"/customers/{cid}/evidence/customer_words", {},
                  files={"file": ("words.png", PNG, "image/png")})
    assert r.status_code == 422 and 'data-key="evidence.not_audio"' in \
        r.text, r.text[:2000]
    r = page.post(f"/customers/{cid}/evidence/customer_words", {},
                  files={"file": ("words.m4a", M4A, "audio/mp4")})
    assert r.status_code == 303, r.text[:2000]
    r = co.api("POST", f"/api/v1/customers/{cid}/stage", json={"to": "quote"})
    assert r.status_code == 409
    assert [m["key"] for m in r.json()["missing"]] == ["price_comparison"]
    co.evidence(cid, "price_comparison", data={"key": "price_comparison"},
                files={"file": ("compare.png", PNG, "image/png")})
    r = co.api("POST", f"/api/v1/customers/{cid}/stage", json={"to": "quote"})
    assert r.status_code == 200, r.text
    # The move locked every item it used, the extra ones included.
    used = stack.sql("SELECT ev_key FROM evidence WHERE customer_id = "
                     f"{cid} AND used_in IS NOT NULL")
    assert {k for (k,) in used} == {"quote_sheet"} | EXTRA
    # The recording plays on the customer page.
    html = page.get(f"/customers/{cid}").text
    assert re.search(r'<audio controls preload="none" src="/files/\d+">',
                     html), html[:3000]


def test_the_focus_follows_the_losses_and_the_rules(stack):
    co = Company(stack)
    cid = co.customer("intent")
    co.lose_at("advancing", 3)
    co.lose_at("quote", 4)
    co.run_alerts()
    assert co.focus() == [["quote", "4"]]
    # Advancing is not under focus: its own three items are enough.
    co.evidence(cid, "trial_kit_receipt", data={"key": "trial_kit_receipt"},
                files={"file": ("kit.png", PNG, "image/png")})
    co.evidence(cid, "head_phone_confirmation", json={
        "key": "head_phone_confirmation",
        "data": {"contact": "李主任", "outcome": "同意试用"}})
    co.evidence(cid, "installation_form", json={
        "key": "installation_form", "data": {
            "location": "放射科", "power": "220V", "date": "2026-12-20"}})
    # More losses at "advancing" move the focus there.
    co.lose_at("advancing", 2)
    co.run_alerts()
    assert co.focus() == [["advancing", "5"]]
    r = co.api("POST", f"/api/v1/customers/{cid}/stage",
               json={"to": "advancing"})
    assert r.status_code == 409
    assert {m["key"] for m in r.json()["missing"]} == EXTRA
    # A company whose rules ask for nothing more: the same focus, no
    # extra evidence.
    co.push_stages(lambda src: src.replace(
        'requires = { "price_comparison", "customer_words" },',
        "requires = {},"))
    r = co.api("POST", f"/api/v1/customers/{cid}/stage",
               json={"to": "advancing"})
    assert r.status_code == 200, r.text
    # Fewer losses than the rules' minimum clear the focus.
    co.push_stages(lambda src: src.replace("min_losses = 3,",
                                           "min_losses = 50,"))
    co.run_alerts()
    assert co.focus() == []
