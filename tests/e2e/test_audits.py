"""Shelf audits and the product list (issue 13, item 4): the CSV import
is all or nothing with line numbers and limits; a visit's audit gives an
exact share of shelf and an exact change since the previous audit at the
customer; the rep's manager (or, without one, the admins) gets the brief
with those figures; scope and bad input are refused with a message."""
import re
import uuid

import pytest
import requests

from identity import Account, Client

PASSWORD = "Shelf-Test-Pass-2026"
HEADER = "sku,name,brand,own,category\r\n"


@pytest.fixture(scope="module")
def co(stack):
    slug = "sa" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "Shelf Co")   # Asia/Shanghai
    for login, role, mgr in (("boss", "admin", None), ("mgr", "manager", None),
                             ("rep", "rep", "mgr"), ("rep2", "rep", None),
                             ("boss2", "admin", None)):
        args = ["user", "add", "--tenant", slug, "--login", login, "--role",
                role, "--password-stdin"]
        if mgr:
            args += ["--manager", mgr]
        stack.cli(*args, input_text=PASSWORD + "\n")
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    out = {"slug": slug, "tid": tid, "api": {}, "ids": {}}
    for login in ("rep", "rep2", "mgr", "boss", "boss2"):
        tok = stack.cli("token", "create", "--tenant", slug, "--user",
                        login).stdout.strip()
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {tok}"
        out["api"][login] = s
        out["ids"][login] = int(stack.sql(
            f"SELECT id FROM users WHERE tenant_id = {tid} AND "
            f"login = '{login}'")[0][0])
    return out


def call(stack, s, method, path, expect=None, **kw):
    r = s.request(method, stack.url(path), timeout=60, **kw)
    if expect is not None:
        assert r.status_code == expect, (method, path, r.status_code,
                                         r.text[:500])
    return r


def count_products(stack, co):
    return int(stack.sql("SELECT COUNT(*) FROM products WHERE tenant_id = "
                         f"{co['tid']}")[0][0])


def upload(stack, co, data, login="boss", name="p.csv"):
    return call(stack, co["api"][login], "POST", "/api/v1/products/import",
                files={"file": (name, data, "text/csv")})


def tag():
    return uuid.uuid4().hex[:6].upper()


# --- the product list -------------------------------------------------------

def test_import_good_file_writes_every_line(stack, co):
    t = tag()
    body = HEADER + (f"G{t}-1,宝洁洗发水 400ml,宝洁,own,洗护\r\n"
                     f"G{t}-2,\"联合利华, 洗发水\",联合利华,competitor,洗护\r\n"
                     f"G{t}-3,本品沐浴露,宝洁,自有,\r\n")
    r = upload(stack, co, body.encode())
    assert r.status_code == 200, r.text
    assert r.json() == {"imported": 3}
    rows = stack.sql(f"SELECT sku, name, brand, own, category FROM products "
                     f"WHERE tenant_id = {co['tid']} AND sku LIKE 'G{t}-%' "
                     "ORDER BY sku")
    assert rows == [[f"G{t}-1", "宝洁洗发水 400ml", "宝洁", "1", "洗护"],
                    [f"G{t}-2", "联合利华, 洗发水", "联合利华", "0", "洗护"],
                    [f"G{t}-3", "本品沐浴露", "宝洁", "1", ""]]
    # Chinese headers, GBK, and an SKU already there is updated.
    gbk = ("编码,名称,品牌,自有,类别\r\n"
           f"G{t}-1,宝洁洗发水 750ml,宝洁,是,洗护\r\n").encode("gbk")
    assert upload(stack, co, gbk).json() == {"imported": 1}
    assert stack.sql(f"SELECT name FROM products WHERE tenant_id = "
                     f"{co['tid']} AND sku = 'G{t}-1'") == [["宝洁洗发水 750ml"]]


@pytest.mark.parametrize("lines,problems", [
    # (lines after the header, [(line, field, code)])
    (["{t}-1,好产品,甲,own,", "{t}-2,坏产品,乙,maybe,"],
     [(3, "own", "product.bad_own")]),
    (["{t}-1,,甲,own,", "{t}-2,好,乙,own,", "{t}-2,重复,乙,own,"],
     [(2, "name", "validate.required"),
      (4, "sku", "product.import_sku_repeated")]),
    (["{t}-1," + "长" * 201 + ",甲,own,"], [(2, "name", "validate.too_long")]),
])
def test_import_bad_lines_refused_with_line_numbers(stack, co, lines,
                                                     problems):
    t = "B" + tag()
    before = count_products(stack, co)
    body = HEADER + "".join(x.format(t=t) + "\r\n" for x in lines)
    r = upload(stack, co, body.encode())
    assert r.status_code == 422, r.text
    got = [(p["line"], p["field"], p["code"]) for p in r.json()["problems"]]
    assert got == problems, got
    assert all(p["message"] and p["message"] != p["code"]
               for p in r.json()["problems"])
    assert count_products(stack, co) == before   # nothing saved


def test_import_limits_and_header(stack, co):
    before = count_products(stack, co)
    # Over 2 MB.
    big = HEADER + "".join(f"L{i:07d},{'名' * 60},甲,own,\r\n"
                           for i in range(12000))
    assert len(big.encode()) > 2 * 1024 * 1024
    r = upload(stack, co, big.encode())
    assert r.status_code == 413, r.text[:300]
    # Over 5000 lines (and under 2 MB).
    many = HEADER + "".join(f"M{i},n,b,own,\r\n" for i in range(5001))
    r = upload(stack, co, many.encode())
    assert r.status_code == 413, r.text[:300]
    assert r.json()["message"]
    # A header without the SKU column, and an unknown column.
    r = upload(stack, co, "名称,颜色\r\n好,红\r\n".encode())
    assert r.status_code == 422
    got = sorted((p["line"], p["field"], p["code"])
                 for p in r.json()["problems"])
    assert got == [(1, "sku", "product.import_no_column"),
                   (1, "颜色", "product.import_unknown_column")]
    # Not text at all.
    r = upload(stack, co, b"\x00\x01\x02binary")
    assert r.status_code == 422
    assert count_products(stack, co) == before
    # A rep reads the list but does not write it.
    assert upload(stack, co, (HEADER + "R1,x,y,own,\r\n").encode(),
                  login="rep").status_code == 404
    assert call(stack, co["api"]["rep"], "POST", "/api/v1/products",
                json={"sku": "R2", "name": "x", "own": "own"}).status_code \
        == 404
    assert call(stack, co["api"]["rep"], "GET",
                "/api/v1/products").status_code == 200


def test_products_api_create_update_search(stack, co):
    t = "P" + tag()
    api = co["api"]["mgr"]
    p = call(stack, api, "POST", "/api/v1/products", 201,
             json={"sku": t, "name": "测试 A", "brand": "甲", "own": True,
                   "category": "饮料"}).json()
    assert p["own"] is True and p["active"] is True
    r = call(stack, api, "POST", "/api/v1/products",
             json={"sku": t, "name": "again", "own": "competitor"})
    assert r.status_code == 409 and r.json()["message"]
    r = call(stack, api, "POST", "/api/v1/products",
             json={"sku": "", "name": "x", "own": "perhaps"})
    assert r.status_code == 422
    assert r.json()["codes"] == {"sku": "validate.required",
                                 "own": "product.bad_own"}
    r = call(stack, api, "PUT", f"/api/v1/products/{p['id']}", 200,
             json={"sku": t, "name": "测试 B", "brand": "甲", "own": False})
    assert r.json()["name"] == "测试 B" and r.json()["own"] is False
    found = call(stack, co["api"]["rep"], "GET",
                 f"/api/v1/products?q={t}", 200).json()["products"]
    assert [x["id"] for x in found] == [p["id"]]
    call(stack, api, "POST", f"/api/v1/products/{p['id']}", 200,
         json={"sku": t, "name": "测试 B", "own": "0", "active": False})
    assert call(stack, api, "GET", f"/api/v1/products?q={t}",
                200).json()["products"] == []
    assert len(call(stack, api, "GET", f"/api/v1/products?q={t}&all=1",
                    200).json()["products"]) == 1
    # Each change is in the audit log, as a sentence on the admin's page.
    events = stack.sql("SELECT event FROM audit_log WHERE tenant_id = "
                       f"{co['tid']} AND detail LIKE '%{t}%' ORDER BY id")
    assert events == [["product.create"], ["product.update"],
                      ["product.update"], ["product.deactivate"]]
    boss = Client(stack, Account(co["slug"], "boss", PASSWORD, "admin"))
    boss.sign_in()
    page = boss.get("/admin/audit?event=product").text
    assert f"{t} 测试 B" in page and 'audit-unknown' not in page


# --- audits -----------------------------------------------------------------

@pytest.fixture(scope="module")
def shelf(stack, co):
    """Products A, B (own, brand 本家), C (brand 对手甲), D, E (对手乙)."""
    t = "S" + tag()
    body = HEADER + (f"{t}-A,本品A,本家,own,\r\n{t}-B,本品B,本家,own,\r\n"
                     f"{t}-C,竞品C,对手甲,competitor,\r\n"
                     f"{t}-D,竞品D,对手乙,competitor,\r\n"
                     f"{t}-E,竞品E,对手乙,competitor,\r\n")
    assert upload(stack, co, body.encode()).status_code == 200
    return {k: f"{t}-{k}" for k in "ABCDE"}


def customer(stack, co, login="rep"):
    r = call(stack, co["api"][login], "POST", "/api/v1/customers", 201,
             json={"name": "超市 " + uuid.uuid4().hex[:6], "kind": "dealer",
                   "confirm_duplicate": True})
    return r.json()["id"]


def visit(stack, co, cid, login="rep"):
    return call(stack, co["api"][login], "POST", "/api/v1/visits", 201,
                json={"customer": cid, "visit_type": "store_visit"}
                ).json()["id"]


def audit(stack, co, vid, lines, login="rep", expect=201):
    return call(stack, co["api"][login], "POST",
                f"/api/v1/visits/{vid}/audit", expect, json={"lines": lines})


def line(sku, facings, position="eye_level", price=None):
    out = {"sku": sku, "facings": facings, "position": position}
    if price is not None:
        out["price"] = price
    return out


def briefs(stack, co, login):
    return stack.sql("SELECT title, body, object_id FROM notifications WHERE "
                     f"tenant_id = {co['tid']} AND user_id = "
                     f"{co['ids'][login]} AND object_kind = 'shelf_audit' "
                     "ORDER BY id")


def test_share_of_shelf_and_change_since_last_time(stack, co, shelf):
    s = shelf
    cid = customer(stack, co)
    first = audit(stack, co, visit(stack, co, cid), [
        line(s["A"], 3, "eye_level", "25.00"), line(s["B"], 2, "bottom"),
        line(s["C"], 4, "end_cap", "12.50"), line(s["D"], 3, "corner", 8)
    ]).json()
    sh = first["share"]
    assert (sh["total_facings"], sh["own_facings"], sh["own_pct"],
            sh["competitor_pct"]) == (12, 5, 41.7, 58.3)
    assert [(b["brand"], b["facings"], b["pct"]) for b in sh["brands"]] == \
        [("本家", 5, 41.7), ("对手甲", 4, 33.3), ("对手乙", 3, 25.0)]
    assert first["previous"] is None and first["change"] is None
    assert [x["price_fen"] for x in first["lines"]] == [2500, None, 1250, 800]
    # The second visit: A up, C down and cheaper, E new, B and D gone.
    vid2 = visit(stack, co, cid)
    second = audit(stack, co, vid2, [
        line(s["A"], 4, "eye_level", "25"), line(s["C"], 2, "checkout",
                                                   "11.90"),
        line(s["E"], 1, "bottom"), line(s["A"], 1, "checkout")]).json()
    assert (second["share"]["total_facings"], second["share"]["own_pct"]) \
        == (8, 62.5)
    ch = second["change"]
    assert second["previous"]["id"] == first["id"]
    assert second["previous"]["own_pct"] == 41.7
    assert ch["own_pct_delta"] == 20.8
    assert sorted((p["sku"], p["before"], p["after"], p["delta"])
                  for p in ch["products"]) == sorted([
        (s["A"], 3, 5, 2), (s["B"], 2, 0, -2), (s["C"], 4, 2, -2),
        (s["D"], 3, 0, -3), (s["E"], 0, 1, 1)])
    assert [p["sku"] for p in ch["new"]] == [s["E"]]
    assert sorted(p["sku"] for p in ch["gone"]) == [s["B"], s["D"]]
    assert [(p["sku"], p["before_fen"], p["after_fen"])
            for p in ch["prices"]] == [(s["C"], 1250, 1190)]
    # A product named instead of its SKU (one product has that name).
    named = audit(stack, co, visit(stack, co, customer(stack, co)),
                  [line("竞品C", 2)]).json()
    assert [x["sku"] for x in named["lines"]] == [s["C"]]
    # Saving again on the same visit adds to the same audit.
    again = audit(stack, co, vid2, [line(s["B"], 2, "corner")]).json()
    assert again["id"] == second["id"] and len(again["lines"]) == 5
    assert again["change"]["own_pct_delta"] == round(70.0 - 41.7, 1)
    # The page shows the same figures.
    rep = Client(stack, Account(co["slug"], "rep", PASSWORD, "rep"))
    rep.sign_in()
    page = rep.get(f"/audits/{second['id']}").text
    assert 'data-own-pct="70"' in page and 'data-delta="28.3"' in page
    # The manager received the briefs, naming the figures.
    got = briefs(stack, co, "mgr")
    mine = [b for b in got if int(b[2]) in (first["id"], second["id"])]
    assert len(mine) == 3, got
    assert "41.7%" in mine[0][1] and "58.3%" in mine[0][1]
    assert s["C"] in mine[1][1] and "62.5%" in mine[1][1]
    assert "+20.8" in mine[1][1] and "¥12.50→¥11.90" in mine[1][1]
    assert f"/audits/{second['id']}" in mine[1][1]
    # Not the admins: the rep has a manager.
    assert [b for b in briefs(stack, co, "boss")
            if int(b[2]) == first["id"]] == []


def test_a_rep_without_manager_briefs_the_admins(stack, co, shelf):
    cid = customer(stack, co, "rep2")
    vid = visit(stack, co, cid, "rep2")
    a = audit(stack, co, vid, [line(shelf["A"], 1)], login="rep2").json()
    for admin in ("boss", "boss2"):
        got = [b for b in briefs(stack, co, admin) if int(b[2]) == a["id"]]
        assert len(got) == 1 and "100%" in got[0][1], (admin, got)
    assert [b for b in briefs(stack, co, "mgr") if int(b[2]) == a["id"]] == []


def test_another_reps_visit_cannot_be_audited(stack, co, shelf):
    cid = customer(stack, co)
    vid = visit(stack, co, cid)
    r = audit(stack, co, vid, [line(shelf["A"], 1)], login="rep2",
              expect=404)
    assert r.json()["error"]
    a = audit(stack, co, vid, [line(shelf["A"], 1)]).json()
    assert call(stack, co["api"]["rep2"], "GET",
                f"/api/v1/audits/{a['id']}").status_code == 404
    # The manager and the admin see it.
    for login in ("mgr", "boss"):
        call(stack, co["api"][login], "GET", f"/api/v1/audits/{a['id']}", 200)
    # A call is not a visit.
    act = call(stack, co["api"]["rep"], "POST", "/api/v1/activities", 201,
               json={"kind": "call", "customer": cid}).json()["id"]
    audit(stack, co, act, [line(shelf["A"], 1)], expect=404)


@pytest.mark.parametrize("bad,code", [
    ({"position": "top_shelf"}, ("position_1", "shelf.bad_position")),
    ({"facings": -1}, ("facings_1", "shelf.bad_facings")),
    ({"facings": 1000}, ("facings_1", "shelf.bad_facings")),
    ({"facings": "2.5"}, ("facings_1", "shelf.bad_facings")),
    ({"sku": "NO-SUCH-SKU"}, ("product_1", "shelf.bad_product")),
    ({"price": "-3"}, ("price_1", "shelf.bad_price")),
    ({"price": "1.234"}, ("price_1", "shelf.bad_price")),
    ({"note": "长" * 501}, ("note_1", "shelf.bad_note")),
])
def test_bad_lines_are_refused_with_a_message(stack, co, shelf, bad, code):
    vid = visit(stack, co, customer(stack, co))
    body = line(shelf["A"], 2, price="3")
    body.update(bad)
    r = audit(stack, co, vid, [body], expect=422)
    assert r.json()["codes"] == {code[0]: code[1]}, r.text
    assert r.json()["fields"][code[0]] not in ("", code[1])
    assert stack.sql(f"SELECT COUNT(*) FROM audits WHERE activity_id = "
                     f"{vid}") == [["0"]]


def test_empty_and_oversized_saves_are_refused(stack, co, shelf):
    vid = visit(stack, co, customer(stack, co))
    assert audit(stack, co, vid, [], expect=422).json()["error"]
    r = audit(stack, co, vid, [line(shelf["A"], 1)] * 51, expect=413)
    assert r.json()["message"]
    # A product of another company is unknown here.
    other = stack.sql(f"SELECT id FROM products WHERE tenant_id <> "
                      f"{co['tid']} LIMIT 1")
    if other:
        r = audit(stack, co, vid, [{"product": int(other[0][0]),
                                    "facings": 1,
                                    "position": "corner"}], expect=422)
        assert r.json()["codes"] == {"product_1": "shelf.bad_product"}


def test_the_audit_pages_on_a_phone(stack, co, shelf):
    rep = Client(stack, Account(co["slug"], "rep", PASSWORD, "rep"))
    rep.sign_in()
    cid = customer(stack, co)
    vid = visit(stack, co, cid)
    assert f'href="/visits/{vid}/audit"' in rep.get(f"/visits/{vid}").text
    form = rep.get(f"/visits/{vid}/audit")
    assert form.status_code == 200
    assert f'<option value="{shelf["A"]}">' in form.text
    assert 'name="position_1"' in form.text
    r = rep.post(f"/visits/{vid}/audit", {
        "sku_1": shelf["A"], "facings_1": "3", "position_1": "eye_level",
        "price_1": "¥9.90", "sku_2": shelf["C"], "facings_2": "-2",
        "position_2": "end_cap"})
    assert r.status_code == 422
    assert 'data-field="facings_2"' in r.text
    assert stack.sql(f"SELECT COUNT(*) FROM audits WHERE activity_id = "
                     f"{vid}") == [["0"]]
    r = rep.post(f"/visits/{vid}/audit", {
        "sku_1": shelf["A"], "facings_1": "3", "position_1": "eye_level",
        "price_1": "¥9.90", "sku_2": shelf["C"], "facings_2": "1",
        "position_2": "end_cap", "sku_3": "", "facings_3": "",
        "position_3": "eye_level"})
    assert r.status_code == 303, r.text[:300]
    where = r.headers["Location"]
    assert re.match(r"^/audits/\d+\?done=saved$", where), where
    page = rep.get(where).text
    assert 'data-own-pct="75"' in page and "¥9.90" in page
    # Times are the company's (Shanghai), not UTC.
    aid = where.split("?")[0].rsplit("/", 1)[1]
    utc = call(stack, co["api"]["rep"], "GET", f"/api/v1/audits/{aid}",
               200).json()["at"]
    assert utc[:16] not in page
    assert f'href="/visits/{vid}/audit"' in page
    assert f'href="/audits/{where.split("?")[0].rsplit("/", 1)[1]}"' in \
        rep.get(f"/visits/{vid}").text
    # The product pages: a rep reads, a manager writes.
    assert shelf["A"] in rep.get("/products").text
    assert 'action="/products/import"' not in rep.get("/products").text
    mgr = Client(stack, Account(co["slug"], "mgr", PASSWORD, "manager"))
    mgr.sign_in()
    assert 'action="/products/import"' in mgr.get("/products").text
    r = mgr.post("/products", {"sku": "PG" + tag(), "name": "页面商品",
                               "brand": "甲", "own": "own"})
    assert r.status_code == 303, r.text[:300]
    r = mgr.post("/products", {"sku": "", "name": "", "own": "x"})
    assert r.status_code == 422 and 'data-field="sku"' in r.text
    assert rep.post("/products", {"sku": "X", "name": "x",
                                  "own": "own"}).status_code == 404


FIELD_ERROR = re.compile(
    r'<p class="field-error" data-field="([a-z_]+)" data-key="([a-z._]*)"')
# (field, bad value, key): the page, the API and the import give the same.
PRODUCT_CASES = [
    ("sku", "", "validate.required"),
    ("sku", "x" * 65, "validate.too_long"),
    ("name", "", "validate.required"),
    ("name", "n" * 201, "validate.too_long"),
    ("brand", "b" * 101, "validate.too_long"),
    ("category", "c" * 101, "validate.too_long"),
    ("own", "perhaps", "product.bad_own"),
]


@pytest.mark.parametrize("field,value,key", PRODUCT_CASES)
def test_page_api_and_import_refuse_the_same(stack, co, field, value, key):
    good = {"sku": "SR" + tag(), "name": "同检商品", "brand": "甲",
            "own": "own", "category": "类"}
    bad = dict(good, **{field: value})
    mgr = Client(stack, Account(co["slug"], "mgr", PASSWORD, "manager"))
    mgr.sign_in()
    r = mgr.post("/products", bad)
    assert r.status_code == 422
    assert dict(FIELD_ERROR.findall(r.text)) == {field: key}
    r = call(stack, co["api"]["mgr"], "POST", "/api/v1/products", 422,
             json=bad)
    assert r.json()["codes"] == {field: key}
    cols = ["sku", "name", "brand", "own", "category"]
    text = ",".join(cols) + "\r\n" + ",".join(bad[c] for c in cols) + "\r\n"
    r = upload(stack, co, text.encode())
    assert r.status_code == 422, r.text
    assert [(p["line"], p["field"], p["code"])
            for p in r.json()["problems"]] == [(2, field, key)]


def test_a_completed_visit_is_audited_too_and_managers_may(stack, co, shelf):
    cid = customer(stack, co)
    vid = visit(stack, co, cid)
    stack.sql(f"UPDATE activities SET status = 'done' WHERE id = {vid}")
    a = audit(stack, co, vid, [line(shelf["C"], 2, "checkout")]).json()
    assert a["visit_id"] == vid and a["share"]["own_pct"] == 0
    # The rep's manager records on the team's visit: the same audit.
    b = audit(stack, co, vid, [line(shelf["A"], 2)], login="mgr").json()
    assert b["id"] == a["id"] and b["share"]["own_pct"] == 50
    # The manager recorded it: the manager has no manager, so the admins
    # are told.
    assert [x for x in briefs(stack, co, "boss") if int(x[2]) == a["id"]]


def test_saving_a_line_again_corrects_it_and_reviewed_visits_are_closed(
        stack, co, shelf):
    """A double tap or a retry sends the same lines again: one line per
    product and position, the last values kept; after a manager reviewed
    the visit nothing is added."""
    vid = visit(stack, co, customer(stack, co))
    lines = [line(shelf["A"], 3), line(shelf["C"], 1, "checkout")]
    a = audit(stack, co, vid, lines).json()
    b = audit(stack, co, vid, lines).json()
    assert b["id"] == a["id"] and b["share"] == a["share"]
    c = audit(stack, co, vid, [line(shelf["A"], 5)]).json()
    facings = sorted(int(x[0]) for x in stack.sql(
        f"SELECT facings FROM audit_lines WHERE audit_id = {a['id']}"))
    assert facings == [1, 5], facings
    assert c["share"]["own_pct"] == 83.3
    stack.sql(f"UPDATE activities SET reviewed_at = NOW(), reviewed_by = "
              f"{co['ids']['mgr']} WHERE id = {vid}")
    r = audit(stack, co, vid, [line(shelf["B"], 1)], expect=409)
    assert r.json()["detail"] == "activity.reviewed", r.text


def test_the_change_is_against_the_visit_before_by_visit_time(
        stack, co, shelf):
    """An audit entered late for an earlier visit (offline, after the
    fact) compares with the visit before it, not with the last saved."""
    cid = customer(stack, co)
    early, late = visit(stack, co, cid), visit(stack, co, cid)
    stack.sql(f"UPDATE activities SET at = NOW() - INTERVAL 2 DAY WHERE "
              f"id = {early}")
    newer = audit(stack, co, late, [line(shelf["A"], 4)]).json()
    older = audit(stack, co, early, [line(shelf["A"], 1),
                                     line(shelf["C"], 1, "checkout")]).json()
    assert older.get("previous") in (None, {}), older.get("previous")
    again = call(stack, co["api"]["rep"], "GET",
                 f"/api/v1/audits/{newer['id']}", 200).json()
    assert again["previous"]["id"] == older["id"], again.get("previous")


def test_a_long_brief_is_cut_to_its_limit_with_its_links(stack, co):
    """Forty products with long names: the manager's brief stays within
    3500 bytes (a WeCom message), cut after a whole character, and still
    ends with the link to the audit."""
    t = "L" + tag()
    body = HEADER + "".join(f"{t}-{i},{'长名称产品' * 38}{i},品牌{i},"
                            f"competitor,\r\n" for i in range(40))
    assert upload(stack, co, body.encode()).status_code == 200
    cid = customer(stack, co)
    audit(stack, co, visit(stack, co, cid), [line(f"{t}-{i}", i + 1)
                                             for i in range(40)])
    # Every product changed since: the brief lists them all.
    a = audit(stack, co, visit(stack, co, cid), [line(f"{t}-{i}", i + 3)
                                                 for i in range(40)]).json()
    got = [b for b in briefs(stack, co, "mgr") if int(b[2]) == a["id"]]
    assert len(got) == 1
    text = got[0][1]
    assert len(text.encode()) <= 3500, len(text.encode())
    assert f"/audits/{a['id']}" in text
    # The products are listed as far as they fit, not left out.
    assert "长名称产品" in text and "…" in text, text[:500]
