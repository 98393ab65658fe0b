"""Offline replay (issue 13, item 7): a phone replays a queued visit --
check-in, photos, completion -- with the same client id and the same
bytes whenever it is unsure the server got it.  However often and however
concurrently, that is one visit with one set of photos; a photo re-sent
after its visit was completed is the photo already stored; a replay that
lacks a required photo comes back as 422 photos_missing naming exactly
the missing kinds."""
import concurrent.futures
import uuid

import pytest
import requests

from jpeg_exif import exif_jpeg

PASSWORD = "Offline-Test-Pass-2026"
CONTENT = {"need": "补货", "competitor": "竞品促销", "next_step": "下周复查",
           "next_date": "2030-03-05"}
KEYS = ("storefront", "shelf", "intent_page")


@pytest.fixture(scope="module")
def co(stack):
    slug = "of" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "Offline Co")
    stack.cli("user", "add", "--tenant", slug, "--login", "rep", "--role",
              "rep", "--password-stdin", input_text=PASSWORD + "\n")
    tok = stack.cli("token", "create", "--tenant", slug, "--user",
                    "rep").stdout.strip()
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {tok}"
    return {"slug": slug, "api": s}


def new_customer(stack, co):
    r = co["api"].post(stack.url("/api/v1/customers"), timeout=30,
                       json={"name": "离线门店 " + uuid.uuid4().hex[:6],
                             "kind": "dealer", "confirm_duplicate": True})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def replay(stack, s, cid, client_id, photos, keys=KEYS):
    """What the phone's queue sends for one visit (s: a session with the
    rep's token): the status of each step and the last answer."""
    out = []
    r = s.post(stack.url("/api/v1/visits"), timeout=60,
               json={"customer": cid, "visit_type": "store_visit",
                     "client_id": client_id, "lat": 31.2304,
                     "lng": 121.4737, "accuracy": 15})
    out.append(r.status_code)
    if r.status_code not in (200, 201):
        return out, r
    vid = r.json()["id"]
    for key in keys:
        r = s.post(stack.url(f"/api/v1/visits/{vid}/photos"), timeout=60,
                   data={"key": key},
                   files={"file": (key + ".jpg", photos[key], "image/jpeg")})
        out.append(r.status_code)
    r = s.post(stack.url(f"/api/v1/visits/{vid}/complete"), timeout=60,
               json=CONTENT)
    out.append(r.status_code)
    return out, r


def photos_of(salt):
    return {k: exif_jpeg(salt=(salt + k).encode()) for k in KEYS}


def counts(stack, client_id):
    rows = stack.sql("SELECT a.id, a.status, (SELECT COUNT(*) FROM "
                     "activity_photos p WHERE p.tenant_id = a.tenant_id AND "
                     "p.activity_id = a.id) FROM activities a WHERE "
                     f"a.client_id = '{client_id}'")
    return rows


def token_session(co):
    s = requests.Session()
    s.headers["Authorization"] = co["api"].headers["Authorization"]
    return s


def test_the_same_visit_sent_twice_is_one_visit(stack, co):
    cid = new_customer(stack, co)
    key = "q" + uuid.uuid4().hex
    pics = photos_of(key)
    first, r1 = replay(stack, co["api"], cid, key, pics)
    assert first == [201, 201, 201, 201, 200], r1.text
    again, r2 = replay(stack, co["api"], cid, key, pics)
    # The check-in is the same visit (200), each photo the one stored, and
    # completing a done visit answers it again.
    assert again[0] == 200 and again[-1] == 200, (again, r2.text)
    assert all(c in (200, 201) for c in again), again
    assert r1.json()["id"] == r2.json()["id"]
    rows = counts(stack, key)
    assert len(rows) == 1 and rows[0][1:] == ["done", "3"], rows
    assert len(r2.json()["photos"]) == 3
    # A photo whose answer was lost, re-sent after completion: the same.
    vid = r1.json()["id"]
    r = co["api"].post(stack.url(f"/api/v1/visits/{vid}/photos"), timeout=30,
                       data={"key": "shelf"},
                       files={"file": ("s.jpg", pics["shelf"], "image/jpeg")})
    assert r.status_code in (200, 201), r.text
    assert counts(stack, key)[0][2] == "3"
    # New bytes on a done visit are still refused.
    r = co["api"].post(stack.url(f"/api/v1/visits/{vid}/photos"), timeout=30,
                       data={"key": "shelf"},
                       files={"file": ("n.jpg", exif_jpeg(salt=b"new"),
                                       "image/jpeg")})
    assert r.status_code == 409, r.text
    assert counts(stack, key)[0][2] == "3"


def test_ten_concurrent_replays_are_one_visit(stack, co):
    cid = new_customer(stack, co)
    key = "q" + uuid.uuid4().hex
    pics = photos_of(key)
    with concurrent.futures.ThreadPoolExecutor(10) as ex:
        results = list(ex.map(
            lambda _: replay(stack, token_session(co), cid, key, pics),
            range(10)))
    for steps, last in results:
        # Every phone ends with the visit done: each sent all three photos
        # before completing, so none of them is missing one.
        assert all(c in (200, 201) for c in steps), (steps, last.text)
        assert last.json()["status"] == "done"
    assert len({last.json()["id"] for _, last in results}) == 1
    assert sum(1 for steps, _ in results if steps[0] == 201) == 1
    rows = counts(stack, key)
    assert len(rows) == 1 and rows[0][1:] == ["done", "3"], rows
    keys = stack.sql("SELECT photo_key FROM activity_photos WHERE "
                     f"activity_id = {rows[0][0]} ORDER BY photo_key")
    assert keys == [["intent_page"], ["shelf"], ["storefront"]]


def test_a_replay_missing_a_photo_names_it(stack, co):
    cid = new_customer(stack, co)
    key = "q" + uuid.uuid4().hex
    steps, r = replay(stack, co["api"], cid, key, photos_of(key),
                      keys=("storefront",))
    assert steps == [201, 201, 422], r.text
    body = r.json()
    assert body["error"] == "photos_missing"
    assert sorted(m["key"] for m in body["missing"]) == ["intent_page",
                                                         "shelf"]
    assert body["message"]
    # Replayed as it was: still refused, still one open visit.
    steps, r = replay(stack, co["api"], cid, key, photos_of(key),
                      keys=("storefront",))
    assert steps == [200, 201, 422], r.text
    rows = counts(stack, key)
    assert len(rows) == 1 and rows[0][1:] == ["open", "1"], rows
