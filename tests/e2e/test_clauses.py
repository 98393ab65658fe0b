"""The clause library and contract templates (issue 15, item 3): clauses
and templates are versioned (a new version leaves the old one, a template
pins clause versions, so a later edit changes no saved template's text);
unknown variables are refused; only legal and admins write; the resolved
text of a small template is exact; the printable preview renders."""
import html
import json
import re
import uuid

import requests

OPTIONS = {"payment_term_days": [30, 60, 90], "prepay_pct": [0, 30, 50],
           "delivery_days": [15, 30], "warranty_months": [12, 24],
           "penalty_pct": [0.5, 1]}
TERMS = {"amount": "1000010.20", "payment_term_days": "60",
         "prepay_pct": "30", "delivery_days": "15", "warranty_months": "12",
         "penalty_pct": "0.5", "customer": "测试客户"}


def api(stack, world, login, slug="acme"):
    h = {"Authorization": f"Bearer {world.tokens[(slug, login)]}"}

    def call(method, path, body=None, expect=None):
        r = requests.request(method, stack.url(path), headers=h, json=body,
                             timeout=30)
        if expect is not None:
            assert r.status_code == expect, (path, r.status_code, r.text)
        return r
    return call


def body_of(page):
    m = re.search(r'<pre class="contract-body" data-field="body">(.*?)</pre>',
                  page, re.S)
    assert m, page[:2000]
    return html.unescape(m.group(1))


def test_versions_pins_and_exact_text(stack, world):
    boss = api(stack, world, "boss")
    tag = uuid.uuid4().hex[:6]
    price, ship = f"price_{tag}", f"ship_{tag}"
    r = boss("POST", "/api/v1/clauses", {
        "key": price, "title": "价款",
        "body": "金额 {amount} 元（{amount_words}），预付 {prepay_pct}% 即 "
                "{prepay_amount} 元。"}, 201).json()
    assert r["version"] == 1
    boss("POST", "/api/v1/clauses", {
        "key": ship, "title": "交货",
        "body": "{customer} 于 {delivery_days} 天内收货，质保 "
                "{warranty_months} 个月，违约金 {penalty_pct}%，"
                "{payment_term_days} 天付款。"}, 201)
    t1 = boss("POST", "/api/v1/contract-templates", {
        "key": f"tpl_{tag}", "name": f"模板 {tag}", "clauses": [price, ship],
        "options": OPTIONS}, 201).json()
    assert t1["version"] == 1
    assert [(c["key"], c["version"], c["title"]) for c in t1["clauses"]] == \
        [(price, 1, "价款"), (ship, 1, "交货")]
    assert t1["options"]["penalty_pct"] == [0.5, 1]

    admin = world.client("acme", "boss")
    url = f"/admin/contract-templates/{t1['id']}/preview"
    want = ("第一条 价款\n\n金额 1,000,010.20 元（壹佰万零壹拾元贰角），预付 30% "
            "即 300,003.06 元。\n\n第二条 交货\n\n测试客户 于 15 天内收货，质保 "
            "12 个月，违约金 0.5%，60 天付款。")
    page = admin.get(url, params=TERMS)
    assert page.status_code == 200, page.text[:500]
    assert body_of(page.text) == want
    assert 'data-field="customer">测试客户<' in page.text
    assert 'id="term-problems"' not in page.text
    assert f'data-key="{price}" data-version="1"' in page.text

    # A new version of a clause leaves the old one and the saved template.
    r = boss("POST", "/api/v1/clauses", {
        "key": price, "title": "价款（新）", "body": "新的 {amount}。"},
        201).json()
    assert r["version"] == 2
    old = boss("GET", f"/api/v1/clauses?key={price}&version=1", None,
               200).json()["clauses"][0]
    assert old["version"] == 1 and old["body"].startswith("金额 {amount}")
    latest = {c["key"]: c for c in boss("GET", "/api/v1/clauses", None,
                                       200).json()["clauses"]}
    assert latest[price]["version"] == 2
    assert boss("GET", f"/api/v1/contract-templates/{t1['id']}", None,
                200).json()["clauses"][0]["version"] == 1
    assert body_of(admin.get(url, params=TERMS).text) == want
    # A new version of the template pins the new clause version.
    t2 = boss("POST", "/api/v1/contract-templates", {
        "key": f"tpl_{tag}", "name": f"模板 {tag}", "clauses": [price],
        "options": {k: ", ".join(str(x) for x in v)
                    for k, v in OPTIONS.items()}}, 201).json()
    assert t2["version"] == 2 and t2["clauses"][0]["version"] == 2
    assert body_of(admin.get(
        f"/admin/contract-templates/{t2['id']}/preview",
        params=TERMS).text) == "第一条 价款（新）\n\n新的 1,000,010.20。"
    listed = boss("GET", "/api/v1/contract-templates", None,
                  200).json()["templates"]
    mine = [t for t in listed if t["key"] == f"tpl_{tag}"]
    assert [(t["id"], t["version"]) for t in mine] == [(t2["id"], 2)]
    # Terms outside the options are named on the preview.
    page = admin.get(url, params={**TERMS, "prepay_pct": "40"}).text
    assert 'id="term-problems"' in page
    assert 'data-field="prepay_pct" data-key="contracts.not_an_option"' in page
    # The pages list both versions.
    page = admin.get("/admin/clauses").text
    assert f'href="/admin/clauses/{price}?version=1"' in page
    assert f'href="/admin/clauses/{price}?version=2"' in page
    page = admin.get(f"/admin/clauses/{price}?version=1").text
    assert 'id="old-version"' in page and "金额 {amount}" in page


def test_unknown_variables_and_bad_input_are_refused(stack, world):
    boss = api(stack, world, "boss")
    tag = uuid.uuid4().hex[:6]
    before = stack.sql("SELECT COUNT(*) FROM clauses")
    r = boss("POST", "/api/v1/clauses", {
        "key": f"bad_{tag}", "title": "坏", "body": "金额 {amount} {foo}"},
        422)
    assert r.json()["codes"]["body"] == "clauses.unknown_var"
    assert "foo" in r.json()["fields"]["body"]
    r = boss("POST", "/api/v1/clauses", {
        "key": f"bad_{tag}", "title": "坏", "body": "金额 {amount"}, 422)
    assert r.json()["codes"]["body"] == "clauses.unbalanced"
    r = boss("POST", "/api/v1/clauses", {
        "key": "Bad-Key", "title": "", "body": "x"}, 422)
    assert r.json()["codes"] == {"key": "clauses.bad_key",
                                 "title": "validate.required"}
    admin = world.client("acme", "boss")
    r = admin.post("/admin/clauses", {"key": f"bad_{tag}", "title": "坏",
                                      "body": "{customer} {nope}"})
    assert r.status_code == 422
    assert 'data-field="body" data-key="clauses.unknown_var"' in r.text
    assert "nope" in r.text
    assert stack.sql("SELECT COUNT(*) FROM clauses") == before
    r = boss("POST", "/api/v1/contract-templates", {
        "key": f"t_{tag}", "name": "x", "clauses": [f"none_{tag}"],
        "options": {**OPTIONS, "prepay_pct": [120], "delivery_days": []}},
        422)
    codes = r.json()["codes"]
    assert codes["clauses"] == "clauses.unknown_clause"
    assert codes["prepay_pct"] == codes["delivery_days"] == \
        "clauses.bad_options"
    assert "payment_term_days" not in codes


def test_only_legal_and_admins_write(stack, world):
    tag = uuid.uuid4().hex[:6]
    rep = world.client("acme", "rep1")
    for path in ("/admin/clauses", "/admin/clauses/new",
                 "/admin/contract-templates"):
        assert rep.get(path).status_code == 404, path
    r = rep.post("/admin/clauses", {"key": f"rep_{tag}", "title": "x",
                                    "body": "x"})
    assert r.status_code == 404
    call = api(stack, world, "rep1")
    call("POST", "/api/v1/clauses", {"key": f"rep_{tag}", "title": "x",
                                     "body": "x"}, 404)
    call("POST", "/api/v1/contract-templates", {"key": f"rep_{tag}"}, 404)
    # Reps read: they choose templates for their contracts.
    assert call("GET", "/api/v1/contract-templates", None, 200)
    assert call("GET", "/api/v1/clauses", None, 200)
    assert stack.sql(f"SELECT COUNT(*) FROM clauses WHERE clause_key = "
                     f"'rep_{tag}'") == [["0"]]
    # Legal writes through the pages; the link is in legal's navigation.
    legal = world.client("acme", "legal")
    assert 'href="/admin/clauses"' in legal.get("/").text
    assert 'href="/admin/clauses"' not in rep.get("/").text
    r = legal.post("/admin/clauses", {"key": f"legal_{tag}", "title": "法务",
                                      "body": "交货 {delivery_days} 天"})
    assert r.status_code == 303
    assert r.headers["Location"] == f"/admin/clauses/legal_{tag}?done=saved"
    r = legal.post(f"/admin/clauses/legal_{tag}",
                   {"title": "法务二", "body": "交货 {delivery_days} 日"})
    assert r.status_code == 303
    assert stack.sql(f"SELECT version, title FROM clauses WHERE clause_key "
                     f"= 'legal_{tag}' ORDER BY version") == \
        [["1", "法务"], ["2", "法务二"]]
    r = legal.post("/admin/contract-templates", {
        "key": f"legal_t_{tag}", "name": "法务模板",
        f"pos_legal_{tag}": "1", "opt_payment_term_days": "30, 60",
        "opt_prepay_pct": "0，30", "opt_delivery_days": "15",
        "opt_warranty_months": "12", "opt_penalty_pct": "0.5"})
    assert r.status_code == 303, r.text[:1000]
    (cl, op), = stack.sql(f"SELECT clauses, options FROM contract_templates "
                          f"WHERE template_key = 'legal_t_{tag}'")
    assert f'"key":"legal_{tag}","version":2' in cl
    assert '"prepay_pct":[0,30]' in op
    # A new version starts from the saved one; a refused form comes back
    # with its values and the problem named.
    (tid,), = stack.sql("SELECT id FROM contract_templates WHERE "
                        f"template_key = 'legal_t_{tag}'")
    page = legal.get(f"/admin/contract-templates?from={tid}").text
    assert f'name="pos_legal_{tag}" value="1"' in page
    assert 'name="opt_prepay_pct" value="0, 30"' in page
    r = legal.post("/admin/contract-templates", {
        "key": f"legal_t_{tag}", "name": "法务模板",
        "opt_payment_term_days": "30", "opt_prepay_pct": "abc"})
    assert r.status_code == 422
    assert 'data-field="clauses" data-key="clauses.no_clauses"' in r.text
    assert 'data-field="prepay_pct" data-key="clauses.bad_options"' in r.text
    assert 'name="opt_prepay_pct" value="abc"' in r.text
    # The audit log tells it in sentences.
    page = world.client("acme", "boss").get(
        "/admin/audit?event=clause", headers={"Accept-Language": "zh-CN"})
    assert f"保存了条款“法务二”（legal_{tag}，第 2 版）" in \
        html.unescape(page.text)


def test_preview_page_renders_for_print(stack, world):
    (tid,), = stack.sql("SELECT MIN(x.id) FROM contract_templates x JOIN "
                        "tenants t ON t.id = x.tenant_id WHERE t.slug = "
                        "'acme'")
    page = world.client("acme", "legal").get(
        f"/admin/contract-templates/{tid}/preview?amount=120000",
        headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert 'id="contract"' in page.text and "壹拾贰万元整" in page.text
    assert "¥120,000.00" in page.text
    assert page.text.count("<tr><th scope=\"row\">") == 5
    css = requests.get(stack.url("/static/app.css")).text
    assert "@page { size: A4" in css and "@media print" in css
    assert world.client("acme", "rep1").get(
        f"/admin/contract-templates/{tid}/preview").status_code == 404


def test_demo_has_a_clause_library(stack):
    """The demo writes its library through the service: five clauses by
    legal1, audited, and the template 设备销售合同 pinning them."""
    slug = "dc" + uuid.uuid4().hex[:6]
    stack.cli("demo", "--tenant", slug, "--reps", "1", "--customers", "0")
    t = f"(SELECT id FROM tenants WHERE slug = '{slug}')"
    rows = stack.sql("SELECT c.clause_key, c.version, u.login FROM clauses c "
                     f"JOIN users u ON u.id = c.created_by WHERE c.tenant_id "
                     f"= {t} ORDER BY c.clause_key")
    assert rows == [[k, "1", "legal1"] for k in
                    ("amount", "delivery", "payment", "penalty", "warranty")]
    (name, cl, op), = stack.sql("SELECT name, clauses, options FROM "
                                f"contract_templates WHERE tenant_id = {t}")
    assert name == "设备销售合同"
    assert [c["key"] for c in json.loads(cl)] == [
        "amount", "payment", "delivery", "warranty", "penalty"]
    assert json.loads(op) == {"payment_term_days": [30, 60, 90],
                              "prepay_pct": [0, 30, 50],
                              "delivery_days": [15, 30],
                              "warranty_months": [12, 24],
                              "penalty_pct": [0.5, 1]}
    assert stack.sql(f"SELECT COUNT(*) FROM audit_log WHERE tenant_id = {t} "
                     "AND event IN ('clause.save', "
                     "'contract_template.save')") == [["6"]]
