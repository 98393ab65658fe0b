"""Payments per customer and the credit facts computed from them (issue 15,
item 4): recording and updating by invoice number, the checks of every
field, scope, the facts at the exact edges of their window, and the CSV
import (UTF-8 and GBK, all or nothing or the good lines, line numbers,
idempotent) through the API, the page and the CLI."""
import datetime
import html
import re
import uuid

import pytest
import requests

from conftest import MARKER

TODAY = datetime.date(2024, 3, 15)


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


class Api:
    def __init__(self, stack, world, login, slug="acme"):
        key = (slug, login)
        if key not in world.tokens:
            world.tokens[key] = stack.cli("token", "create", "--tenant", slug,
                                          "--user", login).stdout.strip()
        self.stack = stack
        self.h = {"Authorization": f"Bearer {world.tokens[key]}",
                  "Accept-Language": "en"}

    def req(self, method, path, **kw):
        headers = {**self.h, **kw.pop("headers", {})}
        return requests.request(method, self.stack.url(path), headers=headers,
                                timeout=60, **kw)

    def get(self, path, **kw):
        return self.req("GET", path, **kw)

    def post(self, path, **kw):
        return self.req("POST", path, **kw)

    def customer(self, name=None):
        r = self.post("/api/v1/customers", json={
            "name": name or f"付款客户 {uuid.uuid4().hex[:10]}",
            "kind": "hospital", "confirm_duplicate": True})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def pay(self, cid, invoice, amount, due_on, paid_on="", note="",
            expect=None):
        r = self.post(f"/api/v1/customers/{cid}/payments", json={
            "invoice_no": invoice, "amount": amount, "due_on": due_on,
            "paid_on": paid_on, "note": note})
        if expect is not None:
            assert r.status_code == expect, r.text
        return r


def inv(prefix="INV"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def rows_of(stack, cid):
    return stack.sql("SELECT id, invoice_no, amount, due_on, "
                     "COALESCE(paid_on, '-'), note, created_at FROM payments "
                     f"WHERE customer_id = {int(cid)} ORDER BY invoice_no")


def audits(stack, event):
    (n,), = stack.sql(f"SELECT COUNT(*) FROM audit_log WHERE event = "
                      f"'{event}'")
    return int(n)


# --- recording ----------------------------------------------------------------

def test_record_then_update_by_invoice(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer()
    number = inv()
    before = audits(stack, "payment.record")
    r = api.pay(cid, number, "1,234.5", "2024-01-31", note="首期款", expect=201)
    first = r.json()
    assert first["created"] is True
    assert (first["invoice_no"], first["amount"], first["due_on"],
            first["paid_on"], first["note"]) == (number, "1234.50",
                                                 "2024-01-31", "", "首期款")
    # The same invoice again: that payment, updated (200), not a new one.
    r = api.pay(cid, number, "1234.50", "2024-01-31", "2024-02-03",
                "首期款 已付", expect=200)
    assert r.json()["created"] is False and r.json()["id"] == first["id"]
    rows = rows_of(stack, cid)
    assert [r[:6] for r in rows] == [[str(first["id"]), number, "1234.50",
                                      "2024-01-31", "2024-02-03",
                                      "首期款 已付"]]
    listed = api.get(f"/api/v1/customers/{cid}/payments").json()["payments"]
    assert [(p["invoice_no"], p["paid_on"], p["days_late"], p["late"])
            for p in listed] == [(number, "2024-02-03", 3, True)]
    assert audits(stack, "payment.record") == before + 2
    # Recording what is stored changes nothing, not even the audit log.
    api.pay(cid, number, "1234.5", "2024-01-31", "2024-02-03", "首期款 已付",
            expect=200)
    assert rows_of(stack, cid) == rows
    assert audits(stack, "payment.record") == before + 2


def test_the_page_records_and_the_customer_page_shows_the_card(stack, world):
    api = Api(stack, world, "rep1")
    rep = world.client("acme", "rep1")
    cid = api.customer()
    number = inv("PAGE")
    r = rep.post(f"/customers/{cid}/payments", {
        "invoice_no": number, "amount": "¥2,000.00", "due_on": "2030-06-30",
        "paid_on": "", "note": "page"})
    assert r.status_code == 303, r.text[:500]
    assert r.headers["Location"] == f"/customers/{cid}/payments?done=recorded"
    page = rep.get(r.headers["Location"]).text
    assert f'data-invoice="{number}"' in page and 'id="notice"' in page
    r = rep.post(f"/customers/{cid}/payments", {
        "invoice_no": number, "amount": "2000", "due_on": "2030-06-30",
        "paid_on": "2030-06-01", "note": "page"})
    assert r.headers["Location"] == f"/customers/{cid}/payments?done=updated"
    api.pay(cid, inv("OPEN"), "500.25", "2030-07-31", expect=201)
    card = rep.get(f"/customers/{cid}").text
    section = re.search(r'<section class="card payments-card" id="payments">'
                        r'(.*?)</section>', card, re.S).group(1)
    assert f'data-invoice="{number}"' in section
    # Open balance counts unpaid payments whatever their due date.
    assert 'data-fact="open_balance" data-value="500.25"' in section
    assert f'href="/customers/{cid}/payments"' in section
    # A bad form is shown again with each field's problem, nothing stored.
    n = len(rows_of(stack, cid))
    r = rep.post(f"/customers/{cid}/payments", {
        "invoice_no": "有 空格", "amount": "abc", "due_on": "2030-02-30"})
    assert r.status_code == 422
    keys = set(re.findall(r'data-field="([a-z_]+)" data-key="([a-z_.]+)"',
                          r.text))
    assert {("invoice_no", "payments.bad_invoice"),
            ("amount", "payments.bad_amount"),
            ("due_on", "payments.bad_date")} <= keys, keys
    assert len(rows_of(stack, cid)) == n


@pytest.mark.parametrize("field,value,code", [
    ("invoice_no", "", "validate.required"),
    ("invoice_no", "A B", "payments.bad_invoice"),
    ("invoice_no", "发票1", "payments.bad_invoice"),
    ("invoice_no", "X" * 65, "validate.too_long"),
    ("amount", "", "validate.required"),
    ("amount", "0", "payments.bad_amount"),
    ("amount", "-5", "payments.bad_amount"),
    ("amount", "1.234", "payments.bad_amount"),
    ("amount", "1,23", "payments.bad_amount"),
    ("amount", "1000000000000", "payments.bad_amount"),
    ("due_on", "", "validate.required"),
    ("due_on", "2023-02-29", "payments.bad_date"),
    ("due_on", "31/01/2024", "payments.bad_date"),
    ("paid_on", "yesterday", "payments.bad_date"),
    ("note", "x" * 501, "validate.too_long"),
    ("note", "two\nlines", "validate.bad_text"),
])
def test_each_field_is_checked(stack, world, field, value, code):
    api = Api(stack, world, "rep1")
    cid = api.customer()
    body = {"invoice_no": inv(), "amount": "10", "due_on": "2024-01-01",
            "paid_on": "", "note": ""}
    body[field] = value
    r = api.post(f"/api/v1/customers/{cid}/payments", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["codes"] == {field: code}
    assert rows_of(stack, cid) == []


def test_limits_that_pass(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer()
    r = api.pay(cid, "A-z_0/9." + "x" * 56, "999,999,999,999.99",
                "2024-02-29", "2024-02-29", "备" * 500, expect=201)
    assert r.json()["amount"] == "999999999999.99"


def test_another_customers_invoice_is_refused(stack, world):
    api = Api(stack, world, "rep1")
    a, b = api.customer(), api.customer()
    number = inv()
    api.pay(a, number, "10", "2024-01-01", expect=201)
    before = rows_of(stack, a)
    r = api.pay(b, number, "99", "2024-01-02")
    assert r.status_code == 422
    assert r.json()["codes"] == {"invoice_no": "payments.invoice_taken"}
    assert rows_of(stack, a) == before and rows_of(stack, b) == []


def test_other_companys_and_other_reps_customers_are_404(stack, world):
    (bravo,), = stack.sql(
        "SELECT MIN(c.id) FROM customers c JOIN tenants t ON t.id = "
        "c.tenant_id WHERE t.slug = 'bravo'")
    rep3 = Api(stack, world, "rep3")
    other = rep3.customer()
    rep3.pay(other, inv(), "10", "2024-01-01", expect=201)
    for login, cid, seen in (("rep1", bravo, False), ("boss", bravo, False),
                             ("rep1", other, False), ("mgr", other, False),
                             ("boss", other, True)):
        api = Api(stack, world, login)
        want = 200 if seen else 404
        r = api.get(f"/api/v1/customers/{cid}/payments")
        assert r.status_code == want, (login, cid)
        assert MARKER not in r.text
        r = api.get(f"/api/v1/customers/{cid}/credit?window_days=30")
        assert r.status_code == want, (login, cid)
        if not seen:
            r = api.pay(cid, inv(), "10", "2024-01-01")
            assert r.status_code == 404, (login, cid, r.text)
            # Even a body that fails every check: 404, not 422.
            r = api.post(f"/api/v1/customers/{cid}/payments", json={})
            assert r.status_code == 404
        page = world.client("acme", login).get(f"/customers/{cid}/payments")
        assert page.status_code == want, (login, cid)
        assert MARKER not in page.text


# --- credit facts ---------------------------------------------------------------

# (offset of due_on from TODAY, offset of paid_on or None, amount)
EDGES = {
    "OUT-EDGE": (-30, None, "100.00"),   # due exactly today - window: out
    "DUE-TODAY": (0, None, "200.00"),    # due today, unpaid: in, not late
    "ON-TIME": (-29, -29, "300.00"),     # paid on its due date: not late
    "DAY-LATE": (-10, -9, "400.00"),     # paid a day after: late, 1
    "YESTERDAY": (-1, None, "500.00"),   # unpaid, due yesterday: late, 1
    "LONG-LATE": (-20, -5, "600.00"),    # paid 15 days late
    "FUTURE": (5, None, "700.00"),       # not due yet: open, not in window
    "EARLY": (-3, -8, "800.00"),         # paid before due: not late
}


def expected_facts(window):
    """The facts computed here from EDGES, as payments.h defines them."""
    out = {"payments": 0, "late_payments": 0, "max_days_late": 0,
           "open_balance": 0.0, "overdue_balance": 0.0}
    for due, paid, amount in EDGES.values():
        amount = float(amount)
        if paid is None:
            out["open_balance"] += amount
            if due < 0:
                out["overdue_balance"] += amount
        if not -window < due <= 0:
            continue
        out["payments"] += 1
        late = (paid - due) if paid is not None else -due
        if late > 0:
            out["late_payments"] += 1
            out["max_days_late"] = max(out["max_days_late"], late)
    return out


@pytest.fixture(scope="module")
def edges(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer()
    tag = uuid.uuid4().hex[:6]
    for name, (due, paid, amount) in EDGES.items():
        api.pay(cid, f"{name}-{tag}", amount, day(due),
                day(paid) if paid is not None else "", expect=201)
    return api, cid


@pytest.mark.parametrize("window", [30, 31, 1, 20, 366])
def test_credit_facts_at_the_edges(edges, window):
    api, cid = edges
    r = api.get(f"/api/v1/customers/{cid}/credit",
                params={"window_days": window, "today": TODAY.isoformat()})
    assert r.status_code == 200, r.text
    got = r.json()
    want = expected_facts(window)
    assert got["window_days"] == window and got["today"] == TODAY.isoformat()
    for k, v in want.items():
        assert got[k] == pytest.approx(v), (k, got, want)


def test_credit_facts_by_hand(edges):
    """The same edges without the helper: the helper can be wrong too."""
    api, cid = edges
    got = api.get(f"/api/v1/customers/{cid}/credit",
                  params={"window_days": 30, "today": "2024-03-15"}).json()
    # In: DUE-TODAY, ON-TIME, DAY-LATE, YESTERDAY, LONG-LATE, EARLY.
    assert (got["payments"], got["late_payments"], got["max_days_late"]) == \
        (6, 3, 15)
    assert got["open_balance"] == pytest.approx(100 + 200 + 500 + 700)
    assert got["overdue_balance"] == pytest.approx(100 + 500)
    # One day more and the payment due on the edge is in, 30 days late.
    got = api.get(f"/api/v1/customers/{cid}/credit",
                  params={"window_days": 31, "today": "2024-03-15"}).json()
    assert (got["payments"], got["late_payments"], got["max_days_late"]) == \
        (7, 4, 30)


@pytest.mark.parametrize("query", ["window_days=0", "window_days=367",
                                   "window_days=x", "today=2024-02-30",
                                   "today=15.03.2024"])
def test_credit_refuses_bad_windows(edges, query):
    api, cid = edges
    r = api.get(f"/api/v1/customers/{cid}/credit?{query}")
    assert r.status_code == 422, r.text


def test_a_customer_without_payments_has_zero_facts(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer()
    got = api.get(f"/api/v1/customers/{cid}/credit").json()
    assert (got["window_days"], got["payments"], got["late_payments"],
            got["max_days_late"], got["open_balance"],
            got["overdue_balance"]) == (90, 0, 0, 0, 0, 0)
    assert api.get(f"/api/v1/customers/{cid}/payments").json() == \
        {"payments": []}


# --- import -------------------------------------------------------------------

def csv_of(*lines):
    return ("\r\n".join(lines) + "\r\n")


def import_api(api, text, keep_good=False, encoding="utf-8", as_body=False):
    data = text.encode(encoding)
    if as_body:
        return api.post("/api/v1/payments/import",
                        params={"keep_good": "1" if keep_good else "0"},
                        headers={"Content-Type": "text/csv"}, data=data)
    return api.post("/api/v1/payments/import",
                    data={"keep_good": "1" if keep_good else "0"},
                    files={"file": ("payments.csv", data, "text/csv")})


def test_import_utf8_by_id_and_name(stack, world):
    api = Api(stack, world, "rep1")
    name = f"导入付款 {uuid.uuid4().hex[:8]}"
    a, b = api.customer(name), api.customer()
    n1, n2, n3 = inv("U"), inv("U"), inv("U")
    text = csv_of("customer,invoice_no,amount,due_on,paid_on,note",
                  f"{name},{n1},\"1,500.00\",2024-01-31,2024-02-02,第一笔",
                  f"{b},{n2},20,2024-02-29,,",
                  f"{b},{n3},30.5,2024-03-31,,\"有,逗号\"")
    r = import_api(api, text)
    assert r.status_code == 200, r.text
    assert r.json() == {"saved": 3, "bad": 0, "report": []}
    assert [x[1:6] for x in rows_of(stack, a)] == [
        [n1, "1500.00", "2024-01-31", "2024-02-02", "第一笔"]]
    assert [x[1:6] for x in rows_of(stack, b)] == sorted([
        [n2, "20.00", "2024-02-29", "-", ""],
        [n3, "30.50", "2024-03-31", "-", "有,逗号"]])


def test_import_gbk_with_chinese_headers(stack, world):
    api = Api(stack, world, "rep1")
    name = f"国标客户 {uuid.uuid4().hex[:8]}"
    cid = api.customer(name)
    n1, n2 = inv("G"), inv("G")
    text = csv_of("客户,发票号,金额,到期日,付款日期,备注",
                  f"{name},{n1},88.8,2024-01-05,,中文备注",
                  f"{cid},{n2},99,2024-01-06,2024-01-06,按时")
    r = import_api(api, text, encoding="gbk")
    assert r.status_code == 200, r.text
    assert (r.json()["saved"], r.json()["bad"]) == (2, 0)
    assert [x[1:6] for x in rows_of(stack, cid)] == sorted([
        [n1, "88.80", "2024-01-05", "-", "中文备注"],
        [n2, "99.00", "2024-01-06", "2024-01-06", "按时"]])


@pytest.fixture()
def mixed(stack, world):
    """A file of five lines: three good, the 3rd and the 6th line bad, the
    5th naming another company's customer (unknown here)."""
    api = Api(stack, world, "rep1")
    cid = api.customer()
    (bravo,), = stack.sql(
        "SELECT MIN(c.id) FROM customers c JOIN tenants t ON t.id = "
        "c.tenant_id WHERE t.slug = 'bravo'")
    good = [inv("M"), inv("M"), inv("M")]
    text = csv_of("customer,invoice_no,amount,due_on,paid_on,note",
                  f"{cid},{good[0]},10,2024-01-01,,",
                  f"{cid},{inv('M')},ten,2024-01-02,,",
                  f"{cid},{good[1]},11,2024-01-03,,",
                  f"{bravo},{inv('M')},12,2024-01-04,,",
                  f"{cid},{good[0]},13,2024-01-05,,",
                  f"{cid},{good[2]},14,2024-01-06,2024-01-07,")
    return api, cid, good, text


def report_of(r):
    return sorted((p["line"], p["field"], p["code"])
                  for p in r.json()["report"])


BAD_LINES = [(3, "amount", "payments.bad_amount"),
             (5, "customer", "payments.import_unknown_customer"),
             (6, "invoice_no", "payments.import_invoice_repeated")]


def test_import_all_or_nothing(stack, mixed):
    api, cid, good, text = mixed
    r = import_api(api, text)
    assert r.status_code == 422, r.text
    assert (r.json()["saved"], r.json()["bad"]) == (0, 3)
    assert report_of(r) == BAD_LINES
    assert all(p["message"] for p in r.json()["report"])
    assert MARKER not in r.text
    assert rows_of(stack, cid) == []


def test_import_keep_good_and_again(stack, mixed):
    api, cid, good, text = mixed
    before = audits(stack, "payment.import")
    r = import_api(api, text, keep_good=True)
    assert r.status_code == 200, r.text
    assert (r.json()["saved"], r.json()["bad"]) == (3, 3)
    assert report_of(r) == BAD_LINES
    rows = rows_of(stack, cid)
    assert sorted(x[1] for x in rows) == sorted(good)
    assert audits(stack, "payment.import") == before + 1
    # The same file again: the same answer, and nothing changes.
    r = import_api(api, text, keep_good=True, as_body=True)
    assert r.status_code == 200, r.text
    assert (r.json()["saved"], r.json()["bad"]) == (3, 3)
    assert rows_of(stack, cid) == rows
    assert audits(stack, "payment.import") == before + 1


def test_import_refuses_another_customers_invoice(stack, world):
    api = Api(stack, world, "rep1")
    a, b = api.customer(), api.customer()
    taken, fresh = inv("T"), inv("T")
    api.pay(a, taken, "10", "2024-01-01", expect=201)
    text = csv_of("customer,invoice_no,amount,due_on",
                  f"{b},{fresh},5,2024-02-01",
                  f"{b},{taken},6,2024-02-02")
    r = import_api(api, text)
    assert r.status_code == 422
    assert report_of(r) == [(3, "invoice_no", "payments.invoice_taken")]
    assert rows_of(stack, b) == []
    r = import_api(api, text, keep_good=True)
    assert (r.status_code, r.json()["saved"], r.json()["bad"]) == (200, 1, 1)
    assert [x[1] for x in rows_of(stack, b)] == [fresh]
    assert [x[2] for x in rows_of(stack, a)] == ["10.00"]


@pytest.mark.parametrize("text,code", [
    ("\r\n\r\n", "payments.import_empty"),
    ("customer,amount,due_on\r\n1,2,2024-01-01\r\n",
     "payments.import_no_column"),
    ("customer,invoice_no,amount,due_on,colour\r\n",
     "payments.import_unknown_column"),
    ("customer,invoice_no,amount,due_on\r\n\"1,A,1,2024-01-01\r\n",
     "csv.unterminated_quote"),
])
def test_import_refuses_a_bad_file_whatever_the_mode(stack, world, text,
                                                      code):
    api = Api(stack, world, "rep1")
    for keep in (False, True):
        r = import_api(api, text, keep_good=keep, as_body=True)
        assert r.status_code == 422, r.text
        assert code in [p["code"] for p in r.json()["report"]]
        assert r.json()["saved"] == 0


def test_import_page(stack, world, mixed):
    api, cid, good, text = mixed
    rep = world.client("acme", "rep1")
    assert rep.get("/payments/import").status_code == 200
    files = {"file": ("p.csv", text.encode("gbk"), "text/csv")}
    r = rep.post("/payments/import", {"keep_good": "0"}, files=files)
    assert r.status_code == 422
    lines = re.findall(r'<tr data-line="(\d+)" data-code="([a-z_.]+)"',
                       r.text)
    assert sorted((int(n), c) for n, c in lines) == \
        [(n, c) for n, _, c in BAD_LINES]
    assert rows_of(stack, cid) == []
    r = rep.post("/payments/import", {"keep_good": "1"}, files=files)
    assert r.status_code == 200
    assert 'data-saved="3"' in r.text and 'data-bad="3"' in r.text
    assert sorted(x[1] for x in rows_of(stack, cid)) == sorted(good)
    r = rep.post("/payments/import", {"keep_good": "1"})
    assert r.status_code == 422
    assert "payments.import_no_file" in html.unescape(r.text)


def test_cli_import(stack, world, tmp_path):
    api = Api(stack, world, "rep1")
    cid = api.customer()
    n1, n2 = inv("C"), inv("C")
    path = tmp_path / "payments.csv"
    path.write_bytes(csv_of("客户,发票号,金额,应付日期,付款日期,备注",
                            f"{cid},{n1},1,2024-01-01,,cli",
                            f"{cid},{n2},-2,2024-01-02,,cli").encode("gbk"))
    args = ["payments", "import", "--tenant", "acme", "--user", "rep1"]
    r = stack.cli(*args, str(path), check=False)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "line 3: amount:" in r.stdout
    assert "saved 0, refused 1" in r.stdout
    assert rows_of(stack, cid) == []
    r = stack.cli(*args, "--keep-good", str(path), check=False)
    assert r.returncode == 1 and "saved 1, refused 1" in r.stdout
    assert [x[1] for x in rows_of(stack, cid)] == [n1]
    # Acting as a user: another rep's customer is unknown to rep2.
    r = stack.cli("payments", "import", "--tenant", "acme", "--user", "rep2",
                  "--keep-good", str(path), check=False)
    assert r.returncode == 1
    assert "line 2: customer:" in r.stdout and "line 3:" in r.stdout
    # Without paid_on and note columns an update keeps what is stored.
    stack.sql(f"UPDATE payments SET paid_on = '2024-01-09' WHERE "
              f"invoice_no = '{n1}'")
    path.write_text(csv_of("customer,invoice_no,amount,due_on",
                           f"{cid},{n1},1.5,2024-01-01"))
    r = stack.cli(*args, str(path), check=False)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "saved 1, refused 0" in r.stdout
    assert [x[1:6] for x in rows_of(stack, cid)] == [
        [n1, "1.50", "2024-01-01", "2024-01-09", "cli"]]
