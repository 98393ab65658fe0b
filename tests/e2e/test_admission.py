"""Customer admission (客户准入): the qualification documents a dealer needs
gate the quote stage on every path with the missing list; the rules check
credit codes, ID numbers, holders and dates; a QR code on the scan fills
the form; a complete submission gives legal a review card, legal approves
or rejects each document (the owner hears what to fix), the case closes
with a measured lead time; expiry reminders go out once per lead in the
company's time zone; legal sees its queue and nothing else."""
import datetime as dt
import re
import subprocess
import tempfile

import requests

import company

PASSWORD = "Admission-Test-Pass-2026"
USCC = "91350100M000100Y43"       # a valid unified social credit code
USCC_BAD = "91350100M000100Y44"   # its check character is wrong
ID_OK = "11010519491231002X"      # a valid ID number (check character X)
ID_BAD = "110105194912310021"
NAME = "示例医疗器械有限公司"
QUOTE = {"amount": 120000, "cases": ["协和医院", "华山医院", "瑞金医院"]}
TYPES = ["business_licence", "device_licence", "legal_rep_id"]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")


def qr_png(text):
    """A PNG of a QR code holding text (qrencode, a test dependency)."""
    path = tempfile.mktemp(suffix=".png")
    subprocess.run(["qrencode", "-o", path, "-s", "6", "-m", "4", text],
                   check=True)
    with open(path, "rb") as f:
        return f.read()


class Company(company.Company):
    def __init__(self, stack):
        super().__init__(stack, "ad", (("boss", "admin", None),
                                       ("mgr", "manager", None),
                                       ("rep", "rep", "mgr"),
                                       ("rep2", "rep", None),
                                       ("legal1", "legal", None),
                                       ("fin", "finance", None)), PASSWORD)

    def customer(self, kind="dealer", name=NAME, stage=None, login="rep"):
        r = self.api(login, "POST", "/api/v1/customers", json={
            "name": name, "kind": kind, "confirm_duplicate": True})
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        if stage:
            self.stack.sql(f"UPDATE customers SET stage = '{stage}' WHERE "
                           f"id = {cid}")
        return cid

    def submit(self, cid, typ, login="rep", **fields):
        body = {"type": typ, "holder": NAME}
        body.update(fields)
        files = {"file": ("scan.png", PNG, "image/png")}
        return self.api(login, "POST",
                        f"/api/v1/customers/{cid}/qualifications",
                        data=body, files=files)

    def submit_all(self, cid, expires="2031-06-30"):
        ids = {}
        for typ, extra in (("business_licence", {"number": USCC}),
                           ("device_licence", {"number": "MIN2020-0001",
                                               "expires_on": expires}),
                           ("legal_rep_id", {"number": ID_OK,
                                             "holder": "张三",
                                             "expires_on": "2036-01-01"})):
            r = self.submit(cid, typ, **extra)
            assert r.status_code == 201, (typ, r.text)
            ids[typ] = r.json()["id"]
        return ids

    def review(self, doc, decision, note="", login="legal1"):
        return self.api(login, "POST", f"/api/v1/qualifications/{doc}/review",
                        json={"decision": decision, "note": note})


def test_dealer_needs_approved_documents_to_enter_quote(stack):
    co = Company(stack)
    dealer = co.customer(stage="advancing")
    hospital = co.customer(kind="hospital", name="示例医院",
                           stage="advancing")
    for cid in (dealer, hospital):
        r = co.api("rep", "POST", f"/api/v1/customers/{cid}/evidence",
                   json={"key": "quote_sheet", "data": QUOTE})
        assert r.status_code == 201, r.text
    # A hospital needs no documents.
    r = co.api("rep", "POST", f"/api/v1/customers/{hospital}/stage",
               json={"to": "quote"})
    assert r.status_code == 200, r.text
    # The dealer is refused with each document missing, by name.
    r = co.api("rep", "POST", f"/api/v1/customers/{dealer}/stage",
               json={"to": "quote"})
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["error"] == "evidence_missing"
    got = {m["key"]: m.get("state") for m in body["missing"]}
    assert got == {f"qualification:{t}": "missing" for t in TYPES}, body
    assert any("营业执照" in m["name"] for m in body["missing"])
    # The page's refusal and the bulk action say the same.
    page = co.page("rep")
    html = page.post(f"/customers/{dealer}/stage", {"to": "quote"}).text
    assert 'data-key="qualification:business_licence"' in html
    assert f'href="/customers/{dealer}/qualifications"' in html
    # Submitted is not enough: legal must approve, and the missing list
    # says what each one waits for.
    ids = co.submit_all(dealer)
    r = co.api("rep", "POST", f"/api/v1/customers/{dealer}/stage",
               json={"to": "quote"})
    assert r.status_code == 409
    assert {m.get("state") for m in r.json()["missing"]} == {"pending"}
    for typ in TYPES[:2]:
        assert co.review(ids[typ], "approve").status_code == 200
    r = co.api("rep", "POST", f"/api/v1/customers/{dealer}/stage",
               json={"to": "quote"})
    assert r.status_code == 409
    assert [m["key"] for m in r.json()["missing"]] == [
        "qualification:legal_rep_id"]
    assert co.review(ids["legal_rep_id"], "approve").status_code == 200
    r = co.api("rep", "POST", f"/api/v1/customers/{dealer}/stage",
               json={"to": "quote"})
    assert r.status_code == 200, r.text
    q = co.api("rep", "GET",
               f"/api/v1/customers/{dealer}/qualifications").json()
    assert q["qualified"] is True
    assert [i["state"] for i in q["items"]] == ["approved"] * 3


def test_the_rules_check_numbers_holders_and_dates(stack):
    co = Company(stack)
    cid = co.customer()
    cases = [
        ({"type": "business_licence", "number": USCC_BAD}, "number"),
        ({"type": "business_licence", "number": "12345"}, "number"),
        ({"type": "business_licence", "number": USCC,
          "holder": "另一家公司"}, "holder"),
        ({"type": "legal_rep_id", "number": ID_BAD, "holder": "张三",
          "expires_on": "2036-01-01"}, "number"),
        ({"type": "legal_rep_id", "number": ID_OK, "holder": "张三"},
         "expires_on"),                                   # expiry required
        ({"type": "device_licence", "number": "A-1",
          "expires_on": "2020-01-01"}, "expires_on"),     # expired
        ({"type": "device_licence", "number": "A-1", "issued_on": "2030-01-01",
          "expires_on": "2031-01-01"}, "issued_on"),      # issued later
        ({"type": "device_licence", "number": "A-1",
          "expires_on": "2031-02-30"}, "expires_on"),     # not a date
        ({"type": "device_licence", "number": "A 1 ; DROP",
          "expires_on": "2031-01-01"}, "number"),
    ]
    for fields, field in cases:
        typ = fields.pop("type")
        r = co.submit(cid, typ, **fields)
        assert r.status_code == 422, (fields, r.text)
        assert field in r.json()["fields"], (fields, r.json())
    # Nothing was saved by any of them.
    assert co.stack.sql("SELECT COUNT(*) FROM qual_docs WHERE customer_id = "
                        f"{cid}") == [["0"]]
    # Full-width brackets and spaces in the holder still match.
    co.stack.sql(f"UPDATE customers SET name = '示例（福建）医疗器械有限公司' "
                 f"WHERE id = {cid}")
    r = co.submit(cid, "business_licence", number=USCC.lower(),
                  holder="示例(福建)医疗器械 有限公司")
    assert r.status_code == 201, r.text
    doc = co.api("rep", "GET", f"/api/v1/customers/{cid}/qualifications"
                 ).json()["items"][0]["doc"]
    assert doc["number"] == USCC            # stored upper-cased
    # Without a scan: refused.
    r = co.api("rep", "POST", f"/api/v1/customers/{cid}/qualifications",
               json={"type": "business_licence", "number": USCC,
                     "holder": "示例（福建）医疗器械有限公司"})
    assert r.status_code == 422 and "file" in r.json()["fields"], r.text


def test_a_qr_code_on_the_scan_fills_the_form(stack):
    co = Company(stack)
    cid = co.customer()
    link = ("https://www.gsxt.gov.cn/verify?uniscid=" + USCC + "&name=" +
            requests.utils.quote(NAME))
    r = co.api("rep", "POST", f"/api/v1/customers/{cid}/qualifications/scan",
               data={"type": "business_licence"},
               files={"file": ("licence.png", qr_png(link), "image/png")})
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["qr"] == [link]
    assert got["fields"]["number"] == USCC
    assert got["fields"]["holder"] == NAME
    # The rep confirms: the scan already stored is used, the QR text kept.
    r = co.api("rep", "POST", f"/api/v1/customers/{cid}/qualifications",
               json={"type": "business_licence", "number": USCC,
                     "holder": NAME, "file_id": got["file_id"],
                     "qr_text": link})
    assert r.status_code == 201, r.text
    # The page does the same in two steps, without JavaScript.
    page = co.page("rep")
    r = page.post(f"/customers/{cid}/qualifications/business_licence/scan",
                  {"number": "", "holder": ""},
                  files={"file": ("l.png", qr_png(USCC), "image/png")})
    assert r.status_code == 200, r.text[:2000]
    assert 'id="qr-found"' in r.text
    assert f'name="number" value="{USCC}"' in r.text
    file_id = re.search(r'name="file_id" value="(\d+)"', r.text).group(1)
    r = page.post(f"/customers/{cid}/qualifications/business_licence",
                  {"number": USCC, "holder": NAME, "file_id": file_id})
    assert r.status_code == 303, r.text[:2000]
    # A photo without a code says so and keeps what was typed.
    r = page.post(f"/customers/{cid}/qualifications/device_licence/scan",
                  {"number": "MIN-7"},
                  files={"file": ("p.png", PNG, "image/png")})
    assert r.status_code == 200 and 'id="qr-none"' in r.text
    assert 'name="number" value="MIN-7"' in r.text
    # Not an image or PDF: refused with a message.
    r = page.post(f"/customers/{cid}/qualifications/device_licence/scan",
                  {}, files={"file": ("x.exe", b"MZ\x90\0" * 64,
                                      "application/octet-stream")})
    assert r.status_code == 422
    # Another customer's scan cannot be borrowed.
    other = co.customer(name="另一家经销商", login="rep2")
    r = co.api("rep2", "POST",
               f"/api/v1/customers/{other}/qualifications",
               json={"type": "business_licence", "number": USCC,
                     "holder": "另一家经销商", "file_id": got["file_id"]})
    assert r.status_code == 422 and "file" in r.json()["fields"]


def test_legal_reviews_the_owner_fixes_and_the_lead_time_is_kept(stack):
    co = Company(stack)
    cid = co.customer()
    ids = co.submit_all(cid)
    # One review card for legal, about the customer, once.
    cards = co.stack.sql(
        "SELECT id, assignee_role, object_id, status FROM tasks WHERE "
        f"tenant_id = {co.tid} AND kind = 'review'")
    assert len(cards) == 1 and cards[0][1:] == ["legal", str(cid), "open"]
    # Legal sees the queue, the documents and the scans; nobody else
    # reviews.
    q = co.api("legal1", "GET", "/api/v1/qualifications/queue").json()
    assert [x["customer_id"] for x in q["queue"]] == [cid]
    assert co.api("legal1", "GET",
                  f"/api/v1/customers/{cid}/qualifications").status_code == 200
    scan = co.api("legal1", "GET", f"/api/v1/customers/{cid}/qualifications"
                  ).json()["items"][0]["doc"]["file_url"]
    assert co.api("legal1", "GET", scan).status_code == 200
    assert co.api("legal1", "GET",
                  f"/api/v1/customers/{cid}").status_code == 404
    for who in ("rep", "mgr", "fin"):
        assert co.review(ids["business_licence"], "approve",
                         login=who).status_code == 404, who
    # A rejection needs a note; the owner is told what to fix.
    r = co.review(ids["device_licence"], "reject")
    assert r.status_code == 422
    r = co.review(ids["device_licence"], "reject", "许可证照片模糊，请重新拍摄")
    assert r.status_code == 200, r.text
    told = co.stack.sql(
        "SELECT title, body FROM notifications WHERE tenant_id = "
        f"{co.tid} AND user_id = {co.ids['rep']} AND title LIKE '%驳回%'")
    assert len(told) == 1 and "重新拍摄" in told[0][1], told
    # The page shows it red with the note.
    html = co.page("rep").get(f"/customers/{cid}/qualifications").text
    item = re.search(r'<li class="card qual-item qual-red" '
                     r'data-type="device_licence" data-state="rejected">'
                     r'.*?</li>', html, re.S)
    assert item and "请重新拍摄" in item.group(0), html[:3000]
    # Reviewed twice: refused.
    assert co.review(ids["device_licence"], "approve").status_code == 409
    # Fixed and approved: the case closes, the card is done.
    r = co.submit(cid, "device_licence", number="MIN2020-0001",
                  expires_on="2031-06-30")
    assert r.status_code == 201
    for doc in (ids["business_licence"], ids["legal_rep_id"],
                r.json()["id"]):
        assert co.review(doc, "approve").status_code == 200
    assert co.stack.sql(f"SELECT status FROM tasks WHERE id = "
                        f"{cards[0][0]}") == [["done"]]
    cases = co.stack.sql("SELECT closed_at IS NOT NULL FROM qual_cases "
                         f"WHERE customer_id = {cid}")
    assert cases == [["1"]]
    # The lead time per team and month: the rep's manager's team.
    lead = co.api("legal1", "GET", "/api/v1/qualifications/lead-times"
                  ).json()["lead_times"]
    assert len(lead) == 1 and lead[0]["cases"] == 1
    assert lead[0]["team"] == co.ids["mgr"]
    assert lead[0]["avg_days"] >= 0
    mine = co.api("mgr", "GET", "/api/v1/qualifications/lead-times").json()
    assert mine["lead_times"] == lead
    assert co.api("rep", "GET", "/api/v1/qualifications/lead-times"
                  ).status_code == 404
    assert co.api("rep", "GET", "/api/v1/qualifications/queue"
                  ).status_code == 404
    # Every review and submission is in the audit log.
    audit = co.stack.sql("SELECT event, COUNT(*) FROM audit_log WHERE "
                         f"tenant_id = {co.tid} AND event LIKE "
                         "'qualification.%' GROUP BY event ORDER BY event")
    assert audit == [["qualification.review", "4"],
                     ["qualification.submit", "4"]]


def test_expiry_reminders_fire_once_per_lead_in_the_company_zone(stack):
    co = Company(stack)
    cid = co.customer()
    expires = dt.date.today() + dt.timedelta(days=60)
    ids = co.submit_all(cid, expires=expires.isoformat())
    for doc in ids.values():
        assert co.review(doc, "approve").status_code == 200

    def told():
        return co.stack.sql(
            "SELECT u.login, COUNT(*) FROM notifications n JOIN users u ON "
            f"u.id = n.user_id WHERE n.tenant_id = {co.tid} AND n.title "
            "LIKE '%到期%' GROUP BY u.login ORDER BY u.login")

    def run(local):
        """The scheduler at a local time of the company (Asia/Shanghai)."""
        utc = local - dt.timedelta(hours=8)
        co.stack.cli("jobs", "run", "--now",
                     utc.strftime("%Y-%m-%d %H:%M:%S"), "--tenant", co.slug)

    day = dt.datetime.combine(expires, dt.time(0, 0))
    run(day - dt.timedelta(days=40))                       # schedules
    # 23:50 on the day 31 days before: nothing yet.
    run(day - dt.timedelta(days=31) + dt.timedelta(hours=23, minutes=50))
    assert told() == []
    # 00:10 the next local day (still the day before in UTC): 30 days.
    run(day - dt.timedelta(days=30) + dt.timedelta(minutes=10))
    assert told() == [["legal1", "1"], ["rep", "1"]]
    # Later that day and the next days: nothing new.
    for h in (1, 12, 30, 60):
        run(day - dt.timedelta(days=30) + dt.timedelta(hours=h))
    assert told() == [["legal1", "1"], ["rep", "1"]]
    run(day - dt.timedelta(days=7) + dt.timedelta(hours=9))
    assert told() == [["legal1", "2"], ["rep", "2"]]
    run(day - dt.timedelta(days=1) + dt.timedelta(hours=9))
    run(day - dt.timedelta(days=1) + dt.timedelta(hours=15))
    assert told() == [["legal1", "3"], ["rep", "3"]]


def test_a_registry_verifier_is_asked_through_the_guarded_client(stack):
    from test_outbox import Receiver
    co = Company(stack)
    rx = Receiver()
    try:
        def use_verifier(url):
            d = tempfile.mkdtemp(prefix="rules-verify-")
            stack.cli("rules", "pull", "--tenant", co.slug, d)
            path = f"{d}/contracts.lua"
            with open(path, encoding="utf-8") as f:
                src = f.read()
            new = re.sub(r'(name_en = "Medical device operating licence",\n'
                         r'\s*number = "text", holder = "customer", '
                         r'expires = true,)(\n\s*verifier = "[^"]*",)?',
                         r'\1\n      verifier = "' + url + '",', src)
            assert new != src
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            stack.cli("rules", "push", "--tenant", co.slug, d)

        def jobs():
            stack.cli("jobs", "run", "--tenant", co.slug)

        use_verifier(rx.url("/verify"))
        cid = co.customer()
        rx.body = '{"valid": false, "message": "许可证已注销"}'.encode()
        r = co.submit(cid, "device_licence", number="MIN2020-0001",
                      expires_on="2031-06-30")
        assert r.status_code == 201, r.text
        doc = r.json()["id"]
        item = co.api("rep", "GET", f"/api/v1/customers/{cid}/qualifications"
                      ).json()["items"][1]
        assert item["doc"]["verify"] == "waiting"
        jobs()
        assert len(rx.got) == 1
        path, headers, body = rx.got[0]
        import json as _json
        sent = _json.loads(body)
        assert path == "/verify" and sent["number"] == "MIN2020-0001"
        assert sent["holder"] == NAME and sent["type"] == "device_licence"
        item = co.api("rep", "GET", f"/api/v1/customers/{cid}/qualifications"
                      ).json()["items"][1]
        assert item["doc"]["verify"] == "failed" and item["red"] is True
        assert item["doc"]["verify_note"] == "许可证已注销"
        # Legal cannot approve what the registry denies.
        assert co.review(doc, "approve").status_code == 409
        # Asked once: running the jobs again asks nothing.
        jobs()
        assert len(rx.got) == 1
        # A new submission the registry confirms can be approved.
        rx.body = b'{"valid": true}'
        doc = co.submit(cid, "device_licence", number="MIN2020-0002",
                        expires_on="2031-06-30").json()["id"]
        jobs()
        assert len(rx.got) == 2
        assert co.review(doc, "approve").status_code == 200
        # A verifier inside the network is refused by the guarded client:
        # an error for legal to judge, and no connection made.
        use_verifier("http://169.254.169.254/latest")
        seen = rx.connections
        doc = co.submit(cid, "device_licence", number="MIN2020-0003",
                        expires_on="2031-06-30").json()["id"]
        jobs()
        item = co.api("rep", "GET", f"/api/v1/customers/{cid}/qualifications"
                      ).json()["items"][1]
        assert item["doc"]["verify"] == "error"
        assert "refused" in item["doc"]["verify_note"]
        assert rx.connections == seen
        assert co.review(doc, "approve").status_code == 200
    finally:
        rx.close()
