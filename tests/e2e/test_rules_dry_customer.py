"""The rules dry run for a real customer: every move from its stage,
decided by the published rules and by the drafts side by side, with the
rows whose decision changes marked."""
import re
import time
import uuid

import requests


def customer(stack, world, slug="acme", login="rep1"):
    r = requests.post(stack.url("/api/v1/customers"), json={
        "name": f"Dry {uuid.uuid4().hex[:10]}", "kind": "hospital",
        "confirm_duplicate": True}, headers={
        "Authorization": f"Bearer {world.tokens[(slug, login)]}"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def rows(html):
    """stage name -> (differs, published cell, draft cell)"""
    out = {}
    for m in re.finditer(r'<tr( class="differs")?>\s*<th scope="row">(.*?)'
                         r'</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', html,
                         re.S):
        name = re.sub(r"<.*?>.*", "", m.group(2), flags=re.S).strip()
        out[name] = (bool(m.group(1)), m.group(3), m.group(4))
    return out


def test_dry_run_for_a_customer_shows_what_the_draft_changes(stack, world):
    admin = world.client("acme", "boss")
    admin.post("/admin/rules/discard", {"confirm": "1"})
    time.sleep(0.6)
    cid = customer(stack, world)
    page = admin.get("/admin/rules/stages").text
    src = re.search(r'<textarea name="source"[^>]*>(.*?)</textarea>', page,
                    re.S).group(1).replace("&quot;", '"')
    assert 'requires = { &quot;need_confirmed&quot; } },' in page
    draft = src.replace('requires = { "need_confirmed" } },',
                        'requires = {} },', 1)
    draft = (draft.replace("&lt;", "<").replace("&gt;", ">")
             .replace("&#39;", "'").replace("&amp;", "&"))
    admin.post("/admin/rules/stages", {"source": draft})  # kept as a draft
    try:
        r = admin.post("/admin/rules/dry-run", {"customer": str(cid)},
                       headers={"Accept-Language": "en"})
        assert r.status_code == 200, r.text[:500]
        got = rows(r.text)
        assert set(got) >= {"Intent", "Advancing", "Quote", "Contract"}, got
        differs, pub, drf = got["Intent"]
        # Published: the need must be confirmed first; draft: nothing.
        assert differs and "Missing:" in pub and "Allowed" in drf
        differs, pub, drf = got["Advancing"]
        # A skip: refused by both, with the catalog's reason.
        assert not differs and pub == drf and "skipped" in pub
        differs, pub, drf = got["Lost"]
        assert not differs and "Allowed" in pub
        # Not found: another company's customer, or no such number.
        other = customer(stack, world, slug="bravo")
        for bad in (str(other), "999999999"):
            r = admin.post("/admin/rules/dry-run", {"customer": bad})
            assert r.status_code == 404 and "alert-error" in r.text
        r = admin.post("/admin/rules/dry-run", {"customer": "x"})
        assert r.status_code == 422
    finally:
        admin.post("/admin/rules/discard", {"confirm": "1"})


def test_a_rep_cannot_dry_run(stack, world):
    rep = world.client("acme", "rep1")
    r = rep.post("/admin/rules/dry-run", {"customer": "1"})
    assert r.status_code in (403, 404)
