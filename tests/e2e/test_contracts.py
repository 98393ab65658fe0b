"""Contracts and the shipment countdown (issue 15, items 4-5): the rules
decide on chosen terms with the customer's credit facts (term 59 vs 60
days, 2 vs 3 late payments, and a changed rule changes the decision); a
prepayment below the required one is refused on the form; finance approves
or rejects with a note; a contract cannot be signed before the approval or
with the dealer's qualifications missing; signing starts the delivery-plan
reminder; a shipment without its logistics form is frozen from 48 hours
before its planned time, on every path, until the form is uploaded, with
the freeze and the release audited and reminders at 72 and 50 hours."""
import datetime as dt
import re
import tempfile
import uuid

import requests

import company

PASSWORD = "Contract-Test-Pass-2026"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")
OPTIONS = {"payment_term_days": [30, 59, 60, 90], "prepay_pct": [0, 30, 50],
           "delivery_days": [15, 30], "warranty_months": [12, 24],
           "penalty_pct": [0.5, 1]}
TERMS = {"payment_term_days": 30, "prepay_pct": 0, "delivery_days": 15,
         "warranty_months": 12, "penalty_pct": 0.5}


class Company(company.Company):
    def __init__(self, stack):
        super().__init__(stack, "ct", (("boss", "admin", None),
                                       ("mgr", "manager", None),
                                       ("rep", "rep", "mgr"),
                                       ("legal1", "legal", None),
                                       ("fin", "finance", None)), PASSWORD)
        self.template = self.make_template()

    def make_template(self):
        for key, title, body in (
                ("pay", "付款", "账期 {payment_term_days} 天，预付 "
                                "{prepay_pct}%（{prepay_amount} 元）。"),
                ("amount", "金额", "合同金额 {amount} 元（{amount_words}）。")):
            r = self.api("legal1", "POST", "/api/v1/clauses",
                         json={"key": key, "title": title, "body": body})
            assert r.status_code == 201, r.text
        r = self.api("legal1", "POST", "/api/v1/contract-templates", json={
            "key": "sale", "name": "设备销售合同",
            "clauses": ["amount", "pay"], "options": OPTIONS})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def customer(self, kind="hospital", name=None):
        r = self.api("rep", "POST", "/api/v1/customers", json={
            "name": name or f"客户 {uuid.uuid4().hex[:8]}", "kind": kind,
            "confirm_duplicate": True})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def late(self, cid, n, days_ago=10):
        """n payments paid 5 days late, due days_ago days ago."""
        due = dt.date.today() - dt.timedelta(days=days_ago)
        for i in range(n):
            r = self.api("rep", "POST", f"/api/v1/customers/{cid}/payments",
                         json={"invoice_no": f"INV-{cid}-{i}-{uuid.uuid4().hex[:4]}",
                               "amount": "1000.00",
                               "due_on": due.isoformat(),
                               "paid_on": (due + dt.timedelta(days=5))
                               .isoformat()})
            assert r.status_code in (200, 201), r.text

    def contract(self, cid, check=False, **terms):
        body = dict(TERMS, template=self.template, amount="120000")
        body.update(terms)
        if check:
            body["check"] = True
        return self.api("rep", "POST", f"/api/v1/customers/{cid}/contracts",
                        json=body)


def test_the_rules_decide_on_the_terms_with_the_credit_facts(stack):
    co = Company(stack)
    cid = co.customer()
    co.late(cid, 2)

    def needs(term):
        r = co.contract(cid, check=True, payment_term_days=term,
                        prepay_pct=30)
        assert r.status_code == 200, r.text
        return r.json()["decision"]["approval"]

    # 2 late payments: never; 3: from 60 days on, not at 59.
    assert needs(60) is False
    co.late(cid, 1)
    assert needs(59) is False
    assert needs(60) is True
    # Late payments outside the window do not count.
    other = co.customer()
    co.late(other, 3, days_ago=100)
    r = co.contract(other, check=True, payment_term_days=90)
    assert r.json()["decision"]["approval"] is False
    # Below the required prepayment: refused on the form, nothing saved.
    r = co.contract(cid, payment_term_days=60, prepay_pct=0)
    assert r.status_code == 422, r.text
    assert "prepay_pct" in r.json()["fields"]
    assert co.stack.sql(f"SELECT COUNT(*) FROM contracts WHERE customer_id = "
                        f"{cid}") == [["0"]]
    # The page shows the requirement on the form's round trip.
    page = co.page("rep")
    r = page.post(f"/customers/{cid}/contracts/check", dict(
        {k: str(v) for k, v in TERMS.items()}, template=str(co.template),
        amount="120000", payment_term_days="90", prepay_pct="30"))
    assert r.status_code == 200, r.text[:2000]
    assert re.search(r'id="decision" data-approval="true" '
                     r'data-prepay="30"', r.text), r.text[:3000]
    # A company that changes the rule changes the decision.
    d = tempfile.mkdtemp(prefix="rules-contract-")
    stack.cli("rules", "pull", "--tenant", co.slug, d)
    with open(f"{d}/contracts.lua", encoding="utf-8") as f:
        src = f.read()
    # (and its own self-test, which checks the rule at its edge)
    new = src.replace("(contract.payment_term_days or 0) >= 60",
                      "(contract.payment_term_days or 0) >= 90").replace(
        "contract = { payment_term_days = 60 },\n"
        "                customer = { late_payments = 3 }",
        "contract = { payment_term_days = 90 },\n"
        "                customer = { late_payments = 3 }", 1)
    assert new != src
    with open(f"{d}/contracts.lua", "w", encoding="utf-8") as f:
        f.write(new)
    stack.cli("rules", "push", "--tenant", co.slug, d)
    assert needs(60) is False
    assert needs(90) is True


def test_finance_approves_before_signing_and_qualifications_gate_it(stack):
    co = Company(stack)
    cid = co.customer()
    co.late(cid, 3)
    r = co.contract(cid, payment_term_days=60, prepay_pct=30)
    assert r.status_code == 201, r.text
    k = r.json()["id"]
    assert r.json()["decision"]["approval"] is True
    # The text is resolved from the pinned clauses, with the terms.
    got = co.api("rep", "GET", f"/api/v1/contracts/{k}").json()
    assert "账期 60 天，预付 30%（36,000.00 元）" in got["body"], got["body"]
    assert [c["key"] for c in got["clauses"]] == ["amount", "pay"]
    # Finance has an approval task; signing before it is refused.
    tasks = co.stack.sql("SELECT assignee_role, status FROM tasks WHERE "
                         f"tenant_id = {co.tid} AND kind = 'approval'")
    assert tasks == [["finance", "open"]]
    r = co.api("rep", "POST", f"/api/v1/contracts/{k}/sign")
    assert r.status_code == 409
    assert [m["key"] for m in r.json()["missing"]] == [
        "contracts.approval_pending"]
    # Only finance decides; a rejection needs a note and tells the owner.
    assert co.api("rep", "POST", f"/api/v1/contracts/{k}/decide",
                  json={"decision": "approve"}).status_code == 404
    assert co.api("fin", "POST", f"/api/v1/contracts/{k}/decide",
                  json={"decision": "reject"}).status_code == 422
    r = co.api("fin", "POST", f"/api/v1/contracts/{k}/decide",
               json={"decision": "reject", "note": "预付比例不足以覆盖风险"})
    assert r.status_code == 200 and r.json()["approval"] == "rejected"
    told = co.stack.sql("SELECT body FROM notifications WHERE tenant_id = "
                        f"{co.tid} AND user_id = {co.ids['rep']} AND title "
                        "LIKE '%驳回%'")
    assert told == [["预付比例不足以覆盖风险"]]
    assert co.api("rep", "POST", f"/api/v1/contracts/{k}/sign"
                  ).status_code == 409
    # A new draft with more prepayment, approved: signed.
    k2 = co.contract(cid, payment_term_days=60, prepay_pct=50).json()["id"]
    queue = co.api("fin", "GET", "/api/v1/contracts/awaiting").json()
    assert [x["id"] for x in queue["contracts"]] == [k2]
    assert co.api("fin", "POST", f"/api/v1/contracts/{k2}/decide",
                  json={"decision": "approve"}).status_code == 200
    r = co.api("rep", "POST", f"/api/v1/contracts/{k2}/sign")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "signed"
    # Signing starts the delivery-plan reminder (schedules.lua).
    plan = co.stack.sql("SELECT assignee_id FROM tasks WHERE tenant_id = "
                        f"{co.tid} AND title LIKE '%交付计划%'")
    assert plan == [[str(co.ids["rep"])]]
    # A dealer without approved documents cannot sign, with the list.
    dealer = co.customer(kind="dealer")
    k3 = co.contract(dealer).json()["id"]
    r = co.api("rep", "POST", f"/api/v1/contracts/{k3}/sign")
    assert r.status_code == 409
    assert {m["key"] for m in r.json()["missing"]} == {
        "qualification:business_licence", "qualification:device_licence",
        "qualification:legal_rep_id"}
    page = co.page("rep")
    html = page.post(f"/contracts/{k3}/sign", {}).text
    assert 'data-key="qualification:device_licence"' in html
    audit = co.stack.sql("SELECT event, COUNT(*) FROM audit_log WHERE "
                         f"tenant_id = {co.tid} AND event LIKE 'contract.%' "
                         "GROUP BY event ORDER BY event")
    assert audit == [["contract.decide", "2"], ["contract.draft", "3"],
                     ["contract.sign", "1"]]


def signed(co):
    cid = co.customer()
    k = co.contract(cid).json()["id"]
    r = co.api("rep", "POST", f"/api/v1/contracts/{k}/sign")
    assert r.status_code == 200, r.text
    return k


def local(t):
    """A UTC datetime as the company's local "YYYY-MM-DD HH:MM"."""
    return (t + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def test_a_shipment_without_its_form_is_frozen_on_every_path(stack):
    co = Company(stack)
    k = signed(co)
    now = dt.datetime.utcnow().replace(second=0, microsecond=0)
    # Planned 47 h 59 min from now: past the 48-hour deadline.
    r = co.api("rep", "POST", f"/api/v1/contracts/{k}/shipments", json={
        "planned_at": local(now + dt.timedelta(hours=47, minutes=59)),
        "goods": "CT 球管", "quantity": 2})
    assert r.status_code == 201, r.text
    late = r.json()["id"]
    r = co.api("rep", "POST", f"/api/v1/contracts/{k}/shipments", json={
        "planned_at": local(now + dt.timedelta(hours=72, minutes=30)),
        "goods": "探测器", "quantity": 1})
    early = r.json()["id"]
    r = co.api("rep", "POST", f"/api/v1/shipments/{late}/release")
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "outbound_frozen"
    page = co.page("rep")
    r = page.post(f"/shipments/{late}/release", {})
    assert r.status_code == 409 and "Outbound frozen" in r.text
    r = page.post(f"/contracts/{k}/shipments/release", [("ids", str(late))])
    assert r.status_code == 409
    assert co.stack.sql(f"SELECT status FROM shipments WHERE id = {late}"
                        ) == [["planned"]]
    # The freeze is recorded and audited once, however often it is tried.
    assert co.stack.sql("SELECT COUNT(*) FROM audit_log WHERE tenant_id = "
                        f"{co.tid} AND event = 'shipment.freeze'") == [["1"]]
    # A form that is not an image or PDF is refused; a PDF thaws it.
    r = co.api("rep", "POST", f"/api/v1/shipments/{late}/form",
               files={"file": ("x.txt", b"hello", "text/plain")})
    assert r.status_code == 422
    r = co.api("rep", "POST", f"/api/v1/shipments/{late}/form",
               files={"file": ("form.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n",
                               "application/pdf")})
    assert r.status_code == 200, r.text
    r = co.api("rep", "POST", f"/api/v1/shipments/{late}/release")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "released"
    # Not yet at its deadline: released without a form.
    r = co.api("rep", "POST", f"/api/v1/shipments/{early}/release")
    assert r.status_code == 200, r.text
    audit = co.stack.sql("SELECT event, COUNT(*) FROM audit_log WHERE "
                         f"tenant_id = {co.tid} AND event LIKE 'shipment.%' "
                         "GROUP BY event ORDER BY event")
    assert audit == [["shipment.form", "1"], ["shipment.freeze", "1"],
                     ["shipment.release", "2"]]
    # The bulk release of one contract does not reach another's shipment.
    k2 = signed(co)
    other = co.api("rep", "POST", f"/api/v1/contracts/{k2}/shipments", json={
        "planned_at": local(now + dt.timedelta(days=9)), "goods": "x",
        "quantity": 1}).json()["id"]
    r = page.post(f"/contracts/{k}/shipments/release", [("ids", str(other))])
    assert r.status_code == 404
    assert co.stack.sql(f"SELECT status FROM shipments WHERE id = {other}"
                        ) == [["planned"]]
    # Times as people and datetime-local fields write them; nonsense not.
    for when, want in (("2030-03-04 09:05", 201), ("2030-03-04T00:00", 201),
                       ("2030-02-30 10:00", 422), ("2030-03-04 24:00", 422),
                       ("tomorrow", 422)):
        r = co.api("rep", "POST", f"/api/v1/contracts/{k}/shipments",
                   json={"planned_at": when, "goods": "备件", "quantity": 1})
        assert r.status_code == want, (when, r.text)
    # Only a signed contract ships.
    draft = co.contract(co.customer()).json()["id"]
    r = co.api("rep", "POST", f"/api/v1/contracts/{draft}/shipments", json={
        "planned_at": local(now + dt.timedelta(days=5)), "goods": "x",
        "quantity": 1})
    assert r.status_code == 409


def test_form_reminders_at_72_and_50_hours_and_the_job_sees_freezes(stack):
    co = Company(stack)
    k = signed(co)
    # On the alerts job's quarter-hour grid: `jobs run --now T` runs the
    # job's slots up to T, the last of them at T rounded down to a quarter
    # hour, and the countdown is judged at the slot's time.
    planned = (dt.datetime.utcnow() + dt.timedelta(days=10)).replace(
        second=0, microsecond=0)
    planned -= dt.timedelta(minutes=planned.minute % 15)
    r = co.api("rep", "POST", f"/api/v1/contracts/{k}/shipments", json={
        "planned_at": local(planned), "goods": "CT 球管", "quantity": 2})
    sid = r.json()["id"]

    def run(t):
        co.stack.cli("jobs", "run", "--now", t.strftime("%Y-%m-%d %H:%M:%S"),
                     "--tenant", co.slug)

    def told():
        return co.stack.sql("SELECT COUNT(*) FROM notifications WHERE "
                            f"tenant_id = {co.tid} AND user_id = "
                            f"{co.ids['rep']} AND title LIKE '%物流委托单%'"
                            )[0][0]

    run(planned - dt.timedelta(hours=80))                 # schedules
    run(planned - dt.timedelta(hours=73))
    assert told() == "0"
    run(planned - dt.timedelta(hours=71, minutes=50))
    assert told() == "1"
    run(planned - dt.timedelta(hours=60))
    assert told() == "1"
    run(planned - dt.timedelta(hours=49, minutes=50))
    assert told() == "2"
    # Past the deadline the job records the freeze and tells the owner
    # and finance once.
    run(planned - dt.timedelta(hours=47, minutes=50))
    run(planned - dt.timedelta(hours=47, minutes=30))
    assert co.stack.sql(f"SELECT frozen_at IS NOT NULL FROM shipments WHERE "
                        f"id = {sid}") == [["1"]]
    frozen = co.stack.sql("SELECT u.login FROM notifications n JOIN users u "
                          f"ON u.id = n.user_id WHERE n.tenant_id = {co.tid} "
                          "AND n.title LIKE '%出库已冻结%' ORDER BY u.login")
    assert frozen == [["fin"], ["rep"]]


def test_documents_contracts_shipments_and_payments_export_as_csv(stack):
    co = Company(stack)
    k = signed(co)
    cid = int(co.stack.sql(f"SELECT customer_id FROM contracts WHERE id = "
                           f"{k}")[0][0])
    co.api("rep", "POST", f"/api/v1/contracts/{k}/shipments", json={
        "planned_at": "2030-05-06 09:30", "goods": "CT 球管, \"A\" 型",
        "quantity": 3})
    r = co.api("rep", "POST", f"/api/v1/customers/{cid}/payments", json={
        "invoice_no": f"X-{cid}", "amount": "1000.00",
        "due_on": "2026-01-31", "note": "=HYPERLINK(\"http://x\")"})
    assert r.status_code == 201, r.text
    r = co.api("rep", "POST", f"/api/v1/customers/{cid}/qualifications",
               data={"type": "device_licence", "number": "MIN-1",
                     "holder": co.stack.sql(
                         f"SELECT name FROM customers WHERE id = {cid}"
                         )[0][0], "expires_on": "2031-01-01"},
               files={"file": ("s.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    # Exports are for the roles the company allows (admins and managers
    # by default): the rep's manager exports the team's.
    assert co.page("rep").get("/contracts/export.csv").status_code == 403
    page = co.page("mgr")
    page.s.headers["Accept-Language"] = "zh-CN"
    got = {}
    for name in ("qualifications", "contracts", "shipments", "payments"):
        r = page.get(f"/{name}/export.csv")
        assert r.status_code == 200, (name, r.text[:300])
        assert r.headers["Content-Type"].startswith("text/csv")
        assert r.content.startswith(b"\xef\xbb\xbf")
        assert f'{name}.csv' in r.headers.get("Content-Disposition", "")
        import csv as _csv
        import io as _io
        got[name] = list(_csv.reader(_io.StringIO(r.content.decode()[1:])))
    number = f"HT-{k:06d}"
    assert got["contracts"][0][0] == "合同编号"
    assert [row[0] for row in got["contracts"][1:]] == [number]
    assert got["contracts"][1][9] == "已签署"
    ship = got["shipments"][1]
    assert ship[0] == number and ship[2] == "2030-05-06 09:30"
    assert ship[3] == 'CT 球管, "A" 型' and ship[4] == "3"
    assert ship[5] == "缺" and ship[6] == "待发货"
    pay = got["payments"][1]
    assert len(got["payments"]) == 2 and pay[1] == f"X-{cid}"
    assert pay[2] == "1000.00" and pay[3] == "2026-01-31" and pay[4] == ""
    # A formula-looking cell is neutralised, not executed by a spreadsheet.
    assert pay[5] == "'=HYPERLINK(\"http://x\")"
    doc = got["qualifications"][1]
    assert doc[1] == "device_licence" and doc[2] == "MIN-1"
    assert doc[6] == "待审核"
    # Another company's contracts are not in it.
    other = Company(stack)
    k2 = signed(other)
    rows = other.page("mgr").get("/contracts/export.csv").content.decode()
    assert f"HT-{k2:06d}" in rows and number not in rows
