"""Which roles may export customer lists is a company setting (issue 11,
item 5): by default managers and admins; a rep gets 403 with the reason
and no export link; an admin changes it on the settings page (CSRF,
audited), admins always keep it."""
import re
import uuid

import pytest

from identity import Account, Client

PASSWORD = "Export-Roles-Pass-2026"


@pytest.fixture(scope="module")
def company(stack):
    slug = "exp" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "导出公司")
    clients = {}
    for login, role, manager in (("boss", "admin", None),
                                 ("mgr", "manager", None),
                                 ("rep", "rep", "mgr")):
        args = ["user", "add", "--tenant", slug, "--login", login, "--role",
                role, "--password-stdin"]
        if manager:
            args += ["--manager", manager]
        stack.cli(*args, input_text=PASSWORD + "\n")
        c = Client(stack, Account(slug, login, PASSWORD, role))
        c.sign_in()
        clients[role] = c
    return clients


def may_export(client):
    r = client.get("/customers/export.csv")
    assert r.status_code in (200, 403), r.status_code
    link = 'href="/customers/export.csv' in client.get("/customers").text
    assert link == (r.status_code == 200)
    return r.status_code == 200


def save(admin, roles):
    r = admin.post("/admin/settings", [("export_shown", "1")] +
                   [("export", x) for x in roles])
    assert r.status_code == 303, r.text[:500]


def test_default_managers_and_admins(company):
    assert may_export(company["admin"])
    assert may_export(company["manager"])
    assert not may_export(company["rep"])
    r = company["rep"].get("/customers/export.csv")
    assert "导出" in r.text or "export" in r.text.lower()


def test_the_admin_changes_who_may(stack, company):
    admin = company["admin"]
    page = admin.get("/admin/settings").text
    assert re.search(r'value="admin" checked disabled', page)
    save(admin, ["rep"])
    assert may_export(company["rep"])
    assert not may_export(company["manager"])
    assert may_export(admin)  # always
    assert "设置已保存" in admin.get("/admin/settings?done=saved").text or \
        "Settings saved" in admin.get("/admin/settings?done=saved").text
    audit = admin.get("/admin/audit?event=tenant").text
    assert 'data-event="tenant.settings"' in audit
    # Unknown roles: refused, nothing changed.
    r = admin.post("/admin/settings", [("export_shown", "1"),
                                       ("export", "emperor")])
    assert r.status_code == 422
    # A request that did not come from the form changes nothing.
    assert admin.post("/admin/settings", {}).status_code == 422
    assert may_export(company["rep"])
    save(admin, ["manager"])
    assert not may_export(company["rep"]) and may_export(company["manager"])


def test_only_admins_reach_the_settings(company):
    for role in ("manager", "rep"):
        assert company[role].get("/admin/settings").status_code == 404
        r = company[role].post("/admin/settings", [("export", "rep")])
        assert r.status_code == 404
