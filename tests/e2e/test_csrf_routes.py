"""Every state-changing route, from the route table, refuses a missing or
wrong CSRF token and a foreign origin -- and nothing changes."""
import json
import re

import pytest

from identity import Client

PARAM = re.compile(r"\{([a-z_]+):int\}")


@pytest.fixture(scope="module")
def state_routes(stack):
    table = json.loads(stack.cli("routes").stdout)
    routes = [r for r in table if r["state"] and not r["debug"]]
    assert len(routes) >= 15
    return routes


def real_path(stack, world, pattern):
    """Fill parameters with real ids of the admin's own company, so that a
    missing check would really change something."""
    pattern = re.sub(r"\{[a-z_]+:slug\}", "stages", pattern)
    if "{" not in pattern:
        return pattern
    if pattern.startswith("/admin/users/") or pattern.startswith(
            "/api/v1/users/"):
        value = world.ids[("acme", "rep2")]
    elif "/history/" in pattern:
        value = 1
    elif "tokens" in pattern:
        value = stack.sql("SELECT k.id FROM api_tokens k JOIN tenants t ON "
                          "t.id = k.tenant_id WHERE t.slug = 'acme' AND "
                          "k.revoked_at IS NULL LIMIT 1")[0][0]
    elif pattern.startswith("/products/") or \
            pattern.startswith("/api/v1/products/"):
        value = stack.sql("SELECT MAX(x.id) FROM products x JOIN tenants t "
                          "ON t.id = x.tenant_id WHERE t.slug = 'acme'")[0][0]
    elif "/stores/" in pattern or "/campaigns/" in pattern:
        table = "stores" if "/stores/" in pattern else "campaigns"
        value = stack.sql(f"SELECT MAX(x.id) FROM {table} x JOIN tenants t "
                          "ON t.id = x.tenant_id WHERE t.slug = 'acme'")[0][0]
    elif "/tasks/" in pattern or "/notifications/" in pattern or \
            "/deliveries/" in pattern or "/visits/" in pattern or \
            "/activities/" in pattern:
        table = ("tasks" if "/tasks/" in pattern else "notifications"
                 if "/notifications/" in pattern else "deliveries"
                 if "/deliveries/" in pattern else "activities")
        value = stack.sql(f"SELECT COALESCE(MAX(x.id), 1) FROM {table} x "
                          "JOIN tenants t ON t.id = x.tenant_id WHERE "
                          "t.slug = 'acme'")[0][0]
    else:
        value = stack.sql("SELECT MAX(num) FROM sessions")[0][0]
    return PARAM.sub(str(value), pattern)


def snapshot(stack):
    return (stack.sql("SELECT id, role, active, password_hash, manager_id, "
                      "locale, mfa_enabled FROM users ORDER BY id"),
            stack.sql("SELECT id, revoked_at FROM api_tokens ORDER BY id"),
            stack.sql("SELECT COUNT(*) FROM sessions"),
            stack.sql("SELECT id, status, version, assignee_id FROM tasks "
                      "ORDER BY id"),
            stack.sql("SELECT id, read_at FROM notifications ORDER BY id"),
            stack.sql("SELECT id, status, attempts FROM deliveries "
                      "ORDER BY id"),
            stack.sql("SELECT id, status, effective FROM activities "
                      "ORDER BY id"),
            stack.sql("SELECT COUNT(*) FROM activity_photos"),
            stack.sql("SELECT COUNT(*) FROM activity_audio"),
            stack.sql("SELECT id, sku, name, own, active FROM products "
                      "ORDER BY id"),
            stack.sql("SELECT COUNT(*) FROM audit_lines"),
            stack.sql("SELECT COUNT(*) FROM clauses"),
            stack.sql("SELECT COUNT(*) FROM contract_templates"),
            stack.sql("SELECT id, status, is_current, verify FROM qual_docs "
                      "ORDER BY id"),
            stack.sql("SELECT id, status, approval, version FROM contracts "
                      "ORDER BY id"),
            stack.sql("SELECT id, status, form_file_id, frozen_at FROM "
                      "shipments ORDER BY id"),
            stack.sql("SELECT id, amount, paid_on FROM payments ORDER BY id"),
            stack.sql("SELECT id, code, name, address, supervisor_id, format, "
                      "opened_on, closed_on, customer_id FROM stores "
                      "ORDER BY id"),
            stack.sql("SELECT * FROM store_managers ORDER BY 1, 2, 3"),
            stack.sql("SELECT id, product_id, name, launch_on, all_stores, "
                      "note, active FROM campaigns ORDER BY id"),
            stack.sql("SELECT * FROM campaign_stores ORDER BY 1, 2, 3"),
            stack.sql("SELECT tenant_id, campaign_id, file_id FROM "
                      "campaign_files ORDER BY 1, 2, 3"),
            stack.sql("SELECT id, launch_on FROM products ORDER BY id"),
            stack.sql("SELECT COALESCE(MAX(version), 0) FROM pos_state"),
            stack.sql("SELECT id, status FROM pos_imports ORDER BY id"),
            stack.sql("SELECT COUNT(*) FROM pos_sales"),
            stack.sql("SELECT COUNT(*) FROM jobs WHERE kind = 'pos_import'"))


@pytest.mark.parametrize("case", ["no_token", "wrong_token",
                                  "foreign_origin", "no_origin"])
def test_state_changes_need_token_and_origin(stack, world, state_routes,
                                              case):
    admin = world.client("acme", "boss")
    before = snapshot(stack)
    for rt in state_routes:
        path = real_path(stack, world, rt["pattern"])
        good = admin.token("/account")
        kw = {"token": good, "origin": True}
        if case == "no_token":
            kw["token"] = False
        elif case == "wrong_token":
            kw["token"] = "A" * 43
        elif case == "foreign_origin":
            kw["origin"] = "https://evil.example"
        elif case == "no_origin":
            kw["origin"] = False
        method = [m for m in rt["methods"] if m != "HEAD"][0]
        r = admin.send(method, path, {"name": "x", "role": "rep",
                                      "code": "123456", "lang": "en",
                                      "password": "x", "current": "x",
                                      "confirm": "x"}, **kw)
        assert r.status_code == 403, (case, rt["pattern"], r.status_code)
    assert snapshot(stack) == before
    assert admin.get("/account").status_code == 200


def test_anonymous_forms_need_the_cookie_token(stack):
    c = Client(stack)
    # Without ever loading a page there is no token cookie to match.
    r = c.post("/login", {"tenant": "acme", "login": "rep1",
                          "password": "x"}, token="A" * 43)
    assert r.status_code == 403
    r = c.post("/lang", {"lang": "en"}, token=False)
    assert r.status_code == 403


def test_no_state_change_on_get(stack, world, state_routes):
    admin = world.client("acme", "boss")
    before = snapshot(stack)
    for rt in state_routes:
        # Either no GET route at that path (405) or a page that shows the
        # form -- never the action.
        r = admin.get(real_path(stack, world, rt["pattern"]))
        assert r.status_code in (200, 303, 404, 405), rt["pattern"]
    assert snapshot(stack) == before
