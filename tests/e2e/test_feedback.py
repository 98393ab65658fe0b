"""After an action the page says what happened, and the customer's
timeline shows every recorded change with its note (issue 11, item 4)."""
import json
import pathlib
import re
import uuid

from test_customers import Api, FORMS

ROOT = pathlib.Path(__file__).resolve().parents[2]


def texts(key):
    """The text of key in both languages (the client may use either)."""
    out = set()
    for lang in ("zh-CN", "en"):
        node = json.loads((ROOT / "templates" / "i18n" / f"{lang}.json")
                          .read_text())
        for part in key.split("."):
            node = node[part]
        out.add(node)
    return out

NOTICE = re.compile(r'<p class="alert alert-ok" role="status" id="notice">'
                    r'([^<]+)</p>')


def follow(client, r):
    assert r.status_code == 303, r.text[:500]
    return client.get(r.headers["Location"].split("#")[0]).text


def timeline(html):
    m = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S)
    assert m, "no timeline"
    return m.group(1)


def test_a_contact_added_is_confirmed_and_in_the_timeline(stack, world):
    rep = world.client("acme", "rep1")
    cid = Api(stack, world, "rep1").customer()["id"]
    name = f"周{uuid.uuid4().hex[:4]}"
    page = follow(rep, rep.post(f"/customers/{cid}/contacts",
                                {"name": name, "role": "budget"}))
    assert NOTICE.search(page).group(1) in texts("customers.done_contact")
    assert any(f"{t}: {name}" in timeline(page)
               for t in texts("timeline.contact_added"))


def test_a_stage_change_shows_its_note(stack, world):
    rep = world.client("acme", "rep1")
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    api.evidence(cid, "need_confirmed", FORMS["need_confirmed"])
    note = f"院长同意立项 {uuid.uuid4().hex[:6]}"
    page = follow(rep, rep.post(f"/customers/{cid}/stage",
                                {"to": "intent", "note": note}))
    assert NOTICE.search(page).group(1) in texts("customers.done_stage")
    assert f'<p class="tl-note">{note}</p>' in timeline(page)


def test_evidence_saved_is_confirmed(stack, world):
    rep = world.client("acme", "rep1")
    cid = Api(stack, world, "rep1").customer()["id"]
    form = rep.get(f"/customers/{cid}/evidence/need_confirmed").text
    tok = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
    r = rep.s.post(rep.url(f"/customers/{cid}/evidence/need_confirmed"),
                   data={**FORMS["need_confirmed"], "note": "电话记录",
                         "_csrf": tok},
                   headers={"Origin": stack.base}, allow_redirects=False)
    page = follow(rep, r)
    assert NOTICE.search(page).group(1) in texts("customers.done_evidence")
    assert '<p class="tl-note">电话记录</p>' in timeline(page)


def test_done_takes_only_known_values(stack, world):
    rep = world.client("acme", "rep1")
    cid = Api(stack, world, "rep1").customer()["id"]
    page = rep.get(f"/customers/{cid}?done=%3Cscript%3E").text
    assert NOTICE.search(page) is None


def test_the_stage_change_is_offered_once_the_evidence_is_in(stack, world):
    rep = world.client("acme", "rep1")
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    assert 'class="ready-form"' not in rep.get(f"/customers/{cid}").text
    api.evidence(cid, "need_confirmed", FORMS["need_confirmed"])
    page = rep.get(f"/customers/{cid}").text
    form = re.search(r'<form class="ready-form".*?</form>', page, re.S)
    assert form and 'name="to" value="intent"' in form.group(0)
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"',
                             form.group(0)))
    fields.pop("_csrf")
    page = follow(rep, rep.post(f"/customers/{cid}/stage", fields))
    assert NOTICE.search(page).group(1) in texts("customers.done_stage")
    assert api.get(f"/api/v1/customers/{cid}").json()["stage"] == "intent"
