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
