"""SQL-injection strings and mass-assignment fields in every parameter of
every route leave the data unchanged (and never cause a 5xx)."""
import json
import re

import pytest
import requests

PAYLOADS = [
    "' OR '1'='1",
    "1' OR 1=1 -- ",
    "\" OR \"\"=\"",
    "1; DROP TABLE users; --",
    "1 UNION SELECT password_hash FROM users",
    "admin'/*",
    "1' AND SLEEP(3) AND '1'='1",
    "%' OR '%'='",
    "\\'; UPDATE users SET role='admin' WHERE '1'='1",
]
# Fields a client could try to set that are never taken from a body.
MASS = {"tenant_id": "2", "tenant": "bravo", "owner": "1", "owner_id": "1",
        "user_id": "1", "id": "1", "role": "admin", "stage": "contract",
        "active": "1", "mfa_enabled": "0", "manager_id": "1",
        "password_hash": "x", "created_by": "1"}
FIELDS = ["q", "role", "active", "page", "event", "user", "from", "to",
          "before", "next", "tenant", "login", "name", "manager", "region",
          "locale", "password", "current", "confirm", "code", "recovery",
          "days", "lang"]
PARAM = re.compile(r"\{([a-z_]+):int\}")
# Routes whose only effect is on the caller's own sessions and that take
# no input: nothing to inject, and running them would sign the tester out.
SKIP = {"login.logout", "account.sessions_revoke_others",
        "account.mfa_start"}
# Routes that act on the object in their path and read no fields: they are
# sent to an id that does not exist (their input is only the path).
ACTIONS = {"admin.user_deactivate", "admin.user_activate",
           "admin.user_password", "admin.user_mfa_reset",
           "admin.token_revoke", "account.token_revoke",
           "account.session_revoke", "rules.rollback"}
SLUG = re.compile(r"\{[a-z_]+:slug\}")


def snapshot(stack):
    return [
        stack.sql("SELECT * FROM tenants ORDER BY id"),
        stack.sql("SELECT id, tenant_id, login, display_name, role, "
                  "manager_id, region, locale, active, password_hash, "
                  "mfa_enabled, mfa_secret FROM users ORDER BY id"),
        stack.sql("SELECT * FROM user_tree ORDER BY 1, 2, 3"),
        stack.sql("SELECT id, tenant_id, user_id, name, token_hash, "
                  "expires_at, revoked_at FROM api_tokens ORDER BY id"),
        stack.sql("SELECT tenant_id, user_id, code_hash FROM "
                  "mfa_recovery_codes ORDER BY 1, 2, 3"),
        stack.sql("SELECT version, checksum FROM schema_migrations"),
    ]


@pytest.fixture(scope="module")
def routes(stack):
    table = json.loads(stack.cli("routes").stdout)
    return [r for r in table if not r["debug"] and r["name"] not in SKIP]


@pytest.mark.parametrize("login", ["boss", "rep1"])
def test_injection_and_mass_assignment_change_nothing(stack, world, routes,
                                                      login):
    client = world.client("acme", login)
    before = snapshot(stack)
    for rt in routes:
        for payload in PAYLOADS:
            # In path parameters: typed, so never even routed.
            if PARAM.search(rt["pattern"]):
                bad = PARAM.sub(requests.utils.quote(payload, safe=""),
                                rt["pattern"])
                r = client.get(bad)
                assert r.status_code == 404, (bad, r.status_code)
            path = SLUG.sub("stages", PARAM.sub(
                "987654321" if rt["name"] in ACTIONS
                else str(world.ids[("acme", "rep2")]), rt["pattern"]))
            data = {f: payload for f in FIELDS}
            data.update(MASS)
            if "GET" in rt["methods"]:
                r = client.get(path, params=data)
                assert r.status_code < 500, (path, payload, r.status_code)
            if "POST" in rt["methods"]:
                if rt["name"] == "login.submit":
                    r = requests.post(stack.url(path), data=data,
                                      allow_redirects=False)
                else:
                    r = client.post(path, data)
                assert r.status_code < 500, (path, payload, r.status_code)
    assert snapshot(stack) == before
    # Drafts saved on the way are legitimate data; leave none behind.
    if login == "boss":
        client.post("/admin/rules/discard")
    # The tester is who they were, with the role they had.
    me = client.get("/api/v1/me").json()
    assert me["login"] == login and me["tenant"]["slug"] == "acme"
