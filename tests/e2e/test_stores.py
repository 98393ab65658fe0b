"""The store network and new-product campaigns (issue 16, item 1).

Stores: every field is checked (table below) on every path; create,
update, close and reopen write an audit entry and keep the store's
customer (kind "store", owned by the supervisor) in step, which a
supervisor can visit but which stays out of the pipeline (board and
metrics); the CSV import takes UTF-8 or GBK with English or Chinese
headers, all or nothing, naming the bad line; the export reads back in
unchanged.  Isolation: a store manager sees their store only, a
supervisor their area, a manager their team's areas, marketing and admins
every store -- in the list, the API, the edit page and the export.
A store's customer is not a deal: every path that moves a customer's
stage (page, board, bulk, API) refuses it with store_no_stage, its page
shows a line to the store instead of the stage controls, and no edit
makes a customer a store or a store something else.
Campaigns: product, launch day (the product's by default), targeted
stores by code (a manager's edit keeps the stores outside their scope),
the talk-track files, and pos_state's version bumped by every change."""
import csv
import html
import io
import json
import pathlib
import re
import uuid

import pytest
import requests

from identity import Account, Client

PASSWORD = "Stores-Test-Pass-2026"
# login, role, manager
PEOPLE = [("boss", "admin", None), ("mgr", "manager", None),
          ("sup1", "supervisor", "mgr"), ("sup2", "supervisor", None),
          ("sm1", "store_manager", "sup1"), ("sm2", "store_manager", "sup2"),
          ("mkt", "marketing", None), ("rep", "rep", "mgr")]


@pytest.fixture(scope="module")
def co(stack):
    slug = "st" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "Store Co")
    for login, role, mgr in PEOPLE:
        args = ["user", "add", "--tenant", slug, "--login", login, "--role",
                role, "--name", f"{login} 名", "--password-stdin"]
        if mgr:
            args += ["--manager", mgr]
        stack.cli(*args, input_text=PASSWORD + "\n")
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    out = {"slug": slug, "tid": tid, "api": {}, "ids": {}, "web": {}}
    for login, role, _ in PEOPLE:
        tok = stack.cli("token", "create", "--tenant", slug, "--user",
                        login).stdout.strip()
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {tok}"
        s.headers["Accept-Language"] = "en"
        out["api"][login] = s
        out["ids"][login] = int(stack.sql(
            f"SELECT id FROM users WHERE tenant_id = {tid} AND "
            f"login = '{login}'")[0][0])
    return out


def web(stack, co, login):
    if login not in co["web"]:
        role = dict((p[0], p[1]) for p in PEOPLE)[login]
        c = Client(stack, Account(co["slug"], login, PASSWORD, role))
        c.sign_in()
        co["web"][login] = c
    return co["web"][login]


def call(stack, co, login, method, path, expect=None, **kw):
    r = co["api"][login].request(method, stack.url(path), timeout=60, **kw)
    if expect is not None:
        assert r.status_code == expect, (login, method, path, r.status_code,
                                         r.text[:500])
    return r


def tag():
    return uuid.uuid4().hex[:6].upper()


def store(stack, co, login="boss", **fields):
    body = {"code": f"S{tag()}", "name": "门店", "supervisor": "sup1"}
    body.update(fields)
    return call(stack, co, login, "POST", "/api/v1/stores", 201,
                json=body).json()


# --- field checks -----------------------------------------------------------

# (fields over a good store, login, field, catalog key); None: accepted.
FIELD_ROWS = [
    ({"code": "bad code!"}, "boss", "code", "store.bad_code"),
    ({"code": "x" * 33}, "boss", "code", "validate.too_long"),
    ({"code": ""}, "boss", "code", "validate.required"),
    ({"name": ""}, "boss", "name", "validate.required"),
    ({"lat": "91", "lng": "121"}, "boss", "lat", "store.bad_lat"),
    ({"lat": "31.2", "lng": "-181"}, "boss", "lng", "store.bad_lng"),
    ({"lat": "31.2", "lng": ""}, "boss", "lng", "store.bad_lng"),
    ({"lat": "北纬", "lng": "121"}, "boss", "lat", "store.bad_lat"),
    ({"format": "shop"}, "boss", "format", "store.bad_format"),
    ({"opened_on": "2026-02-30"}, "boss", "opened_on", "store.bad_day"),
    ({"opened_on": "2026-03-01", "closed_on": "2026-03-01"}, "boss",
     "closed_on", "store.closed_early"),
    ({"opened_on": "2026-03-02", "closed_on": "2026-03-01"}, "boss",
     "closed_on", "store.closed_early"),
    ({"supervisor": "rep"}, "boss", "supervisor", "store.bad_supervisor"),
    ({"supervisor": "nobody"}, "boss", "supervisor", "store.bad_supervisor"),
    ({"supervisor": "sm1"}, "boss", "supervisor", "store.bad_supervisor"),
    ({"supervisor": ""}, "mgr", "supervisor", "store.supervisor_required"),
    ({"supervisor": "sup2"}, "mgr", "supervisor", "store.bad_supervisor"),
    ({"managers": "rep"}, "boss", "managers", "store.bad_manager"),
    ({"managers": "sm1, ghost"}, "boss", "managers", "store.bad_manager"),
    # accepted
    ({"format": "加盟", "lat": "31.230416", "lng": "121.473701"}, "boss",
     None, None),
    ({"supervisor": "", "opened_on": "2026/03/01"}, "boss", None, None),
    ({"supervisor": "sup1", "managers": "sm1，sm2"}, "mgr", None, None),
    ({"supervisor": str(0)}, "boss", "supervisor", "store.bad_supervisor"),
]


@pytest.mark.parametrize("over,login,field,key", FIELD_ROWS)
def test_fields_are_checked(stack, co, over, login, field, key):
    body = {"code": f"F{tag()}", "name": "检查店", "address": "上海",
            "supervisor": "sup1"}
    body.update(over)
    n0 = stack.sql(f"SELECT COUNT(*) FROM stores WHERE tenant_id = "
                   f"{co['tid']}")[0][0]
    r = call(stack, co, login, "POST", "/api/v1/stores", json=body)
    n1 = stack.sql(f"SELECT COUNT(*) FROM stores WHERE tenant_id = "
                   f"{co['tid']}")[0][0]
    if field is None:
        assert r.status_code == 201, r.text
        assert int(n1) == int(n0) + 1
        return
    assert r.status_code == 422, r.text
    assert r.json()["codes"].get(field) == key, r.json()
    assert n1 == n0


def test_the_page_shows_the_same_problems(stack, co):
    c = web(stack, co, "boss")
    r = c.post("/stores", {"code": "bad code!", "name": "", "lat": "91",
                           "lng": "0", "supervisor": "sup1"})
    assert r.status_code == 422
    for field in ("code", "name", "lat"):
        assert f'data-field="{field}"' in r.text, field


def test_only_admins_and_managers_write_stores(stack, co):
    for login in ("sup1", "sm1", "mkt", "rep"):
        r = call(stack, co, login, "POST", "/api/v1/stores",
                 json={"code": f"W{tag()}", "name": "x"})
        assert r.status_code == 404, (login, r.status_code)
        assert web(stack, co, login).get("/stores/new").status_code == 404


# --- create, update, close -------------------------------------------------

def customer_of(stack, co, sid):
    row = stack.sql("SELECT c.id, c.kind, c.owner_id, c.name, c.address, "
                    "c.lat, c.lng FROM stores s JOIN customers c ON c.id = "
                    f"s.customer_id WHERE s.id = {sid}")
    assert row, "the store has no customer"
    return row[0]


def audit_events(stack, co, since):
    return [r[0] for r in stack.sql(
        f"SELECT event FROM audit_log WHERE tenant_id = {co['tid']} AND "
        f"id > {since} ORDER BY id")]


def audit_top(stack):
    return int(stack.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0])


def test_create_update_close_and_reopen(stack, co):
    c = web(stack, co, "boss")
    t = tag()
    a0 = audit_top(stack)
    r = c.post("/stores", {"code": f"C{t}", "name": f"南京路店 {t}",
                           "address": "南京东路 1 号", "lat": "31.2354",
                           "lng": "121.4747", "region": "华东",
                           "supervisor": "sup1", "format": "franchise",
                           "opened_on": "2026-01-05", "managers": "sm1"})
    assert r.status_code == 303, r.text[:800]
    sid = int(re.search(r"/stores/(\d+)/edit", r.headers["Location"])[1])
    cid, kind, owner, name, addr, lat, lng = customer_of(stack, co, sid)
    assert (kind, int(owner), name, addr) == (
        "store", co["ids"]["sup1"], f"南京路店 {t}", "南京东路 1 号")
    assert (float(lat), float(lng)) == (31.2354, 121.4747)
    got = call(stack, co, "boss", "GET", f"/api/v1/stores/{sid}", 200).json()
    assert got["format"] == "franchise" and got["managers"] == ["sm1"]
    assert got["supervisor"]["login"] == "sup1" and got["open"] is True
    assert got["customer_id"] == int(cid)
    # The edit page links to a new visit at the store's customer.
    page = c.get(f"/stores/{sid}/edit").text
    assert f'href="/visits/new?customer={cid}"' in page
    # A new supervisor becomes the customer's owner; the name follows.
    r = c.post(f"/stores/{sid}/edit", {
        "code": f"C{t}", "name": f"南京路旗舰店 {t}", "address": "南京东路 2 号",
        "region": "华东", "supervisor": "mgr", "format": "direct",
        "opened_on": "2026-01-05", "managers": ""})
    assert r.status_code == 303, r.text[:800]
    _, kind, owner, name, addr, _, _ = customer_of(stack, co, sid)
    assert (kind, int(owner), name, addr) == (
        "store", co["ids"]["mgr"], f"南京路旗舰店 {t}", "南京东路 2 号")
    got = call(stack, co, "boss", "GET", f"/api/v1/stores/{sid}", 200).json()
    assert got["managers"] == [] and got["format"] == "direct"
    # Without a supervisor the customer keeps its owner.
    r = c.post(f"/stores/{sid}/edit", {
        "code": f"C{t}", "name": f"南京路旗舰店 {t}", "supervisor": "",
        "opened_on": "2026-01-05"})
    assert r.status_code == 303, r.text[:800]
    assert int(customer_of(stack, co, sid)[2]) == co["ids"]["mgr"]
    assert call(stack, co, "boss", "GET", f"/api/v1/stores/{sid}",
                200).json()["supervisor"] is None
    # Closing needs a day after the opening; then the store is closed.
    r = c.post(f"/stores/{sid}/close", {"closed_on": "2026-01-05"})
    assert r.status_code == 422 and 'data-key="store.closed_early"' in r.text
    assert f'name="code" value="C{t}"' in r.text   # the stored store
    r = c.post(f"/stores/{sid}/close", {"closed_on": ""})
    assert r.status_code == 422
    r = c.post(f"/stores/{sid}/close", {"closed_on": "2026-02-01"})
    assert r.status_code == 303
    got = call(stack, co, "boss", "GET", f"/api/v1/stores/{sid}", 200).json()
    assert got["closed_on"] == "2026-02-01" and got["open"] is False
    closed = call(stack, co, "boss", "GET",
                  f"/api/v1/stores?q=C{t}&active=0", 200).json()["stores"]
    assert [s["id"] for s in closed] == [sid]
    assert call(stack, co, "boss", "GET", f"/api/v1/stores?q=C{t}&active=1",
                200).json()["stores"] == []
    r = c.post(f"/stores/{sid}/reopen", {})
    assert r.status_code == 303
    got = call(stack, co, "boss", "GET", f"/api/v1/stores/{sid}", 200).json()
    assert got["closed_on"] == "" and got["open"] is True
    assert audit_events(stack, co, a0) == [
        "customer.create", "store.create", "store.update", "store.update",
        "store.close", "store.reopen"]
    # The audit page reads them as sentences.
    audit = c.get("/admin/audit").text
    assert f"Added store C{t}" in audit and f"Closed store C{t}" in audit
    # A code in use is refused.
    r = call(stack, co, "boss", "POST", "/api/v1/stores",
             json={"code": f"c{t}", "name": "x", "supervisor": "sup1"})
    assert r.status_code == 409, r.text


def test_a_store_is_visited_through_its_customer(stack, co):
    s = store(stack, co, name=f"拜访店 {tag()}", supervisor="sup1",
              lat="31.2", lng="121.4")
    r = call(stack, co, "sup1", "POST", "/api/v1/visits", json={
        "customer": s["customer_id"], "visit_type": "store_visit",
        "lat": 31.2, "lng": 121.4, "accuracy": 10})
    assert r.status_code == 201, r.text
    assert stack.sql(f"SELECT customer_id, rep_id FROM activities WHERE id = "
                     f"{r.json()['id']}") == [[str(s["customer_id"]),
                                               str(co["ids"]["sup1"])]]
    # The customer forms do not make customers of kind store.
    r = call(stack, co, "boss", "POST", "/api/v1/customers", json={
        "name": f"假门店 {tag()}", "kind": "store", "confirm_duplicate": True})
    assert r.status_code == 422 and \
        r.json()["codes"]["kind"] == "customer.kind_store"


def test_a_store_is_not_in_the_pipeline(stack, co):
    def lead_n():
        r = call(stack, co, "boss", "GET", "/api/v1/metrics/stage-health",
                 200).json()
        return next(s for s in r["stages"] if s["stage"] == "lead")["n"]

    def funnel_entered():
        r = call(stack, co, "boss", "GET", "/api/v1/metrics/funnel",
                 200).json()
        return next(s for s in r["stages"]
                    if s["stage"] == "lead")["entered"]

    n0, e0 = lead_n(), funnel_entered()
    t = tag()
    s = store(stack, co, name=f"管线外 {t}", supervisor="sup1")
    store(stack, co, name=f"管线外二 {t}", supervisor="")
    assert (lead_n(), funnel_entered()) == (n0, e0)
    page = web(stack, co, "boss").get(f"/pipeline?q={t}").text
    assert f'data-id="{s["customer_id"]}"' not in page
    # An ordinary customer counts (so the check above can fail).
    r = call(stack, co, "boss", "POST", "/api/v1/customers", json={
        "name": f"管线内 {t}", "kind": "dealer", "confirm_duplicate": True})
    assert r.status_code == 201, r.text
    assert (lead_n(), funnel_entered()) == (n0 + 1, e0 + 1)
    page = web(stack, co, "boss").get(f"/pipeline?q={t}").text
    assert f'data-id="{r.json()["id"]}"' in page


# --- a store is not a deal ---------------------------------------------------

I18N = pathlib.Path(__file__).resolve().parents[2] / "templates" / "i18n"
NO_STAGE = {lang: json.loads((I18N / f"{lang}.json").read_text())
            ["stage"]["refused"]["store_no_stage"]
            for lang in ("zh-CN", "en")}


def ordinary(stack, co, name):
    return call(stack, co, "boss", "POST", "/api/v1/customers", 201, json={
        "name": name, "kind": "dealer", "confirm_duplicate": True}).json()["id"]


def stage_row(stack, cid):
    """The customer's stage and the number of its stage events."""
    return stack.sql(f"SELECT c.stage, (SELECT COUNT(*) FROM stage_events e "
                     f"WHERE e.customer_id = c.id) FROM customers c WHERE "
                     f"c.id = {cid}")[0]


def says_no_stage(text):
    text = html.unescape(text)
    return any(m in text for m in NO_STAGE.values())


def test_a_store_customer_never_changes_stage(stack, co):
    t = tag()
    s = store(stack, co, name=f"不动店 {t}", supervisor="sup1")
    scid = s["customer_id"]
    assert stage_row(stack, scid) == ["lead", "1"]   # its creation
    moved, bulked = ordinary(stack, co, f"可动 {t}"), ordinary(stack, co,
                                                             f"批量 {t}")
    # The API: 409 with the code and the message (English for this client).
    for body in ({"to": "lost", "lost_reason": "price"}, {"to": "intent"}):
        r = call(stack, co, "boss", "POST", f"/api/v1/customers/{scid}/stage",
                 json=body)
        assert r.status_code == 409, r.text
        assert (r.json()["code"], r.json()["message"]) == (
            "store_no_stage", NO_STAGE["en"])
    # An ordinary customer still moves.
    r = call(stack, co, "boss", "POST", f"/api/v1/customers/{moved}/stage",
             json={"to": "lost", "lost_reason": "price"})
    assert r.status_code == 200, r.text
    assert stage_row(stack, moved) == ["lost", "2"]
    # The page: refused at once, without asking to confirm the loss first.
    page = web(stack, co, "boss")
    for form in ({"to": "lost", "lost_reason": "price"}, {"to": "intent"},
                 {"to": "lost", "lost_reason": "price", "confirm": "1"}):
        r = page.post(f"/customers/{scid}/stage", form)
        assert r.status_code == 409, (form, r.status_code)
        assert 'id="refusal"' in r.text and says_no_stage(r.text), form
    # The board.
    r = page.post("/pipeline/move", {"id": scid, "to": "intent"})
    assert r.status_code == 409 and says_no_stage(r.text)
    # The bulk action reports the store as refused, the other as moved.
    r = page.post("/customers/bulk", {"action": "stage", "to": "lost",
                                      "lost_reason": "price",
                                      "ids": [scid, bulked]})
    assert r.status_code == 200
    items = dict(re.findall(r'<li><a href="/customers/(\d+)">.*?</a>:(.*?)'
                            r'</li>', r.text, re.S))
    assert 'class="refused"' in items[str(scid)]
    assert says_no_stage(items[str(scid)])
    assert 'class="badge"' in items[str(bulked)]
    assert re.search(r"1 / 2", r.text)
    assert stage_row(stack, bulked) == ["lost", "2"]
    assert stage_row(stack, scid) == ["lead", "1"]


def test_a_store_customer_page_shows_no_stage_controls(stack, co):
    t = tag()
    s = store(stack, co, name=f"页面店 {t}", supervisor="sup1")
    sid, scid = s["id"], s["customer_id"]
    text = web(stack, co, "sup1").get(f"/customers/{scid}").text
    assert f'action="/customers/{scid}/stage"' not in text
    assert 'class="stage-path"' not in text
    assert 'id="evidence"' not in text and 'class="stage-chip"' not in text
    assert 'id="store-of"' in text and f'href="/stores/{sid}"' in text
    # An ordinary customer's page has them (so the checks above can fail).
    cid = ordinary(stack, co, f"页面客户 {t}")
    text = web(stack, co, "boss").get(f"/customers/{cid}").text
    assert f'action="/customers/{cid}/stage"' in text
    assert 'class="stage-path"' in text and 'id="evidence"' in text
    assert 'id="store-of"' not in text


def test_no_edit_changes_the_kind_store(stack, co):
    t = tag()
    s = store(stack, co, name=f"改类店 {t}", supervisor="sup1")
    scid = s["customer_id"]
    cid = ordinary(stack, co, f"改类客户 {t}")

    def kind(x):
        return stack.sql(f"SELECT kind FROM customers WHERE id = {x}")[0][0]

    def version(x):
        return call(stack, co, "boss", "GET", f"/api/v1/customers/{x}",
                    200).json()["version"]
    def city(x):
        return stack.sql(f"SELECT city FROM customers WHERE id = {x}")[0][0]
    for x, to in ((scid, "dealer"), (cid, "store")):
        r = call(stack, co, "boss", "PATCH", f"/api/v1/customers/{x}", json={
            "version": version(x), "kind": to, "city": f"杭州{t}"})
        # The edit went through (so the kind was really sent with it).
        assert city(x) == f"杭州{t}"
        r = web(stack, co, "boss").post(f"/customers/{x}", {
            "name": f"改后 {t} {x}", "kind": to, "city": f"南京{t}",
            "version": version(x)})
        assert city(x) == f"南京{t}"
    assert (kind(scid), kind(cid)) == ("store", "dealer")


# --- import and export -----------------------------------------------------

HEADER = ("code,name,address,lat,lng,region,supervisor,format,opened_on,"
          "closed_on,managers\r\n")


def upload(stack, co, data, login="boss"):
    c = web(stack, co, login)
    return c.post("/stores/import", {},
                  files={"file": ("stores.csv", data, "text/csv")})


def rows_of(stack, co, prefix):
    return stack.sql(
        "SELECT s.code, s.name, s.region, COALESCE(u.login, ''), s.format, "
        "COALESCE(s.opened_on, ''), COALESCE(s.closed_on, '') FROM stores s "
        "LEFT JOIN users u ON u.id = s.supervisor_id WHERE s.tenant_id = "
        f"{co['tid']} AND s.code LIKE '{prefix}%' ORDER BY s.code")


def test_import_utf8_then_gbk_updates(stack, co):
    t = tag()
    body = HEADER + (f"I{t}-1,徐家汇店,上海,31.19,121.43,华东,sup1,direct,"
                     f"2026-01-01,,sm1\r\n"
                     f"I{t}-2,\"五角场店, 北\",上海,,,华东,sup2,franchise,,,\r\n")
    r = upload(stack, co, body.encode())
    assert r.status_code == 303, r.text[:1500]
    assert rows_of(stack, co, f"I{t}") == [
        [f"I{t}-1", "徐家汇店", "华东", "sup1", "direct", "2026-01-01", ""],
        [f"I{t}-2", "五角场店, 北", "华东", "sup2", "franchise", "", ""]]
    kinds = stack.sql("SELECT c.kind, c.owner_id FROM stores s JOIN "
                      "customers c ON c.id = s.customer_id WHERE s.code = "
                      f"'I{t}-2' AND s.tenant_id = {co['tid']}")
    assert kinds == [["store", str(co["ids"]["sup2"])]]
    # Chinese headers in GBK: an existing code is updated, a new one added.
    gbk = ("门店编码,门店名称,区域,督导,类型,开业日期,闭店日期,店长\r\n"
           f"I{t}-2,五角场旗舰店,华北,sup1,加盟,2026/02/01,2026-12-01,sm1\r\n"
           f"I{t}-3,静安寺店,华东,sup1,直营,,,\r\n").encode("gbk")
    r = upload(stack, co, gbk)
    assert r.status_code == 303, r.text[:1500]
    assert rows_of(stack, co, f"I{t}") == [
        [f"I{t}-1", "徐家汇店", "华东", "sup1", "direct", "2026-01-01", ""],
        [f"I{t}-2", "五角场旗舰店", "华北", "sup1", "franchise", "2026-02-01",
         "2026-12-01"],
        [f"I{t}-3", "静安寺店", "华东", "sup1", "direct", "", ""]]
    owner = stack.sql("SELECT c.owner_id, c.name FROM stores s JOIN "
                      "customers c ON c.id = s.customer_id WHERE s.code = "
                      f"'I{t}-2' AND s.tenant_id = {co['tid']}")
    assert owner == [[str(co["ids"]["sup1"]), "五角场旗舰店"]]


# (a bad line, the field named) -- each refuses the whole file.
BAD_LINES = [
    ("bad code!,名,,,,,sup1,,,,", "code"),
    ("X{t}-9,,,,,,sup1,,,,", "name"),
    ("X{t}-9,名,,95,120,,sup1,,,,", "lat"),
    ("X{t}-9,名,,,,,rep,,,,", "supervisor"),
    ("X{t}-9,名,,,,,sup1,mall,,,", "format"),
    ("X{t}-9,名,,,,,sup1,,2026-13-01,,", "opened_on"),
    ("X{t}-9,名,,,,,sup1,,2026-03-01,2026-02-01,", "closed_on"),
    ("X{t}-9,名,,,,,sup1,,,,ghost", "managers"),
    ("X{t}-1,重复,,,,,sup1,,,,", "code"),
]


@pytest.mark.parametrize("bad,field", BAD_LINES)
def test_one_bad_line_refuses_the_file(stack, co, bad, field):
    t = tag()
    body = HEADER + (f"X{t}-1,好店一,,,,,sup1,,,,\r\n"
                     f"X{t}-2,好店二,,,,,sup1,,,,\r\n"
                     + bad.format(t=t) + "\r\n")
    r = upload(stack, co, body.encode())
    assert r.status_code == 422, r.text[:500]
    m = re.findall(r'<li data-line="(\d+)" data-field="([a-z_]*)">', r.text)
    assert m == [("4", field)], m
    assert rows_of(stack, co, f"X{t}") == []


def test_import_header_problems(stack, co):
    r = upload(stack, co, "名称,颜色\r\n店,红\r\n".encode())
    assert r.status_code == 422
    assert re.search(r'data-line="1" data-field="code"', r.text)
    assert "颜色" in r.text
    r = upload(stack, co, b"")
    assert r.status_code in (422, 400)


def test_export_reads_back_in(stack, co):
    t = tag()
    body = HEADER + (f"E{t}-1,\"=HYPERLINK(\"\"x\"\")\",\"@地址, 1\",31.2,-121.5,华东,"
                     f"sup1,franchise,2026-01-01,2026-06-01,sm1\r\n"
                     f"E{t}-2,+店,,,,华南,,direct,,,\r\n")
    assert upload(stack, co, body.encode()).status_code == 303
    before = rows_of(stack, co, f"E{t}")
    r = web(stack, co, "boss").get(f"/stores/export.csv?q=E{t}")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    got = list(csv.reader(io.StringIO(text)))
    assert got[0] == HEADER.strip().split(",")
    assert [g[0] for g in got[1:]] == [f"E{t}-1", f"E{t}-2"]
    assert got[1][1] == "'=HYPERLINK(\"x\")"      # neutralised
    assert got[1][2] == "'@地址, 1"
    assert got[2][1] == "'+店"
    assert got[1][6] == "sup1" and got[1][10] == "sm1"
    r = upload(stack, co, r.content)
    assert r.status_code == 303, r.text[:1500]
    assert rows_of(stack, co, f"E{t}") == before
    assert before[0][1] == "=HYPERLINK(\"x\")"


# --- who sees which store -------------------------------------------------

@pytest.fixture(scope="module")
def net(stack, co):
    """A store of sup1 (managed by sm1), of sup2 (sm2), of mgr, and one
    without a supervisor."""
    t = tag()
    out = {"t": t}
    for key, sup, mgrs in (("A", "sup1", "sm1"), ("B", "sup2", "sm2"),
                           ("C", "mgr", ""), ("D", "", "")):
        s = store(stack, co, code=f"N{t}{key}", name=f"网点 {key}",
                  supervisor=sup, managers=mgrs)
        out[key] = s["id"]
    return out


SEES = {"boss": "ABCD", "mkt": "ABCD", "mgr": "AC", "sup1": "A",
        "sup2": "B", "sm1": "A", "sm2": "B"}


@pytest.mark.parametrize("login", sorted(SEES))
def test_each_role_sees_its_stores(stack, co, net, login):
    t, want = net["t"], SEES[login]
    got = call(stack, co, login, "GET", f"/api/v1/stores?q=N{t}",
               200).json()["stores"]
    assert "".join(s["code"][-1] for s in got) == want
    for key in "ABCD":
        r = call(stack, co, login, "GET", f"/api/v1/stores/{net[key]}")
        assert r.status_code == (200 if key in want else 404), (login, key)
    c = web(stack, co, login)
    page = c.get(f"/stores?q=N{t}").text
    assert "".join(re.findall(rf'data-code="N{t}([A-D])"', page)) == want
    export = c.get(f"/stores/export.csv?q=N{t}")
    assert export.status_code == 200
    codes = [row[0] for row in csv.reader(io.StringIO(
        export.content.decode("utf-8-sig")))][1:]
    assert "".join(code[-1] for code in codes) == want
    for key in "ABCD":
        r = c.get(f"/stores/{net[key]}/edit")
        writer = login in ("boss", "mgr")
        assert r.status_code == (200 if writer and key in want else 404), \
            (login, key, r.status_code)
    # Writing a store out of scope is 404 too.
    if login == "mgr":
        r = call(stack, co, login, "PUT", f"/api/v1/stores/{net['B']}",
                 json={"code": f"N{t}B", "name": "x", "supervisor": "sup1"})
        assert r.status_code == 404


def test_a_rep_sees_no_stores(stack, co, net):
    assert call(stack, co, "rep", "GET", "/api/v1/stores").status_code == 404
    c = web(stack, co, "rep")
    assert c.get("/stores").status_code == 404
    assert c.get("/stores/export.csv").status_code == 404
    assert 'href="/stores"' not in c.get("/account").text
    assert 'href="/stores"' in web(stack, co, "sm1").get("/account").text


# --- products and campaigns -----------------------------------------------

def product(stack, co, launch_on=""):
    sku = f"P{tag()}"
    r = call(stack, co, "boss", "POST", "/api/v1/products", 201, json={
        "sku": sku, "name": f"新品 {sku}", "own": True,
        "launch_on": launch_on})
    return r.json()


def pos_version(stack, co):
    v = stack.sql(f"SELECT version FROM pos_state WHERE tenant_id = "
                  f"{co['tid']}")
    return int(v[0][0]) if v else 0


def test_products_have_a_launch_day(stack, co):
    p = product(stack, co, "2026-03-01")
    assert p["launch_on"] == "2026-03-01"
    r = call(stack, co, "boss", "POST", "/api/v1/products",
             json={"sku": f"P{tag()}", "name": "x", "own": True,
                   "launch_on": "2026-02-31"})
    assert r.status_code == 422 and \
        r.json()["codes"]["launch_on"] == "product.bad_day"
    t = tag()
    body = ("编码,名称,自有,上市日期\r\n"
            f"L{t},上市品,是,2026/04/01\r\n").encode("gbk")
    r = call(stack, co, "boss", "POST", "/api/v1/products/import", 200,
             files={"file": ("p.csv", body, "text/csv")})
    assert stack.sql(f"SELECT launch_on FROM products WHERE sku = 'L{t}' AND "
                     f"tenant_id = {co['tid']}") == [["2026-04-01"]]
    # A file without the column keeps the day.
    body = f"sku,name,own\r\nL{t},上市品二,own\r\n".encode()
    call(stack, co, "boss", "POST", "/api/v1/products/import", 200,
         files={"file": ("p.csv", body, "text/csv")})
    assert stack.sql(f"SELECT launch_on, name FROM products WHERE sku = "
                     f"'L{t}' AND tenant_id = {co['tid']}") == [
                         ["2026-04-01", "上市品二"]]
    page = web(stack, co, "boss").get(f"/products/{p['id']}").text
    assert 'name="launch_on" value="2026-03-01"' in page



def test_a_product_file_of_bad_csv_is_one_problem(stack, co):
    """A first record that is not CSV is reported once, as the CSV error
    it is (as the store and payment imports do), not also as empty."""
    body = b'sku,"name\r\nX1,y\r\n'
    r = call(stack, co, "boss", "POST", "/api/v1/products/import",
             files={"file": ("p.csv", body, "text/csv")})
    assert r.status_code == 422, r.text[:300]
    text = r.text
    assert "product.import_empty" not in text, text[:500]
    assert text.count('"line"') == 1, text[:500]

CAMPAIGN_ROWS = [
    ({"product": "NOPE"}, "product", "campaign.bad_product"),
    ({"name": ""}, "name", "validate.required"),
    ({"launch_on": "2026-02-30"}, "launch_on", "campaign.bad_day"),
    ({"all_stores": False, "stores": []}, "stores", "campaign.no_stores"),
    ({"all_stores": False, "stores": ["ZZ-NONE"]}, "stores",
     "campaign.bad_store"),
]


@pytest.mark.parametrize("over,field,key", CAMPAIGN_ROWS)
def test_campaign_fields_are_checked(stack, co, net, over, field, key):
    p = product(stack, co, "2026-05-01")
    body = {"product": p["sku"], "name": "检查活动"}
    body.update(over)
    r = call(stack, co, "mkt", "POST", "/api/v1/campaigns", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["codes"].get(field) == key, r.json()


def test_campaigns(stack, co, net):
    t = net["t"]
    p = product(stack, co, "2026-06-01")
    v0 = pos_version(stack, co)
    r = call(stack, co, "mkt", "POST", "/api/v1/campaigns", 201, json={
        "product": p["sku"], "name": f"夏季新品 {t}", "all_stores": False,
        "stores": [f"N{t}A", f"n{t}b"], "note": "首周铺货"})
    c = r.json()
    assert c["launch_on"] == "2026-06-01"          # the product's
    assert sorted(c["stores"]) == [f"N{t}A", f"N{t}B"]
    assert c["all_stores"] is False and c["active"] is True
    # the cached metrics' key moves (the campaign's change and the rebuild
    # of the product's rollups may each move it)
    v1 = pos_version(stack, co)
    assert v1 > v0
    # The same product and day once only.
    r = call(stack, co, "mkt", "POST", "/api/v1/campaigns", json={
        "product": p["id"], "name": "again"})
    assert r.status_code == 409, r.text
    # Readers see it with the stores of their scope; reps not at all.
    got = call(stack, co, "sup1", "GET", f"/api/v1/campaigns/{c['id']}",
               200).json()
    assert got["stores"] == [f"N{t}A"] and got["stores_count"] == 2
    assert call(stack, co, "rep", "GET",
                f"/api/v1/campaigns/{c['id']}").status_code == 404
    assert call(stack, co, "sup1", "POST", "/api/v1/campaigns", json={
        "product": p["sku"], "name": "x"}).status_code == 404
    # A manager's edit replaces the stores they see, keeps the others.
    m = web(stack, co, "mgr")
    page = m.get(f"/campaigns/{c['id']}/edit").text
    assert f"N{t}A" in page and f"N{t}B" not in page
    r = m.post(f"/campaigns/{c['id']}/edit", {
        "product": p["sku"], "name": f"夏季新品 {t}", "launch_on": "2026-06-08",
        "all_stores": "0", "stores": f"N{t}C\n", "note": "", "active": "1"})
    assert r.status_code == 303, r.text[:800]
    got = call(stack, co, "boss", "GET", f"/api/v1/campaigns/{c['id']}",
               200).json()
    assert sorted(got["stores"]) == [f"N{t}B", f"N{t}C"]
    assert got["launch_on"] == "2026-06-08"
    assert pos_version(stack, co) > v1
    # The list shows it; the talk-track files come and go.
    mk = web(stack, co, "mkt")
    assert f"夏季新品 {t}" in mk.get("/campaigns").text
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    r = mk.post(f"/campaigns/{c['id']}/files", {},
                files={"file": (f"话术 {t}.pdf", pdf, "application/pdf")})
    assert r.status_code == 303, r.text[:800]
    files = call(stack, co, "mkt", "GET", f"/api/v1/campaigns/{c['id']}",
                 200).json()["files"]
    assert [f["name"] for f in files] == [f"话术 {t}.pdf"]
    fid = files[0]["id"]
    assert web(stack, co, "sup1").get(f"/files/{fid}").status_code == 200
    assert web(stack, co, "rep").get(f"/files/{fid}").status_code == 404
    r = mk.post(f"/campaigns/{c['id']}/files", {},
                files={"file": ("x.bin", b"\x00\x01\x02binary",
                                "application/octet-stream")})
    assert r.status_code == 422
    r = mk.post(f"/campaigns/{c['id']}/files/{fid}/remove", {})
    assert r.status_code == 303
    assert call(stack, co, "mkt", "GET", f"/api/v1/campaigns/{c['id']}",
                200).json()["files"] == []
    r = mk.post(f"/campaigns/{c['id']}/files/{fid}/remove", {})
    assert r.status_code == 404
    # A product without a launch day needs one given.
    q = product(stack, co)
    r = call(stack, co, "mkt", "POST", "/api/v1/campaigns",
             json={"product": q["sku"], "name": "无日期"})
    assert r.status_code == 422 and \
        r.json()["codes"]["launch_on"] == "campaign.no_launch"
    r = call(stack, co, "mkt", "POST", "/api/v1/campaigns", 201,
             json={"product": q["sku"], "name": "全部门店",
                   "launch_on": "2026-07-01"})
    assert r.json()["all_stores"] is True and r.json()["stores"] == []
