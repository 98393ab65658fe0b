"""The audit log reads as sentences (issue 11, item 6): each event has a
sentence in both catalogs, filled from the entry with links to the
customer or user it is about, labels instead of keys, and no raw JSON
outside the collapsed raw entry; the event filter shows labels."""
import html
import json
import pathlib
import re
import uuid

from identity import Account, Client
from test_customers import FORMS, Api
from test_i18n_keys import C_LITERAL, catalog, enclosing_call

ROOT = pathlib.Path(__file__).resolve().parents[2]

# The calls whose literal arguments are audit event names (directly, or
# through the helper that writes them).
EVENT_CALLS = {"audit_write", "audit_write_db", "audit_login", "audit",
               "user_set_password", "publish_checked"}
EVENT = re.compile(r"[a-z]+\.[a-z_]+|logout")


def code_events():
    events = set()
    for f in sorted((ROOT / "module").rglob("*.c")):
        text = f.read_text()
        for m in C_LITERAL.finditer(text):
            if EVENT.fullmatch(m.group(1)) and \
                    enclosing_call(text, m.start()) in EVENT_CALLS:
                events.add(m.group(1))
    return events


def test_every_event_the_code_writes_has_a_sentence():
    events = code_events()
    assert {"login.ok", "customer.create", "evidence.add",
            "role.change", "logout"} <= events, events
    for lang in ("zh-CN", "en"):
        keys = catalog(lang)
        missing = sorted(e for e in events if f"audit.e.{e}" not in keys)
        assert missing == [], (lang, missing)


def rows(page):
    """(event, visible sentence html, unknown?) of each row."""
    out = []
    for m in re.finditer(r'<tr class="audit-row" data-event="([^"]+)">'
                         r'(.*?)</tr>', page, re.S):
        cell = re.search(r'<td class="audit-what( audit-unknown)?">(.*?)'
                         r'<details', m.group(2), re.S)
        assert cell, m.group(0)
        out.append((m.group(1), cell.group(2).strip(), bool(cell.group(1))))
    return out


def text_of(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_entries_read_as_sentences_with_links(stack, world):
    admin = world.client("acme", "boss")
    rep = world.client("acme", "rep1")
    api = Api(stack, world, "rep1")
    tag = uuid.uuid4().hex[:8]
    cid = api.customer(f"审计 {tag}")["id"]
    eid = api.evidence(cid, "need_confirmed", FORMS["need_confirmed"])
    r = rep.post(f"/customers/{cid}/evidence/{eid}/remove", {"confirm": "1"})
    assert r.status_code == 303
    bad = Client(stack, Account("acme", "rep1", "wrong-" + tag))
    assert bad.sign_in(expect_ok=False).status_code == 422
    r = admin.post("/admin/users", {"login": f"a{tag}", "name": f"审计人{tag}",
                                    "role": "rep"})
    assert r.status_code == 200
    uid = stack.sql(f"SELECT id FROM users WHERE login = 'a{tag}'")[0][0]
    r = admin.post(f"/admin/users/{uid}", {"name": f"审计人{tag}",
                                           "role": "manager"})
    assert r.status_code == 303

    page = admin.get("/admin/audit",
                     headers={"Accept-Language": "zh-CN"}).text
    got = rows(page)
    assert len(got) >= 6
    assert [e for e, _, unknown in got if unknown] == []
    for event, sentence, _ in got:
        visible = text_of(sentence)
        # No JSON, no event names, no placeholders in what people read.
        assert not re.search(r'[{}]|\b[a-z]+\.[a-z_]+\b', visible), \
            (event, visible)
    by_event = {}
    for event, sentence, _ in got:
        by_event.setdefault(event, []).append(sentence)
    created = [s for s in by_event["customer.create"] if tag in s]
    assert created and f'<a href="/customers/{cid}">审计 {tag}</a>' \
        in created[0], created
    added = [s for s in by_event["evidence.add"]
             if f'href="/customers/{cid}"' in s]
    assert added and "需求确认记录" in added[0], added
    assert any(f'href="/customers/{cid}"' in s
               for s in by_event["evidence.remove"])
    assert any(f'<a href="/admin/users/{uid}">审计人{tag}</a>' in s
               for s in by_event["user.create"])
    change = [s for s in by_event["role.change"]
              if f"/admin/users/{uid}" in s]
    assert change and "销售代表" in change[0] and "销售经理" in change[0]
    assert any("密码错误" in s for s in by_event["login.fail"])
    # The raw entry is still there for forensics, folded away.
    assert re.search(r'<details class="audit-raw">.*?customer\.create',
                     page, re.S)
    # The filter offers labels.
    opts = re.findall(r'<option value="([a-z]+)"[^>]*>([^<]+)<', page)
    assert ("customer", "客户") in opts and ("login", "登录") in opts


def test_the_filter_finds_the_new_groups(world):
    admin = world.client("acme", "boss")
    page = admin.get("/admin/audit?event=customer").text
    events = {e for e, _, _ in rows(page)}
    assert events and all(e.startswith("customer") for e in events), events


def test_raw_detail_is_the_stored_json(stack, world):
    admin = world.client("acme", "boss")
    page = admin.get("/admin/audit?event=customer").text
    raw = re.findall(r'<details class="audit-raw"><summary>[^<]*</summary>'
                     r'<code>customer\.create ([^<]*)</code>', page)
    assert raw
    assert "customer" in json.loads(html.unescape(raw[0]))
