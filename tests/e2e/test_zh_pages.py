"""Chinese pages are Chinese (issue 11, item 6): on zh-CN pages, for each
role, no English words or raw keys remain outside data.  The pages are
read in a company whose data is all Chinese, so any Latin word left after
removing code, logins and a short list of terms written in Latin letters
in Chinese too (below, each with its reason) is interface text that was
not translated.  The rules pages are read too (their code is data: it is
in <textarea> and <pre>)."""
import html
import re
import uuid

import pytest
import requests

from identity import Account, Client

PASSWORD = "Correct-Horse-Battery-42"
# Written in Latin letters in Chinese interfaces as well.
ALLOWED = {
    "Proofline",  # the product's name
    "CSV", "Excel", "UTF", "GBK", "BOM", "TAB",  # file formats and encodings
    "API",  # the programming interface, named so in Chinese docs
    "IP",   # an address kind
    "Lua",  # the rules' language
    "JSON",  # the format of the dry run's arguments
    "ID",
    "SKU",  # a stock-keeping unit, so called in Chinese retail too
    "Webhook",  # the integration kind, so called in WeCom's own docs
}
# Shown as data: the user agent of the test client (the sessions list),
# the name of the file imported.
DATA = ["python-requests", "客户.csv"]
LATIN = re.compile(r"[A-Za-z][A-Za-z_.\-]*[A-Za-z]|[A-Za-z]")
ATTRS = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')


@pytest.fixture(scope="module")
def zh(stack):
    """A company named, staffed and filled in Chinese."""
    slug = "zh" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "华南医疗")
    people = [("zadmin", "admin", "管理员甲", None),
              ("zmgr", "manager", "经理乙", None),
              ("zrep", "rep", "代表丙", "zmgr")]
    for login, role, name, manager in people:
        args = ["user", "add", "--tenant", slug, "--login", login, "--role",
                role, "--name", name, "--region", "华南", "--password-stdin"]
        if manager:
            args += ["--manager", manager]
        stack.cli(*args, input_text=PASSWORD + "\n")
    token = stack.cli("token", "create", "--tenant", slug, "--user", "zrep",
                      "--name", "测试").stdout.strip()
    h = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}
    r = requests.post(stack.url("/api/v1/customers"), headers=h, json={
        "name": "广州市第一人民医院", "kind": "hospital", "city": "广州",
        "phone": "020-12345678", "amount": "1200000", "note": "重点客户",
        "address": "越秀区盘福路", "confirm_duplicate": True})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = requests.post(stack.url(f"/api/v1/customers/{cid}/contacts"),
                      headers=h, json={"name": "王主任", "title": "设备科主任",
                                       "role": "acceptance",
                                       "phone": "13800138000"})
    assert r.status_code == 201, r.text
    kid = r.json()["id"]
    r = requests.post(stack.url(f"/api/v1/customers/{cid}/evidence"),
                      headers=h, json={"key": "need_confirmed", "data": {
                          "need": "两台彩超", "who": "设备科王科长"}})
    assert r.status_code == 201, r.text
    clients = {}
    for login, role, _, _ in people:
        c = Client(stack, Account(slug, login, PASSWORD, role))
        c.sign_in()
        c.s.headers["Accept-Language"] = "zh-CN"
        clients[role] = c
    # An import in preview, with a bad row.
    rep = clients["rep"]
    page = rep.get("/customers/import").text
    tok = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    r = rep.s.post(stack.url("/customers/import"),
                   data={"_csrf": tok, "encoding": "auto"},
                   files={"file": ("客户.csv", "客户名称,客户类型,城市\r\n"
                                   "深圳市人民医院,医院,深圳\r\n"
                                   "某诊所,诊所,深圳\r\n".encode(),
                                   "text/csv")},
                   headers={"Origin": stack.base}, allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    preview = r.headers["Location"]
    # A product, a visit and its shelf audit.
    admin_token = stack.cli("token", "create", "--tenant", slug, "--user",
                            "zadmin", "--name", "测试").stdout.strip()
    r = requests.post(stack.url("/api/v1/products"), headers={
        "Authorization": f"Bearer {admin_token}"}, json={
        "sku": "6901234567890", "name": "洗发水", "brand": "本家",
        "own": True, "category": "洗护"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = requests.post(stack.url("/api/v1/visits"), headers=h, json={
        "customer": cid, "visit_type": "store_visit"})
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    r = requests.post(stack.url(f"/api/v1/visits/{vid}/audit"), headers=h,
                      json={"lines": [{"product": pid, "facings": 2,
                                       "position": "end_cap",
                                       "price": "19.90", "note": "促销"}]})
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    return {"product": pid, "visit": vid, "audit": aid,
            "slug": slug, "clients": clients, "customer": cid,
            "contact": kid, "import": preview,
            "logins": [p[0] for p in people],
            "user": stack.sql(f"SELECT u.id FROM users u JOIN tenants t ON "
                              f"t.id = u.tenant_id WHERE t.slug = '{slug}' "
                              "AND u.login = 'zrep'")[0][0]}


def pages(zh, role):
    cid, kid = zh["customer"], zh["contact"]
    common = ["/", "/customers", "/customers?sort=amount&dir=desc",
              f"/customers/{cid}", f"/customers/{cid}/edit", "/customers/new",
              f"/customers/{cid}/contacts/new", f"/contacts/{kid}",
              f"/customers/{cid}/evidence/need_confirmed",
              f"/customers/{cid}/evidence/trial_kit_receipt",
              "/pipeline", "/customers/import", "/account", "/account/mfa",
              "/products", f"/products/{zh['product']}",
              f"/visits/{zh['visit']}/audit", f"/audits/{zh['audit']}",
              f"/customers/{cid}/payments", "/payments/import",
              f"/customers/{cid}/qualifications",
              f"/customers/{cid}/qualifications/business_licence",
              f"/customers/{cid}/contracts/new"]
    if role == "rep":
        common.append(zh["import"])
    if role in ("manager", "admin"):
        common += ["/team", "/qualifications", "/stores", "/stores/new",
                   "/stores/import", "/campaigns", "/campaigns/new",
                   "/sell-through"]
    if role == "admin":
        common += ["/admin/users", "/admin/users/new",
                   f"/admin/users/{zh['user']}", "/admin/tokens",
                   "/admin/audit", "/admin/settings", "/account/password",
                   "/admin/rules", "/admin/rules/form", "/admin/rules/stages",
                   "/admin/rules/history", "/admin/rules/dry-run",
                   "/admin/clauses", "/admin/clauses/new",
                   "/admin/contract-templates", "/contracts"]
    return common


def leftovers(page, logins, slug):
    """Latin words people would read on the page, data and code removed."""
    body = re.sub(r"(?s)<(script|style|code|pre|textarea)\b.*?</\1>", " ",
                  page)
    body = re.sub(r"(?s)<head>.*?</head>", " ", body)
    # The other language's name, in that language (lang="en").
    body = re.sub(r'(?s)<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", body)
    visible = " ".join(ATTRS.findall(body))
    visible += " " + re.sub(r"<[^>]+>", " ", body)
    visible = html.unescape(visible)
    for data in sorted(logins + [slug] + DATA, key=len, reverse=True):
        visible = re.sub(rf"\b{re.escape(data)}\b", " ", visible)
    return sorted({w for w in LATIN.findall(visible)
                   if w not in ALLOWED})


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_zh_pages_have_no_english_or_keys(zh, role):
    c = zh["clients"][role]
    found = {}
    for path in pages(zh, role):
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        words = leftovers(r.text, zh["logins"], zh["slug"])
        if words:
            found[path] = words
    assert found == {}, "\n".join(f"{p}: {w}" for p, w in found.items())


RAW_KEY = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_en_pages_show_no_raw_keys(zh, role):
    """The English pages: words are fine, catalog keys ("customer.name")
    are not."""
    c = zh["clients"][role]
    found = {}
    try:
        c.s.headers["Accept-Language"] = "en"
        for path in pages(zh, role):
            r = c.get(path)
            assert r.status_code == 200, (path, r.status_code)
            body = re.sub(r"(?s)<(script|style|code|pre|textarea|head)\b"
                          r".*?</\1>", " ", r.text)
            text = html.unescape(" ".join(ATTRS.findall(body)) + " " +
                                 re.sub(r"<[^>]+>", " ", body))
            for data in DATA:
                text = text.replace(data, " ")
            keys = RAW_KEY.findall(text)
            if keys:
                found[path] = sorted(set(keys))
    finally:
        c.s.headers["Accept-Language"] = "zh-CN"
    assert found == {}, "\n".join(f"{p}: {k}" for p, k in found.items())
