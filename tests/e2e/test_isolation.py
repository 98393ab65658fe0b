"""Tenant and scope isolation, generated from the route table.

For every route that names an object by id, every role of company A (and
A's API tokens) asking for company B's ids gets 404, and no answer to any
request of A's users contains the marker planted in all of B's data.
"""
import json
import re
import uuid

import pytest
import requests

from conftest import MARKER, ROLES

ROLE_USER = {"admin": "boss", "manager": "mgr", "rep": "rep1",
             "legal": "legal", "finance": "finance", "supervisor": "sup",
             "store_manager": "store", "marketing": "mkt"}
PARAM = re.compile(r"\{([a-z_]+):int\}")


@pytest.fixture(scope="module")
def routes(stack):
    table = json.loads(stack.cli("routes").stdout)
    return [r for r in table if not r["debug"]]


# Which table the id in a route pattern names.  A new kind of object in
# the route table must be added here, or the test fails.
KINDS = [("/pos/imports/", "pos_imports", "id"),
         ("/campaigns/", "campaigns", "id"), ("/stores/", "stores", "id"),
         ("/sessions/", "sessions", "num"), ("/tokens/", "api_tokens", "id"),
         ("/users/", "users", "id"), ("/history/", "rule_versions", "version"),
         ("/import/", "imports", "id"), ("/evidence/{eid", "evidence", "id"),
         ("/customers/", "customers", "id"),
         ("/qualifications/", "qual_docs", "id"),
         ("/contacts/", "contacts", "id"),
         ("/files/", "files", "id"), ("/tasks/", "tasks", "id"),
         ("/notifications/", "notifications", "id"),
         ("/deliveries/", "deliveries", "id"),
         ("/activities/", "activities", "id"), ("/visits/", "activities", "id"),
         ("/audits/", "audits", "id"), ("/products/", "products", "id"),
         ("/contract-templates/", "contract_templates", "id"),
         ("/contracts/", "contracts", "id"),
         ("/shipments/", "shipments", "id")]
# Numbered per tenant rather than globally: the same number names A's own
# object, so the answer may be A's page -- never B's data.
SCOPED = {"rule_versions"}
SLUG = re.compile(r"\{[a-z_]+:slug\}")


def kind_of(pattern):
    for part, table, col in KINDS:
        if part in pattern:
            return table, col
    raise AssertionError(f"unknown object kind in {pattern}: add it to KINDS")


@pytest.fixture(scope="module")
def b_ids(stack, world):
    """Every object id of company B, by table."""
    for login in ("boss", "rep1", "mgr"):
        world.client("bravo", login)  # B has live sessions too
    ids = {}
    for _, table, col in KINDS:
        def of(slug):
            return {int(v) for (v,) in stack.sql(
                f"SELECT x.{col} FROM {table} x JOIN tenants t ON "
                f"t.id = x.tenant_id WHERE t.slug = '{slug}'")}
        ids[table] = sorted(of("bravo") if table in SCOPED
                            else of("bravo") - of("acme"))
        assert ids[table], table
    return ids


def fill(pattern, value):
    return SLUG.sub("stages", PARAM.sub(str(value), pattern))


def request(client, method, path):
    if method == "GET":
        return client.get(path)
    if path.startswith("/api/"):
        return client.send_json(method, path, {})
    return client.send(method, path, {})


def test_b_data_is_really_there(stack, world, b_ids):
    """The marker is visible to B itself: the test below can fail."""
    b_admin = world.client("bravo", "boss")
    uid = world.ids[("bravo", "rep1")]
    assert MARKER in b_admin.get(f"/admin/users/{uid}").text
    assert MARKER in b_admin.get("/admin/users").text


@pytest.mark.parametrize("role", ROLES)
def test_foreign_ids_are_404_for_every_role(stack, world, routes, b_ids,
                                            role):
    client = world.client("acme", ROLE_USER[role])
    checked = 0
    for rt in routes:
        if not PARAM.search(rt["pattern"]):
            continue
        for method in rt["methods"]:
            if method == "HEAD":
                continue
            table = kind_of(rt["pattern"])[0]
            for oid in b_ids[table]:
                r = request(client, method, fill(rt["pattern"], oid))
                ok = (404, 200, 303, 422) if table in SCOPED and \
                    role == "admin" else (404,)
                assert r.status_code in ok, (role, method, rt["pattern"],
                                             oid, r.status_code)
                assert MARKER not in r.text
                checked += 1
    assert checked > 30
    # Still signed in: none of this was an accident of a lost session.
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("login", ["boss", "rep1", "mgr"])
def test_foreign_ids_are_404_for_api_tokens(stack, world, routes, b_ids,
                                            login):
    h = {"Authorization": f"Bearer {world.tokens[('acme', login)]}"}
    for rt in routes:
        if not rt["api"]:
            continue
        if PARAM.search(rt["pattern"]):
            for oid in b_ids[kind_of(rt["pattern"])[0]]:
                for method in rt["methods"]:
                    if method == "HEAD":
                        continue
                    r = requests.request(method,
                                         stack.url(fill(rt["pattern"], oid)),
                                         headers=h, json={})
                    assert r.status_code == 404, (method, rt["pattern"], oid)
                    assert MARKER not in r.text
        elif "GET" in rt["methods"]:
            r = requests.get(stack.url(rt["pattern"]), headers=h)
            # A list of some roles (admins', legal's queue) is not found
            # for the others.
            role = {"boss": "admin", "rep1": "rep", "mgr": "manager"}[login]
            ok = (200, 422) if role in rt["roles"] else (404,)
            assert r.status_code in ok, rt["pattern"]
            assert MARKER not in r.text


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_another_companys_data(stack, world, routes, role):
    client = world.client("acme", ROLE_USER[role])
    for rt in routes:
        if "GET" not in rt["methods"] or PARAM.search(rt["pattern"]):
            continue
        r = client.get(fill(rt["pattern"], 0))
        # 403: a role the company does not let export (settings).
        assert r.status_code in (200, 303, 403, 404, 422), (rt["pattern"],
                                                  r.status_code)
        assert MARKER not in r.text, rt["pattern"]
    # Search and filters cannot reach across either.
    if role == "admin":
        page = client.get(f"/admin/users?q={MARKER}").text
        assert page.count(MARKER) == 1  # only the search box's own value
        assert "Nothing here." in page
        for q in ("ZZBRAVO", "%", "_", "rep"):
            assert MARKER not in client.get(f"/admin/users?q={q}").text
        assert MARKER not in client.get(
            f"/admin/audit?user=rep1").text


def test_rep_cannot_see_other_reps_or_admin_pages(stack, world, routes):
    rep = world.client("acme", "rep1")
    other = world.ids[("acme", "rep2")]
    assert rep.get(f"/api/v1/users/{other}").status_code == 404
    assert rep.get(f"/api/v1/users/{world.ids[('acme', 'rep1')]}"
                   ).status_code == 200
    for rt in routes:
        if rt["roles"] and "rep" not in rt["roles"] and "GET" in \
                rt["methods"]:
            assert rep.get(fill(rt["pattern"], other)).status_code == 404, \
                rt["pattern"]


def test_manager_sees_only_the_team(stack, world):
    mgr = world.client("acme", "mgr")
    inside = world.ids[("acme", "rep2")]       # under mgr2, under mgr
    outside = world.ids[("acme", "rep3")]      # under mgr3
    assert mgr.get(f"/api/v1/users/{inside}").status_code == 200
    assert mgr.get(f"/api/v1/users/{outside}").status_code == 404


# --- ids in request bodies ---------------------------------------------------

# The customers and users of their own company each tester may not touch:
# rep2 is under mgr2 under mgr, rep3 under mgr3.
OUT_OF_SCOPE = {"boss": [], "mgr": ["rep3"], "rep1": ["rep2", "rep3"]}
BULK_ITEM = re.compile(
    r'<li>(?:<a href="/customers/(\d+)">[^<]*</a>|#(\d+)):(.*?)</li>', re.S)


@pytest.fixture(scope="module")
def acme_owned(stack, world):
    """A customer of acme's rep1, rep2 and rep3 each."""
    h = {"Authorization": f"Bearer {world.tokens[('acme', 'boss')]}"}
    tag = uuid.uuid4().hex[:8]
    out = {}
    for login in ("rep1", "rep2", "rep3"):
        r = requests.post(stack.url("/api/v1/customers"), headers=h, json={
            "name": f"body ids {tag} {login}", "kind": "hospital",
            "owner_id": world.ids[("acme", login)],
            "confirm_duplicate": True}, timeout=30)
        assert r.status_code == 201, r.text
        out[login] = r.json()["id"]
    return out


def body_state(stack, world, acme_owned):
    """Every row of company B that a request body could name, the acme
    customers above with their history, and acme's rep2 (whom an admin
    edits below); and how many customers and users acme has."""
    b = "(SELECT id FROM tenants WHERE slug = 'bravo')"
    a = "(SELECT id FROM tenants WHERE slug = 'acme')"
    mine = ", ".join(str(i) for i in sorted(acme_owned.values()))
    rep2 = world.ids[("acme", "rep2")]
    queries = [
        f"SELECT * FROM customers WHERE tenant_id = {b} OR id IN ({mine}) "
        "ORDER BY id",
        f"SELECT * FROM stage_events WHERE tenant_id = {b} OR customer_id IN "
        f"({mine}) ORDER BY id",
        f"SELECT * FROM contacts WHERE tenant_id = {b} OR customer_id IN "
        f"({mine}) ORDER BY id",
        f"SELECT * FROM evidence WHERE tenant_id = {b} OR customer_id IN "
        f"({mine}) ORDER BY id",
        f"SELECT * FROM files WHERE tenant_id = {b} ORDER BY id",
        f"SELECT * FROM imports WHERE tenant_id = {b} ORDER BY id",
        "SELECT id, tenant_id, login, display_name, role, manager_id, "
        "region, locale, active FROM users WHERE tenant_id = "
        f"{b} OR id = {rep2} ORDER BY id",
        f"SELECT * FROM user_tree WHERE tenant_id = {b} OR descendant_id = "
        f"{rep2} ORDER BY 1, 2, 3",
        f"SELECT (SELECT COUNT(*) FROM customers WHERE tenant_id = {a}), "
        f"(SELECT COUNT(*) FROM users WHERE tenant_id = {a}), "
        f"(SELECT COUNT(*) FROM stage_events WHERE tenant_id = {a})",
    ]
    return [stack.sql(q) for q in queries]


def bulk_results(html):
    """The list page's report of a bulk action: {id: ok, not_found,
    refused}."""
    m = re.search(r'<ul class="bulk-results">(.*?)</ul>', html, re.S)
    assert m, "no bulk results on the page"
    out = {}
    for a, b, rest in BULK_ITEM.findall(m.group(1)):
        out[int(a or b)] = ("not_found" if "badge-muted" in rest else
                            "refused" if 'class="refused"' in rest else
                            "ok" if 'class="badge"' in rest else rest)
    return out


@pytest.mark.parametrize("login", ["boss", "mgr", "rep1"])
def test_foreign_ids_in_bodies_are_refused_and_change_nothing(
        stack, world, b_ids, acme_owned, login):
    """Company B's ids (and, inside A, those of people out of the tester's
    scope) named in form fields and JSON members rather than in the path:
    each request is refused with the code the handler gives, nothing of B
    or of the other people changes, nothing is created, and no answer
    shows B's data."""
    client = world.client("acme", login)
    admin = login == "boss"
    team = login in ("boss", "mgr")
    b_users = [world.ids[("bravo", u)] for u in ("boss", "mgr", "rep1")]
    foreign_customers = b_ids["customers"] + [
        acme_owned[u] for u in OUT_OF_SCOPE[login]]
    foreign_users = b_users + [world.ids[("acme", u)]
                               for u in OUT_OF_SCOPE[login]]
    own = acme_owned["rep1"]  # in every tester's scope
    tag = uuid.uuid4().hex[:8]
    before = body_state(stack, world, acme_owned)
    token = client.token("/account")

    def send(path, data, expect):
        r = client.post(path, data, token=token)
        assert r.status_code == expect, (login, path, data, r.status_code,
                                         r.text[:300])
        assert MARKER not in r.text, (login, path, data)
        return r

    # The board moves the customer named in the form (pipeline.c): 404,
    # even to "lost", which needs no evidence.
    for cid in foreign_customers:
        send("/pipeline/move", {"id": cid, "to": "lost",
                                "lost_reason": "price"}, 404)
        send("/pipeline/move", {"id": cid, "to": "intent"}, 404)
    # Bulk actions answer on the list page, item by item (customer_pages.c):
    # every foreign id "not found", none done.
    for action in ({"action": "stage", "to": "lost", "lost_reason": "price"},
                   {"action": "transfer",
                    "owner": world.ids[("acme", login)]}):
        r = send("/customers/bulk", {**action, "ids": foreign_customers},
                 200)
        assert bulk_results(r.text) == {c: "not_found"
                                        for c in foreign_customers}
        assert f"Bulk action done: 0 / {len(foreign_customers)}" in r.text
    # Someone else as the owner of a new customer, of a transfer, of a bulk
    # transfer: 422 (not a user one may give customers to); a rep may not
    # transfer at all (the route is the team's: 404; bulk: 403).
    for uid in foreign_users:
        send("/customers", {"name": f"body ids {tag} new", "kind": "hospital",
                            "owner": uid, "confirm_duplicate": "1"}, 422)
        send(f"/customers/{own}/transfer", {"owner": uid},
             422 if team else 404)
        send("/customers/bulk", {"action": "transfer", "owner": uid,
                                 "ids": [own]}, 422 if team else 403)
    # Company B's people as manager of a new or an edited user (admin.c):
    # 422 for the admin, and the edit is rolled back whole.
    for uid in b_users:
        send("/admin/users", {"login": f"bodyids{tag}", "name": "body ids",
                              "role": "rep", "manager": uid},
             422 if admin else 404)
        send(f"/admin/users/{world.ids[('acme', 'rep2')]}",
             {"name": f"body ids {tag}", "role": "rep", "manager": uid},
             422 if admin else 404)
    # B's products and photos in a shelf audit of acme's visit
    # (audits.c): 422 naming the field, nothing saved.
    visit = stack.sql("SELECT a.id FROM activities a JOIN tenants t ON "
                      "t.id = a.tenant_id JOIN users u ON u.id = a.rep_id "
                      "WHERE t.slug = 'acme' AND a.kind = 'visit' AND "
                      "u.login = 'rep1' ORDER BY a.id LIMIT 1")[0][0]
    b_photos = [int(x) for (x,) in stack.sql(
        "SELECT p.id FROM activity_photos p JOIN tenants t ON "
        "t.id = p.tenant_id WHERE t.slug = 'bravo'")]
    lines = stack.sql(f"SELECT COUNT(*) FROM audit_lines")
    for pid in b_ids["products"]:
        r = send(f"/visits/{visit}/audit", {"product_1": pid,
                                            "facings_1": "1",
                                            "position_1": "corner"}, 422)
        assert 'data-field="product_1"' in r.text
    for ph in b_photos:
        send(f"/visits/{visit}/audit", {"photo": ph, "sku_1": "SKU-acme",
                                        "facings_1": "1",
                                        "position_1": "corner"}, 422)
    assert stack.sql("SELECT COUNT(*) FROM audit_lines") == lines
    # The rules' dry run for a customer of B (rules_admin.c): 404.
    for cid in b_ids["customers"]:
        send("/admin/rules/dry-run", {"customer": cid}, 404)
    # The JSON API: owner_id of someone else, 422 naming the field.
    h = {"Authorization": f"Bearer {world.tokens[('acme', login)]}"}
    for uid in foreign_users:
        r = requests.post(stack.url("/api/v1/customers"), headers=h, json={
            "name": f"body ids {tag} api", "kind": "hospital",
            "owner_id": uid, "confirm_duplicate": True}, timeout=30)
        assert r.status_code == 422, (login, uid, r.status_code, r.text)
        assert "owner_id" in r.json()["fields"]
        assert MARKER not in r.text
    assert body_state(stack, world, acme_owned) == before
    assert stack.sql("SELECT COUNT(*) FROM customers WHERE name LIKE "
                     f"'body ids {tag}%'") == [["0"]]
    assert stack.sql("SELECT COUNT(*) FROM users WHERE login LIKE "
                     f"'bodyids{tag}%'") == [["0"]]
    # Still signed in, still who they were.
    assert client.get("/api/v1/me").json()["login"] == login


def test_metrics_of_another_company_are_404(stack, world):
    """The metrics and the cockpit take people ids from the query: another
    company's manager or rep is unknown here, whatever the role asking."""
    for login in ("boss", "mgr", "rep1"):
        client = world.client("acme", login)
        for kind in ("team", "rep"):
            for who in ("mgr", "rep1"):
                other = world.ids[("bravo", who)]
                for path in ("/api/v1/metrics/stage-health",
                             "/api/v1/metrics/funnel",
                             "/api/v1/metrics/consistency",
                             "/api/v1/metrics/heatmap",
                             "/api/v1/metrics/losses"):
                    r = client.get(f"{path}?{kind}={other}")
                    assert r.status_code == 404, (login, path, kind, who)
                r = client.get(f"/cockpit?{kind}={other}")
                assert r.status_code == 404, (login, kind, who)
        for which in ("health_all", "funnel_entered", "losses"):
            for stage in ("lead", "intent", "lost"):
                r = client.get(f"/cockpit/customers?which={which}"
                               f"&stage={stage}")
                assert MARKER not in r.text, (login, which, stage)
