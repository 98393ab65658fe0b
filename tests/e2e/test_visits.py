"""Activities and visits (issue 13): a visit completes only with the
photos its type requires (422 naming exactly what is missing); photos
are typed by content; EXIF time and place are checked against the
check-in; a reused photo is flagged; one visit per client id, also when
sent concurrently; effectiveness follows the rule version; a next step
with a date becomes the rep's task; a meeting on a contact is an
activity."""
import concurrent.futures
import os
import pathlib
import re
import shutil
import tempfile
import time
import uuid

import pytest
import requests

from identity import Account, Client
from images import png, scene
from jpeg_exif import exif_jpeg

PASSWORD = "Visit-Test-Pass-2026"
PNG = png(2, 2, lambda x, y: (200, 30 * x, 30 * y))


@pytest.fixture(scope="module")
def co(stack):
    slug = "vi" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "Visit Co")   # Asia/Shanghai
    for login, role, mgr in (("boss", "admin", None), ("mgr", "manager", None),
                             ("rep", "rep", "mgr"), ("rep2", "rep", None)):
        args = ["user", "add", "--tenant", slug, "--login", login, "--role",
                role, "--password-stdin"]
        if mgr:
            args += ["--manager", mgr]
        stack.cli(*args, input_text=PASSWORD + "\n")
    tid = int(stack.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")[0][0])
    out = {"slug": slug, "tid": tid, "api": {}}
    for login in ("rep", "rep2", "mgr", "boss"):
        tok = stack.cli("token", "create", "--tenant", slug, "--user",
                        login).stdout.strip()
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {tok}"
        out["api"][login] = s
    return out


def call(stack, s, method, path, expect=None, **kw):
    r = s.request(method, stack.url(path), timeout=30, **kw)
    if expect is not None:
        assert r.status_code == expect, (method, path, r.status_code,
                                         r.text[:500])
    return r


def customer(stack, co, login="rep"):
    r = call(stack, co["api"][login], "POST", "/api/v1/customers", 201,
             json={"name": "门店 " + uuid.uuid4().hex[:6], "kind": "dealer",
                   "confirm_duplicate": True})
    return r.json()["id"]


def checkin(stack, co, cid, login="rep", **kw):
    body = {"customer": cid, "visit_type": "store_visit"}
    body.update(kw)
    return call(stack, co["api"][login], "POST", "/api/v1/visits", json=body)


def photo(stack, co, vid, key, data, name="p.jpg", login="rep"):
    return call(stack, co["api"][login], "POST",
                f"/api/v1/visits/{vid}/photos", data={"key": key},
                files={"file": (name, data, "image/jpeg")})


# A 96x64 HEIC made with libvips (heifsave) -- tests/fixtures/README.
HEIC = (pathlib.Path(__file__).parent.parent / "fixtures" /
        "gradient.heic").read_bytes()


def scene_jpeg_cut():
    """A real JPEG of a picture, cut in the middle of its pixels."""
    data = (pathlib.Path(__file__).parent.parent / "fixtures" /
            "scene.jpg").read_bytes()
    return data[:len(data) * 2 // 3]


CONTENT = {"need": "CT 球管更换预算", "competitor": "竞品价格低 5%",
           "next_step": "带样品再访", "next_date": "2030-03-05"}


def test_a_store_visit_needs_its_three_photos(stack, co):
    cid = customer(stack, co)
    v = checkin(stack, co, cid, lat=31.2304, lng=121.4737, accuracy=20)
    assert v.status_code == 201, v.text
    vid = v.json()["id"]
    assert v.json()["status"] == "open"
    assert v.json()["location_flag"] == "first"   # the customer's place now
    done = f"/api/v1/visits/{vid}/complete"
    r = call(stack, co["api"]["rep"], "POST", done, json=CONTENT)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "photos_missing"
    assert sorted(m["key"] for m in r.json()["missing"]) == \
        ["intent_page", "shelf", "storefront"]
    assert all(m["name"] for m in r.json()["missing"])
    assert photo(stack, co, vid, "storefront",
                 exif_jpeg(salt=b"a")).status_code == 201
    assert photo(stack, co, vid, "shelf", PNG, "shelf.png").status_code == 201
    r = call(stack, co["api"]["rep"], "POST", done, json=CONTENT)
    assert r.status_code == 422
    assert [m["key"] for m in r.json()["missing"]] == ["intent_page"]
    assert photo(stack, co, vid, "intent_page",
                 exif_jpeg(salt=b"b")).status_code == 201
    r = call(stack, co["api"]["rep"], "POST", done, 200, json=CONTENT)
    a = r.json()
    assert a["status"] == "done" and a["effective"] is True
    assert a["rule_version"] >= 1 and len(a["photos"]) == 3
    # Sent again: still one visit, done.
    r = call(stack, co["api"]["rep"], "POST", done, 200, json=CONTENT)
    assert r.json()["status"] == "done"
    # Its next step is the rep's task, once.
    t = stack.sql("SELECT title, DATE(CONVERT_TZ(due_at, '+00:00', "
                  "'+08:00')) FROM tasks WHERE dedup_key = "
                  f"'activity:{vid}:next'")
    assert t == [["带样品再访", "2030-03-05"]]
    last = stack.sql(f"SELECT last_activity_at IS NOT NULL FROM customers "
                     f"WHERE id = {cid}")
    assert last == [["1"]]


@pytest.mark.parametrize("name,data,ok", [
    ("renamed.jpg", PNG, True),                       # a PNG: typed by content
    ("page.jpg", b"<html><script>alert(1)</script></html>", False),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', False),
    ("cut.jpg", exif_jpeg(salt=b"cut")[:40], False),  # truncated header
    ("cut2.jpg", scene_jpeg_cut(), False),            # truncated pixels
    ("empty.jpg", b"", False),
    ("phone.heic", HEIC, True),                       # an iPhone's format
    ("renamed.png", HEIC, True),
], ids=["png-as-jpg", "html", "svg", "cut-header", "cut-pixels", "empty",
        "heic", "heic-as-png"])
def test_photos_are_typed_by_content(stack, co, name, data, ok):
    cid = customer(stack, co)
    vid = checkin(stack, co, cid).json()["id"]
    r = photo(stack, co, vid, "storefront", data, name)
    assert r.status_code == (201 if ok else 422), (name, r.text)
    if r.status_code == 201:
        p = r.json()["photos"][0]
        mime = stack.sql(f"SELECT mime FROM files WHERE id = {p['file_id']}")
        assert mime[0][0] in ("image/png", "image/jpeg", "image/heic")
        assert mime[0][0] == ("image/heic" if data is HEIC else
                              "image/png" if data is PNG else "image/jpeg")
        # Every photo gets a JPEG thumbnail, served after the access
        # check like the original (a browser cannot show HEIC itself).
        assert p["thumb_file_id"] > 0
        rep = Client(stack, Account(co["slug"], "rep", PASSWORD, "rep"))
        rep.sign_in()
        t = rep.get(f"/files/{p['thumb_file_id']}")
        assert t.status_code == 200
        assert t.content[:3] == b"\xff\xd8\xff", t.content[:8]
        assert t.headers.get("Content-Type") == "image/jpeg"
        other = Client(stack, Account(co["slug"], "rep2", PASSWORD, "rep"))
        other.sign_in()
        assert other.get(f"/files/{p['thumb_file_id']}").status_code == 404
    else:
        body = r.json()
        assert body.get("error"), r.text
        if name.startswith("cut"):
            assert body["detail"] == "visit.broken_image", r.text
        assert not stack.sql(f"SELECT id FROM activity_photos WHERE "
                             f"activity_id = {vid}")


ROLE_OF = {"boss": "admin", "mgr": "manager", "rep": "rep", "rep2": "rep"}


def co_page(stack, co, path, login="rep"):
    c = Client(stack, Account(co["slug"], login, PASSWORD, ROLE_OF[login]))
    c.sign_in()
    return c.get(path).text


def test_a_resaved_picture_is_flagged_similar_not_reused(stack, co):
    """The same picture with other bytes (re-encoded, a little noise) in
    another visit is 'similar'; a different picture is not; the
    thumbnail is at most 320 px and the list shows it."""
    first = checkin(stack, co, customer(stack, co)).json()["id"]
    r = photo(stack, co, first, "shelf", scene(seed=3), "a.png")
    assert r.status_code == 201, r.text
    assert r.json()["photos"][-1]["flags"] == "exif_missing"
    second = checkin(stack, co, customer(stack, co)).json()["id"]
    r = photo(stack, co, second, "shelf", scene(seed=3, noise=2), "b.png")
    assert r.status_code == 201, r.text
    assert r.json()["photos"][-1]["flags"] == "exif_missing,similar", r.text
    r = photo(stack, co, second, "storefront", scene(seed=8), "c.png")
    assert r.json()["photos"][-1]["flags"] == "exif_missing", r.text
    w, h = stack.sql(f"SELECT width, height FROM activity_photos WHERE "
                     f"activity_id = {second} ORDER BY id LIMIT 1")[0]
    assert (w, h) == ("96", "64")
    # The page shows the thumbnails and says what the flag means.
    page = co_page(stack, co, f"/visits/{second}")
    thumb = r.json()["photos"][-1]["thumb_file_id"]
    assert f'src="/files/{thumb}"' in page
    assert "looks like an earlier photo" in page


def test_exif_time_place_and_reuse_are_flagged(stack, co):
    cid = customer(stack, co)
    v = checkin(stack, co, cid, lat=31.2304, lng=121.4737, accuracy=10)
    vid = v.json()["id"]
    at = stack.sql(f"SELECT CONVERT_TZ(checkin_at, '+00:00', '+08:00') FROM "
                   f"activities WHERE id = {vid}")[0][0]
    day, hm = at[:10], at[11:16]
    h, m = int(hm[:2]), int(hm[3:5])

    def t(dmin):
        total = h * 60 + m + dmin
        return f"{day.replace('-', ':')} {total // 60 % 24:02d}:" \
               f"{total % 60:02d}:00"
    cases = [("storefront", exif_jpeg(t(5), 31.2304, 121.4737, b"1"), ""),
             ("shelf", exif_jpeg(t(-90), 31.2304, 121.4737, b"2"),
              "time_far"),
             ("intent_page", exif_jpeg(t(1), 31.26, 121.4737, b"3"),
              "place_far"),
             ("storefront", exif_jpeg(salt=b"4"), "exif_missing")]
    for key, data, flag in cases:
        r = photo(stack, co, vid, key, data)
        assert r.status_code == 201, r.text
        got = r.json()["photos"][-1]["flags"]
        assert got == flag, (key, flag, got)
    # The same bytes in another visit: reused.
    vid2 = checkin(stack, co, customer(stack, co)).json()["id"]
    r = photo(stack, co, vid2, "storefront", cases[0][1])
    assert "reused" in r.json()["photos"][-1]["flags"]


def test_one_visit_per_client_id_even_concurrently(stack, co):
    cid = customer(stack, co)
    key = "c" + uuid.uuid4().hex
    a = checkin(stack, co, cid, client_id=key)
    b = checkin(stack, co, cid, client_id=key)
    assert a.status_code == 201 and b.status_code == 200
    assert a.json()["id"] == b.json()["id"]
    key = "c" + uuid.uuid4().hex
    with concurrent.futures.ThreadPoolExecutor(10) as ex:
        rs = list(ex.map(lambda _: checkin(stack, co, cid, client_id=key),
                         range(10)))
    assert all(r.status_code in (200, 201) for r in rs), \
        [r.text for r in rs if r.status_code not in (200, 201)]
    assert len({r.json()["id"] for r in rs}) == 1
    assert stack.sql("SELECT COUNT(*) FROM activities WHERE client_id = "
                     f"'{key}'") == [["1"]]


def test_effectiveness_follows_the_rule_version(stack, co):
    cid = customer(stack, co)
    body = {"kind": "call", "customer": cid, "need": "预算", "competitor": "",
            "next_step": "发方案"}
    r = call(stack, co["api"]["rep"], "POST", "/api/v1/activities", 201,
             json=body)
    old = r.json()
    assert old["effective"] is False and "competitor" in old["missing"]
    d = tempfile.mkdtemp(prefix="rules-vi-")
    try:
        stack.cli("rules", "pull", "--tenant", co["slug"], d)
        p = os.path.join(d, "activity.lua")
        src = open(p).read().replace(
            'requires = { "need", "competitor", "next_step" }',
            'requires = { "need", "next_step" }')
        src = re.sub(r"test\{.*", "", src, flags=re.S)
        open(p, "w").write(src)
        stack.cli("rules", "push", "--tenant", co["slug"], d)
    finally:
        shutil.rmtree(d)
    # Workers look for a new version every rules_check_ms (500 ms).
    deadline = time.time() + 10
    while True:
        new = call(stack, co["api"]["rep"], "POST", "/api/v1/activities",
                   201, json=body).json()
        if new["rule_version"] > old["rule_version"] or \
                time.time() > deadline:
            break
        time.sleep(0.2)
    assert new["effective"] is True, new
    assert new["rule_version"] > old["rule_version"]
    again = call(stack, co["api"]["rep"], "GET",
                 f"/api/v1/activities/{old['id']}", 200).json()
    assert again["effective"] is False and \
        again["rule_version"] == old["rule_version"]


def test_another_reps_visit_is_not_found(stack, co):
    cid = customer(stack, co)
    vid = checkin(stack, co, cid).json()["id"]
    other = co["api"]["rep2"]
    assert call(stack, other, "GET", f"/api/v1/activities/{vid}").status_code \
        == 404
    assert photo(stack, co, vid, "storefront", exif_jpeg(salt=b"z"),
                 login="rep2").status_code == 404
    assert call(stack, other, "POST", f"/api/v1/visits/{vid}/complete",
                json=CONTENT).status_code == 404
    # Nor may rep2 check in at rep's customer.
    assert checkin(stack, co, cid, login="rep2").status_code == 404
    # The manager sees it.
    assert call(stack, co["api"]["mgr"], "GET",
                f"/api/v1/activities/{vid}").status_code == 200


def test_a_meeting_on_a_contact_is_an_activity(stack, co):
    cid = customer(stack, co)
    k = call(stack, co["api"]["rep"], "POST",
             f"/api/v1/customers/{cid}/contacts", 201,
             json={"name": "李主任", "role": "budget"}).json()["id"]
    rep = Client(stack, Account(co["slug"], "rep", PASSWORD, "rep"))
    rep.sign_in()
    r = rep.post(f"/contacts/{k}/events", {"kind": "met",
                                           "on": "2026-12-01",
                                           "text": "聊了预算",
                                           "consensus": "同意3月安排培训"})
    assert r.status_code == 303, r.text[:300]
    acts = call(stack, co["api"]["rep"], "GET",
                f"/api/v1/activities?customer={cid}", 200).json()
    meeting = [a for a in acts["activities"] if a["kind"] == "meeting"]
    assert len(meeting) == 1
    full = call(stack, co["api"]["rep"], "GET",
                f"/api/v1/activities/{meeting[0]['id']}", 200).json()
    assert full["contacts"] == [{"id": k, "name": "李主任", "role": "budget",
                                 "consensus": "同意3月安排培训"}]
    row = stack.sql(f"SELECT last_met_on, consensus FROM contacts WHERE "
                    f"id = {k}")
    assert row == [["2026-12-01", "同意3月安排培训"]]
    assert "同意3月安排培训" in rep.get(f"/contacts/{k}").text


def test_the_visit_pages_on_a_phone_flow(stack, co):
    rep = Client(stack, Account(co["slug"], "rep", PASSWORD, "rep"))
    rep.sign_in()
    cid = customer(stack, co)
    page = rep.get(f"/visits/new?customer={cid}").text
    assert f'value="{cid}" selected' in page and 'value="store_visit"' in page
    r = rep.post("/visits", {"customer": str(cid), "visit_type":
                             "store_visit", "client_id": "page" +
                             uuid.uuid4().hex, "lat": "31.2304",
                             "lng": "121.4737", "accuracy": "12"})
    assert r.status_code == 303, r.text[:300]
    where = r.headers["Location"].split("?")[0]
    vid = int(where.rsplit("/", 1)[1])
    page = rep.get(where).text
    assert page.count('data-slot="') == 3
    tok = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)

    def upload(key, data):
        return rep.s.post(stack.url(f"/visits/{vid}/photos"),
                          data={"_csrf": tok, "key": key},
                          files={"file": ("p.jpg", data, "image/jpeg")},
                          headers={"Origin": stack.base},
                          allow_redirects=False)
    assert upload("storefront", exif_jpeg(salt=b"p1")).status_code == 303
    r = upload("shelf", b"<html>not a photo</html>")
    assert r.status_code == 422 and "alert-error" in r.text
    r = rep.post(f"/visits/{vid}/complete", CONTENT)
    assert r.status_code == 422
    missing = re.findall(r'data-missing="([a-z_]+)"', r.text)
    assert sorted(missing) == ["intent_page", "shelf"]
    assert upload("shelf", exif_jpeg(salt=b"p2")).status_code == 303
    assert upload("intent_page", exif_jpeg(salt=b"p3")).status_code == 303
    r = rep.post(f"/visits/{vid}/complete", CONTENT)
    assert r.status_code == 303, r.text[:300]
    mgr = Client(stack, Account(co["slug"], "mgr", PASSWORD, "manager"))
    mgr.sign_in()
    day = rep.get("/visits").text
    assert f'data-activity="{vid}"' in day
    team = mgr.get(f"/visits?rep={co_rep_id(stack, co)}").text
    assert f'data-activity="{vid}"' in team
    r = mgr.post(f"/visits/{vid}/review", {"note": "照片清楚"})
    assert r.status_code == 303
    assert "照片清楚" in mgr.get(f"/visits/{vid}").text
    # The rep does not review their own visit.
    assert rep.post(f"/visits/{vid}/review", {"note": "x"}).status_code in \
        (403, 404)
    # The customer's timeline shows it.
    assert f'href="/visits/{vid}"' in rep.get(f"/customers/{cid}").text


def co_rep_id(stack, co):
    return stack.sql(f"SELECT id FROM users WHERE tenant_id = {co['tid']} "
                     "AND login = 'rep'")[0][0]


def test_yesterdays_visit_without_its_photos_is_a_reminder(stack, co):
    """The seed's reminder (lua/default/schedules.lua): weekdays at 09:00,
    each visit of the day before still missing its photos gives its rep a
    task due at 16:00."""
    cid = customer(stack, co)
    vid = checkin(stack, co, cid).json()["id"]
    done = checkin(stack, co, customer(stack, co)).json()["id"]
    # Both on Monday 4 March 2030, 11:00 in Shanghai; one was completed.
    stack.sql("UPDATE activities SET at = '2030-03-04 03:00:00', "
              f"checkin_at = '2030-03-04 03:00:00' WHERE id IN ({vid}, "
              f"{done})")
    stack.sql(f"UPDATE activities SET status = 'done' WHERE id = {done}")

    def run(now):
        stack.cli("jobs", "run", "--now", now, "--tenant", co["slug"])
    run("2030-03-05 00:30:00")   # Tuesday 08:30: nothing yet
    run("2030-03-05 01:00:30")   # 09:00
    rows = stack.sql("SELECT t.title, t.due_at, u.login FROM tasks t JOIN "
                     "users u ON u.id = t.assignee_id WHERE t.tenant_id = "
                     f"{co['tid']} AND t.rule_script = 'schedules' AND "
                     "t.title LIKE '今日16:00前补录昨日拜访照片%'")
    name = stack.sql(f"SELECT name FROM customers WHERE id = {cid}")[0][0]
    assert rows == [[f"今日16:00前补录昨日拜访照片：{name}",
                     "2030-03-05 08:00:00.000", "rep"]], rows
    run("2030-03-05 01:00:30")   # again: nothing new
    assert len(stack.sql("SELECT id FROM tasks WHERE tenant_id = "
                         f"{co['tid']} AND rule_script = 'schedules'")) == 1


# What phones and browsers record: an iPhone memo (M4A), an Android
# recorder (AMR), a browser's MediaRecorder (WebM), an MP3.
AUDIO = [("memo.m4a", b"\0\0\0\x20ftypM4A \0\0\0\0M4A mp42isom" + b"\0" * 64,
          "audio/mp4"),
         ("voice.amr", b"#!AMR\n" + bytes(range(64)), "audio/amr"),
         ("rec.webm", b"\x1a\x45\xdf\xa3" + bytes(range(64)), "audio/webm"),
         ("call.mp3", b"ID3\x04\0\0\0\0\0\x10" + bytes(64), "audio/mpeg")]


def test_recordings_are_typed_by_content_and_played_back(stack, co):
    cid = customer(stack, co)
    vid = checkin(stack, co, cid).json()["id"]
    path = f"/api/v1/activities/{vid}/audio"
    for name, data, mime in AUDIO:
        r = call(stack, co["api"]["rep"], "POST", path,
                 files={"file": (name, data, "application/octet-stream")})
        assert r.status_code == 201, (name, r.text)
        assert r.json()["audio"][-1]["mime"] == mime, (name, r.json())
    # Not a recording, whatever its name says; nothing stored.
    for name, data in (("fake.mp3", b"<html><script>x</script>"),
                       ("photo.m4a", exif_jpeg(salt=b"au"))):
        r = call(stack, co["api"]["rep"], "POST", path,
                 files={"file": (name, data, "audio/mpeg")})
        assert r.status_code == 422, r.text
        assert r.json()["detail"] == "activity.not_audio"
    r = call(stack, co["api"]["rep"], "POST", path, data={"x": "1"})
    assert r.status_code == 422 and \
        r.json()["detail"] == "activity.no_audio_file", r.text
    # Another rep's activity is not found, whatever is sent.
    r = call(stack, co["api"]["rep2"], "POST", path,
             files={"file": AUDIO[0][:2]})
    assert r.status_code == 404, r.text
    got = call(stack, co["api"]["rep"], "GET", f"/api/v1/activities/{vid}",
               200).json()["audio"]
    assert [a["mime"] for a in got] == [m for _, _, m in AUDIO]
    # Played back on the visit page, served inline after the access check.
    rep = Client(stack, Account(co["slug"], "rep", PASSWORD, "rep"))
    rep.sign_in()
    page = rep.get(f"/visits/{vid}").text
    assert f'<audio controls preload="none" src="/files/{got[1]["file_id"]}"' \
        in page
    f = rep.get(f"/files/{got[1]['file_id']}")
    assert f.status_code == 200 and f.headers["Content-Type"] == "audio/amr"
    assert f.headers["Content-Disposition"].startswith("inline")
    other = Client(stack, Account(co["slug"], "rep2", PASSWORD, "rep"))
    other.sign_in()
    assert other.get(f"/files/{got[1]['file_id']}").status_code == 404
    # The page form: a wrong file is explained on the page.
    r = rep.post(f"/visits/{vid}/audio", {},
                 files={"file": ("x.mp3", b"hello", "audio/mpeg")},
                 allow_redirects=False)
    assert r.status_code == 422 and "WebM" in r.text, r.text[:300]


def test_the_nearest_customers_come_first(stack, co):
    """With the browser's position the visit page lists the rep's
    customers around it nearest first, with the distance; others' are
    not among them, and a bad position is ignored."""
    here = (30.5000, 114.3000)
    names = {}
    for login, metres in (("rep", 900), ("rep", 40), ("rep", 5000),
                          ("rep2", 10)):
        cid = customer(stack, co, login)
        lat = here[0] + metres / 111195.0
        stack.sql(f"UPDATE customers SET lat = {lat:.6f}, lng = {here[1]} "
                  f"WHERE id = {cid}")
        names[(login, metres)] = stack.sql(
            f"SELECT name FROM customers WHERE id = {cid}")[0][0]
    page = co_page(stack, co, f"/visits/new?near={here[0]},{here[1]}")
    opts = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', page)
    mine = [o for o in opts if "m" in o.split("·")[-1]]
    assert [o.split(" · ")[0] for o in mine[:3]] == [
        names[("rep", 40)], names[("rep", 900)], names[("rep", 5000)]], opts
    assert mine[0].endswith("· 40 m"), mine[0]
    assert names[("rep2", 10)] not in page
    assert "data-nearest" in page
    # Each customer once: the nearby ones are not repeated in the rest.
    assert sum(o.startswith(names[("rep", 40)]) for o in opts) == 1
    for bad in ("91,10", "abc", "30.5", "30.5,114.3,1", "1e999,1"):
        page = co_page(stack, co, f"/visits/new?near={bad}")
        assert "data-nearest" not in page, bad


def test_the_form_says_before_submitting_whether_it_will_count(stack, co):
    """The rules' verdict on the content so far, saving nothing: what is
    missing by name, the same decision activities get on saving."""
    before = stack.sql("SELECT COUNT(*) FROM activities")
    r = call(stack, co["api"]["rep"], "POST", "/api/v1/activities/check",
             200, json={"kind": "call", "competitor": "竞品价格低"})
    v = r.json()
    assert v["effective"] is False
    # Whatever the tenant's rules are now (another test changes them),
    # the preview is what saving decides.
    assert {m["key"] for m in v["missing"]} >= {"need", "next_step"}
    assert all(m["name"] in v["text"] for m in v["missing"]), v
    r = call(stack, co["api"]["rep"], "POST", "/api/v1/activities/check",
             200, json=CONTENT)
    assert r.json()["effective"] is True and r.json()["missing"] == []
    assert r.json()["rule_version"] > 0
    r = call(stack, co["api"]["rep"], "POST", "/api/v1/activities/check",
             json={"need": "x" * 1001})
    assert r.status_code == 422, r.text
    # The page asks the same through its form (with its CSRF token).
    rep = Client(stack, Account(co["slug"], "rep", PASSWORD, "rep"))
    rep.sign_in()
    page = rep.get("/activities/new").text
    assert "data-verdict" in page
    r = rep.post("/activities/check", {"need": "预算", "competitor": "竞品",
                                       "next_step": ""})
    assert r.status_code == 200, r.text[:300]
    assert r.json()["effective"] is False
    assert r.json()["text"].startswith("Will not count"), r.json()
    assert stack.sql("SELECT COUNT(*) FROM activities") == before
    saved = call(stack, co["api"]["rep"], "POST", "/api/v1/activities", 201,
                 json={"kind": "call", "customer": customer(stack, co),
                       "competitor": "竞品价格低"}).json()
    assert saved["missing"] == ",".join(m["key"] for m in v["missing"])
    assert saved["rule_version"] == v["rule_version"]


def test_a_new_contact_is_added_on_the_spot_and_ticked(stack, co):
    cid = customer(stack, co)
    vid = checkin(stack, co, cid).json()["id"]
    rep = Client(stack, Account(co["slug"], "rep", PASSWORD, "rep"))
    rep.sign_in()
    r = rep.post(f"/visits/{vid}/contacts", {"name": "", "role": "budget"})
    assert r.status_code == 422 and "new-contact" in r.text
    assert stack.sql(f"SELECT COUNT(*) FROM contacts WHERE customer_id = "
                     f"{cid}") == [["0"]]
    r = rep.post(f"/visits/{vid}/contacts", {"name": "王科长",
                                             "role": "acceptance",
                                             "title": "设备科科长"},
                 allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    kid = stack.sql(f"SELECT id FROM contacts WHERE customer_id = {cid} "
                    "AND name = '王科长'")[0][0]
    page = rep.get(r.headers["Location"]).text
    assert f'name="contact" value="{kid}" checked' in page, \
        page[page.find('id="content"'):][:1500]
    # Another rep's visit: not found, nothing added.
    other = Client(stack, Account(co["slug"], "rep2", PASSWORD, "rep"))
    other.sign_in()
    r = other.post(f"/visits/{vid}/contacts", {"name": "X", "role": "budget"})
    assert r.status_code == 404
    assert stack.sql(f"SELECT COUNT(*) FROM contacts WHERE customer_id = "
                     f"{cid}") == [["1"]]


def test_an_offline_check_in_keeps_the_phones_time_within_bounds(stack, co):
    """A visit recorded offline arrives later with the phone's check-in
    time: the visit is placed there (its photos' EXIF compared with it),
    the server's time of arrival is kept beside it; a time ahead of the
    server's or older than 72 hours is refused."""
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    then = now - datetime.timedelta(hours=5)
    iso = then.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    cid = customer(stack, co)
    r = checkin(stack, co, cid, client_id="off-" + uuid.uuid4().hex[:8],
                checked_in_at=iso)
    assert r.status_code == 201, r.text
    v = r.json()
    want = then.strftime("%Y-%m-%d %H:%M:%S")
    assert v["at"].startswith(want) and v["checkin_at"].startswith(want), v
    assert v["device_at"].startswith(want)
    got = datetime.datetime.strptime(v["received_at"][:19],
                                     "%Y-%m-%d %H:%M:%S")
    assert abs((got - now.replace(tzinfo=None)).total_seconds()) < 600
    # A photo taken then (camera clock in the company's zone, UTC+8) is
    # not "far in time" from this check-in.
    local = (then + datetime.timedelta(hours=8)).strftime("%Y:%m:%d %H:%M:%S")
    p = photo(stack, co, v["id"], "storefront", exif_jpeg(local, salt=b"off"))
    assert p.json()["photos"][-1]["flags"] == "", p.text
    page = co_page(stack, co, f"/visits/{v['id']}")
    assert "Recorded offline" in page
    for bad in ((now + datetime.timedelta(hours=1)),
                (now - datetime.timedelta(hours=73))):
        r = checkin(stack, co, cid, client_id="off-" + uuid.uuid4().hex[:8],
                    checked_in_at=bad.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        assert r.status_code == 422 and \
            r.json()["detail"] == "visit.bad_device_time", r.text
    for bad in ("yesterday", "2026-13-45T99:00:00Z"):
        r = checkin(stack, co, cid, checked_in_at=bad,
                    client_id="off-" + uuid.uuid4().hex[:8])
        assert r.status_code == 422, (bad, r.text)
    # Only a queued visit (with the phone's client id) says when.
    r = checkin(stack, co, cid, checked_in_at=iso)
    assert r.status_code == 422 and \
        r.json()["detail"] == "visit.bad_device_time", r.text


def test_a_photo_over_the_size_limit_is_refused_with_a_message(stack, co):
    """max_file_size (20 MB by default, configurable) answers 413 with a
    message; nothing is stored."""
    vid = checkin(stack, co, customer(stack, co)).json()["id"]
    big = b"\xff\xd8\xff\xe0" + bytes(21 * 1024 * 1024)
    r = photo(stack, co, vid, "storefront", big, "huge.jpg")
    assert r.status_code == 413, r.text[:300]
    assert r.json().get("message"), r.text[:300]
    assert stack.sql(f"SELECT COUNT(*) FROM activity_photos WHERE "
                     f"activity_id = {vid}") == [["0"]]


def test_the_day_view_filters_by_team(stack, co):
    """An admin picks a manager's team: that team's visits only; a
    manager may not pick a team outside their own (404)."""
    mine = checkin(stack, co, customer(stack, co, "rep"), "rep").json()
    other = checkin(stack, co, customer(stack, co, "rep2"), "rep2").json()
    mgr = stack.sql(f"SELECT id FROM users WHERE tenant_id = {co['tid']} "
                    "AND login = 'mgr'")[0][0]
    boss = stack.sql(f"SELECT id FROM users WHERE tenant_id = {co['tid']} "
                     "AND login = 'boss'")[0][0]
    admin = Client(stack, Account(co["slug"], "boss", PASSWORD, "admin"))
    admin.sign_in()
    page = admin.get(f"/visits?team={mgr}").text   # today
    assert f'data-activity="{mine["id"]}"' in page
    assert f'data-activity="{other["id"]}"' not in page
    assert f'<option value="{mgr}" selected>' in page
    page = admin.get("/visits").text
    assert f'data-activity="{other["id"]}"' in page
    c = Client(stack, Account(co["slug"], "mgr", PASSWORD, "manager"))
    c.sign_in()
    assert c.get(f"/visits?team={boss}").status_code == 404


def test_nothing_is_added_to_a_reviewed_visit(stack, co):
    vid = checkin(stack, co, customer(stack, co)).json()["id"]
    mgr = Client(stack, Account(co["slug"], "mgr", PASSWORD, "manager"))
    mgr.sign_in()
    r = mgr.post(f"/visits/{vid}/review", {"note": "ok"},
                 allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    r = call(stack, co["api"]["rep"], "POST",
             f"/api/v1/activities/{vid}/audio", files={"file": AUDIO[1][:2]})
    assert r.status_code == 409 and \
        r.json()["detail"] == "activity.reviewed", r.text
    assert stack.sql(f"SELECT COUNT(*) FROM activity_audio WHERE "
                     f"activity_id = {vid}") == [["0"]]
