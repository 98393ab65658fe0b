"""Safe defaults (issue 11, item 5): a new user starts as the least
privileged role, a new contact with no role chosen for it."""
import re

from test_customers import Api


def selected_options(html, name):
    m = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert m, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"[^>]* selected', m.group(1))


def test_a_new_user_is_a_rep_until_made_more(world):
    admin = world.client("acme", "boss")
    page = admin.get("/admin/users/new").text
    assert selected_options(page, "role") == ["rep"]


def test_a_new_contact_has_no_role_until_one_is_chosen(stack, world):
    rep = world.client("acme", "rep1")
    cid = Api(stack, world, "rep1").customer()["id"]
    page = rep.get(f"/customers/{cid}/contacts/new").text
    assert selected_options(page, "role") == []
    assert re.search(r'<select name="role" required><option value="">',
                     page)
    r = rep.post(f"/customers/{cid}/contacts", {"name": "王主任"})
    assert r.status_code == 422
    assert 'data-field="role" data-key="validate.required"' in r.text


def test_discarding_drafts_and_rollback_ask_first(stack, world):
    """Destructive one-click actions answer with a question until
    confirmed (issue 11, item 5); nothing changes before."""
    admin = world.client("acme", "boss")
    versions = stack.sql("SELECT COUNT(*) FROM rule_versions v JOIN tenants t "
                         "ON t.id = v.tenant_id WHERE t.slug = 'acme'")
    r = admin.post("/admin/rules/discard")
    assert r.status_code == 200 and 'name="confirm" value="1"' in r.text
    assert 'action="/admin/rules/discard"' in r.text
    r = admin.post("/admin/rules/history/1/rollback")
    assert r.status_code == 200 and 'name="confirm" value="1"' in r.text
    assert stack.sql("SELECT COUNT(*) FROM rule_versions v JOIN tenants t "
                     "ON t.id = v.tenant_id WHERE t.slug = 'acme'") == versions
    # The page's forms carry the question for the script.
    page = admin.get("/admin/rules").text
    assert re.search(r'action="/admin/rules/discard" data-confirm="[^"]+"',
                     page) or "/admin/rules/discard" not in page


def test_removing_evidence_a_contact_or_a_user_asks_first(stack, world):
    rep = world.client("acme", "rep1")
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    eid = api.evidence(cid, "trial_kit_receipt")
    kid = api.post(f"/api/v1/customers/{cid}/contacts",
                   json={"name": "赵科长", "role": "budget"}).json()["id"]
    for path in (f"/customers/{cid}/evidence/{eid}/remove",
                 f"/contacts/{kid}/remove"):
        r = rep.post(path)
        assert r.status_code == 200 and 'name="confirm" value="1"' in r.text
    assert stack.sql(f"SELECT removed_at IS NULL FROM evidence "
                     f"WHERE id = {eid}") in ([["1"]], [[1]])
    assert stack.sql(f"SELECT active FROM contacts WHERE id = {kid}") in (
        [["1"]], [[1]])
    admin = world.client("acme", "boss")
    uid = world.ids[("acme", "rep2")]
    r = admin.post(f"/admin/users/{uid}/deactivate")
    assert r.status_code == 200 and 'name="confirm" value="1"' in r.text
    assert stack.sql(f"SELECT active FROM users WHERE id = {uid}") in (
        [["1"]], [[1]])
    # Someone else's objects are 404 before any question.
    other = world.client("acme", "rep2")
    assert other.post(f"/customers/{cid}/evidence/{eid}/remove").status_code \
        == 404
