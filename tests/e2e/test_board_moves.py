"""The pipeline board moves customers forward by default and asks before
anything else (issue 11, item 1): each card's target is the next stage; a
move back or to lost is refused until it is confirmed (a page of its own
without JavaScript, confirm=1 with it) on the board and the customer page
alike; after a move the board says what happened and offers an undo."""
import re
import uuid

import pytest

from test_customers import FORMS, Api, to_intent


@pytest.fixture(scope="module")
def rep(world):
    return world.client("acme", "rep1")


@pytest.fixture
def at_intent(stack, world):
    api = Api(stack, world, "rep1")
    c = api.customer(f"看板 {uuid.uuid4().hex[:8]}")
    to_intent(api, c["id"])
    return api, c["id"]


def stage_of(api, cid):
    return api.get(f"/api/v1/customers/{cid}").json()["stage"]


def card_options(html, cid):
    m = re.search(rf'<select name="to" id="to-{cid}">(.*?)</select>', html,
                  re.S)
    assert m, f"no card for customer {cid}"
    return re.findall(r'<option value="([a-z_]+)"([^>]*)>', m.group(1))


def test_the_default_target_is_the_next_stage(rep, at_intent):
    _, cid = at_intent
    opts = dict(card_options(rep.get("/pipeline?stage=intent").text, cid))
    selected = [k for k, attrs in opts.items() if "selected" in attrs]
    assert selected == ["advancing"]
    assert "data-back" in opts["lead"] and "data-lost" in opts["lost"]
    assert "data-back" not in opts["advancing"]


@pytest.mark.parametrize("where", ["board", "page"])
def test_a_move_back_is_asked_before_it_happens(rep, at_intent, where):
    api, cid = at_intent
    path, form = (("/pipeline/move", {"id": str(cid), "to": "lead"})
                  if where == "board" else
                  (f"/customers/{cid}/stage", {"to": "lead"}))
    r = rep.post(path, form)
    assert r.status_code == 200
    assert 'name="confirm" value="1"' in r.text
    assert stage_of(api, cid) == "intent"  # nothing moved
    r = rep.post(path, {**form, "confirm": "1"})
    assert r.status_code == 303, r.text[:500]
    assert stage_of(api, cid) == "lead"


def test_a_move_to_lost_is_asked_and_needs_its_reason(rep, at_intent):
    api, cid = at_intent
    r = rep.post("/pipeline/move", {"id": str(cid), "to": "lost",
                                    "lost_reason": "price"})
    assert r.status_code == 200 and 'name="confirm"' in r.text
    assert 'name="lost_reason" value="price"' in r.text  # carried along
    assert stage_of(api, cid) == "intent"
    r = rep.post("/pipeline/move", {"id": str(cid), "to": "lost",
                                    "confirm": "1"})
    assert r.status_code == 422  # confirmed, but still no reason
    assert stage_of(api, cid) == "intent"


def test_a_forward_move_says_what_happened_and_can_be_undone(
        stack, rep, at_intent):
    api, cid = at_intent
    for key in ("trial_kit_receipt",):
        api.evidence(cid, key)
    api.evidence(cid, "head_phone_confirmation",
                 {"contact": "李主任", "outcome": "同意试用"})
    api.evidence(cid, "installation_form",
                 {"location": "放射科 2 楼", "power": "220V",
                  "date": "2026-12-20"})
    r = rep.post("/pipeline/move", {"id": str(cid), "to": "advancing",
                                    "back": "/pipeline?stage=advancing"})
    assert r.status_code == 303
    where = r.headers["Location"]
    assert where == f"/pipeline?stage=advancing&moved={cid}"
    page = rep.get(where).text
    notice = re.search(r'<section class="alert alert-ok notice".*?</section>',
                       page, re.S)
    assert notice, "no message after the move"
    assert 'name="to" value="intent"' in notice.group(0)
    undo = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"',
                           notice.group(0)))
    undo.pop("_csrf")
    assert undo["confirm"] == "1"
    r = rep.post("/pipeline/move", undo)
    assert r.status_code == 303
    assert stage_of(api, cid) == "intent"


def test_the_board_has_the_lists_filters(stack, world, rep):
    """Search, kind and (for a manager) owner and team filter the board
    as they filter the list."""
    api = Api(stack, world, "rep1")
    tag = uuid.uuid4().hex[:8]
    a = api.customer(f"看板筛选 {tag} 医", kind="hospital")["id"]
    b = api.customer(f"看板筛选 {tag} 商", kind="dealer")["id"]
    page = rep.get(f"/pipeline?q={tag}&kind=hospital").text
    assert re.search(r'<form class="form form-row filters board-filters"',
                     page)
    assert f'data-id="{a}"' in page and f'data-id="{b}"' not in page
    assert re.search(r'<select name="kind">.*?<option value="hospital" '
                     r'selected>', page, re.S)
    mgr = world.client("acme", "mgr")
    assert '<select name="owner">' in mgr.get("/pipeline").text


def card_html(html, cid):
    m = re.search(rf'<li class="board-card" data-id="{cid}".*?</li>', html,
                  re.S)
    assert m, f"no card for customer {cid}"
    return m.group(0)


def test_cards_show_the_evidence_the_next_stage_needs(rep, at_intent):
    """ "证据 1/3": of the next stage's evidence chain, what the customer
    holds; it grows as items are added and turns ready when complete."""
    api, cid = at_intent

    def progress():
        card = card_html(rep.get("/pipeline?stage=intent").text, cid)
        m = re.search(r'class="ev-progress( ready)?"[^>]*>(?:证据|Evidence) (\d+)/(\d+)<',
                      card)
        assert m, card
        return int(m.group(2)), int(m.group(3)), bool(m.group(1))

    assert progress() == (0, 3, False)
    api.evidence(cid, "trial_kit_receipt")
    assert progress() == (1, 3, False)
    api.evidence(cid, "head_phone_confirmation",
                 FORMS["head_phone_confirmation"])
    api.evidence(cid, "installation_form", FORMS["installation_form"])
    assert progress() == (3, 3, True)
    # The last stage has nothing next: no progress on its cards.
    assert "ev-progress" not in "".join(
        re.findall(r'<section class="board-col[^"]*" data-stage="lost".*?'
                   r'</section>', rep.get("/pipeline").text, re.S))
