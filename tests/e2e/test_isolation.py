"""Tenant and scope isolation, generated from the route table.

For every route that names an object by id, every role of company A (and
A's API tokens) asking for company B's ids gets 404, and no answer to any
request of A's users contains the marker planted in all of B's data.
"""
import json
import re

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
KINDS = [("/sessions/", "sessions", "num"), ("/tokens/", "api_tokens", "id"),
         ("/users/", "users", "id"), ("/history/", "rule_versions", "version"),
         ("/import/", "imports", "id"), ("/evidence/{eid", "evidence", "id"),
         ("/customers/", "customers", "id"), ("/contacts/", "contacts", "id"),
         ("/files/", "files", "id")]
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
            assert r.status_code in (200, 422), rt["pattern"]
            assert MARKER not in r.text


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_another_companys_data(stack, world, routes, role):
    client = world.client("acme", ROLE_USER[role])
    for rt in routes:
        if "GET" not in rt["methods"] or PARAM.search(rt["pattern"]):
            continue
        r = client.get(fill(rt["pattern"], 0))
        assert r.status_code in (200, 303, 404, 422), (rt["pattern"],
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
