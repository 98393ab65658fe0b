"""A rep on a phone without network (issue 13, item 7): the visit page
comes from the service worker's cache, a visit with its photos is
recorded and queued in IndexedDB, and when the network returns it is
uploaded once -- one visit with its three photos.  A queued visit the
server refuses (a required photo missing) stays in the queue as "needs
fixing" with the server's message naming the missing photos, and is sent
once the rep adds them.

The network is switched off through DevTools
(Network.emulateNetworkConditions: the page is offline, navigator.onLine
is false, its requests fail).  That emulation does not reach the service
worker in headless Chromium (its fetches would still get through), so the
stack's nginx is stopped as well while "offline": every request from the
phone fails as it does without signal, and what the page shows comes from
the worker's cache."""
import pathlib
import re
import socket
import subprocess
import sys
import time
import tempfile
import uuid

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

from jpeg_exif import exif_jpeg  # noqa: E402

PASSWORD = "Offline-Browser-Pass-2026"


def company(stack):
    slug = "ofb" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "离线测试公司")
    stack.cli("user", "add", "--tenant", slug, "--login", "rep", "--role",
              "rep", "--name", "王五", "--password-stdin",
              input_text=PASSWORD + "\n")
    tok = stack.cli("token", "create", "--tenant", slug, "--user",
                    "rep").stdout.strip()
    return slug, {"Authorization": f"Bearer {tok}"}


def new_customer(stack, h, name):
    r = requests.post(stack.url("/api/v1/customers"), headers=h, timeout=30,
                      json={"name": name, "kind": "dealer",
                            "confirm_duplicate": True})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def sign_in(stack, browser, slug):
    browser.get(stack.url("/login"))
    browser.find_element(By.NAME, "tenant").send_keys(slug)
    browser.find_element(By.NAME, "login").send_keys("rep")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR,
                         'form[action="/login"] button[type=submit]').click()
    WebDriverWait(browser, 15).until(lambda d: "/login" not in d.current_url)


def reachable(stack):
    try:
        socket.create_connection(("127.0.0.1", stack.port), 1).close()
        return True
    except OSError:
        return False


def server(stack, up):
    """Start or stop the stack's nginx (the phone's only way in)."""
    prefix = stack.var / "nginx"
    args = ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    if up == reachable(stack):
        return
    subprocess.run(args if up else args + ["-s", "stop"], check=True,
                   timeout=30)
    deadline = time.monotonic() + 30
    while reachable(stack) != up:
        assert time.monotonic() < deadline, f"nginx still {not up}"
        time.sleep(0.1)


def emulate(browser, online):
    """DevTools' network conditions for the page's current target."""
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": not online, "latency": 0, "downloadThroughput": -1,
        "uploadThroughput": -1})


@pytest.fixture
def net(stack):
    """network(browser, online); the server is back after the test."""
    def network(browser, online):
        if online:
            server(stack, True)
        emulate(browser, online)
        if not online:
            server(stack, False)
    yield network
    server(stack, True)


def cached(browser):
    """The worker controls the page and holds /visits/new."""
    return browser.execute_async_script("""
        var done = arguments[arguments.length - 1];
        if (!navigator.serviceWorker.controller) { done(false); return; }
        caches.open('proofline-visits-v1').then(function (c) {
          return c.match('/visits/new');
        }).then(function (r) { done(!!r); }, function () { done(false); });
    """)


def prepare(stack, browser):
    """Signed in, the visit page cached, then a customer added that the
    cached page cannot know; returns (slug, headers, customer id)."""
    slug, h = company(stack)
    cid = new_customer(stack, h, "离线门店甲")
    sign_in(stack, browser, slug)
    browser.get(stack.url("/visits/new"))
    wait = WebDriverWait(browser, 20)
    # The first load installs the worker; the next ones are its.
    wait.until(lambda d: d.execute_script(
        "return !!navigator.serviceWorker.controller") or
        d.refresh() or False)
    wait.until(cached)
    new_customer(stack, h, "联网后新增客户乙")
    return slug, h, cid


def go_offline_and_check_in(stack, browser, cid, network):
    network(browser, False)
    browser.get(stack.url("/visits/new"))
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "form[data-checkin]"))
    # A navigation may land in a new renderer (the worker answers it):
    # the conditions are set again for the page now shown, and the page
    # must have noticed before the rep acts.
    emulate(browser, False)
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return navigator.onLine") is False)
    # From the cache: the customer added after it was kept is not there.
    page = browser.page_source
    assert "离线门店甲" in page and "联网后新增客户乙" not in page
    Select(browser.find_element(By.NAME, "customer")).select_by_value(
        str(cid))
    Select(browser.find_element(By.NAME, "visit_type")).select_by_value(
        "store_visit")
    browser.find_element(
        By.CSS_SELECTOR, "form[data-checkin] button[type=submit]").click()
    wait.until(lambda d: d.find_element(
        By.CSS_SELECTOR, "[data-offline-visit]").is_displayed())
    key = wait.until(lambda d: d.execute_script(
        "var e = document.querySelector('[data-queue-item]'); "
        "return e ? e.dataset.queueItem : null;"))
    assert state(browser, key) == "draft"
    return key


def add_photos(browser, keys, tmp):
    for key in keys:
        p = pathlib.Path(tmp) / f"{key}.jpg"
        p.write_bytes(exif_jpeg(salt=(uuid.uuid4().hex + key).encode()))
        inp = browser.find_element(By.NAME, f"photo_{key}")
        inp.send_keys(str(p))
        # The slots are redrawn when a photo is kept: read them in one go.
        WebDriverWait(browser, 10).until(lambda d: d.execute_script(
            "var e = document.querySelector('[data-offline-slots] "
            "[data-slot=\"' + arguments[0] + '\"]'); "
            "return !!e && e.classList.contains('photo-done');", key))


def complete(browser):
    form = browser.find_element(By.CSS_SELECTOR, "[data-offline-content]")
    form.find_element(By.NAME, "need").send_keys("补货两箱")
    form.find_element(By.NAME, "competitor").send_keys("竞品降价")
    form.find_element(By.NAME, "next_step").send_keys("下周复查陈列")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: not d.find_element(
        By.CSS_SELECTOR, "[data-offline-visit]").is_displayed())


def state(browser, key):
    """The queue item's state (None: not in the queue), read in one go:
    the list is redrawn as items change."""
    return browser.execute_script(
        "var e = document.querySelector('[data-queue-item=\"' + "
        "arguments[0] + '\"]'); return e ? e.dataset.state : null;", key)


def visit_rows(stack, key):
    return stack.sql("SELECT a.id, a.status, (SELECT COUNT(*) FROM "
                     "activity_photos p WHERE p.activity_id = a.id) FROM "
                     f"activities a WHERE a.client_id = '{key}'")


def test_a_visit_recorded_offline_is_uploaded_once(stack, browser, net):
    slug, h, cid = prepare(stack, browser)
    key = go_offline_and_check_in(stack, browser, cid, net)
    with tempfile.TemporaryDirectory() as tmp:
        add_photos(browser, ("storefront", "shelf", "intent_page"), tmp)
        complete(browser)
    assert state(browser, key) == "waiting"
    count = browser.find_element(By.CSS_SELECTOR, "[data-queue-count]").text
    assert count == "1 个拜访待上传", count
    assert visit_rows(stack, key) == []   # nothing reached the server
    net(browser, True)
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: state(d, key) is None)
    status = browser.find_element(By.CSS_SELECTOR, "[data-queue-status]").text
    assert "1 个拜访已上传" in status, status
    rows = visit_rows(stack, key)
    assert len(rows) == 1 and rows[0][1:] == ["done", "3"], rows
    # The API agrees: one visit at this customer, done, three photos.
    r = requests.get(stack.url(f"/api/v1/activities?customer={cid}"),
                     headers=h, timeout=30)
    acts = r.json()["activities"]
    assert len(acts) == 1 and acts[0]["status"] == "done"
    full = requests.get(stack.url(f"/api/v1/activities/{acts[0]['id']}"),
                        headers=h, timeout=30).json()
    assert sorted(p["key"] for p in full["photos"]) == \
        ["intent_page", "shelf", "storefront"]
    # Reloading (another replay chance) sends nothing again.
    browser.get(stack.url("/visits"))
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, f'[data-activity="{acts[0]["id"]}"]'))
    assert visit_rows(stack, key)[0][1:] == ["done", "3"]
    # Signing out empties the cache of the visit pages.
    assert cached(browser)
    browser.find_element(
        By.CSS_SELECTOR, 'form[action="/logout"] button[type=submit]').click()
    WebDriverWait(browser, 15).until(lambda d: "/visits" not in d.current_url)
    left = browser.execute_async_script("""
        var done = arguments[arguments.length - 1];
        caches.keys().then(function (k) { done(k.length); });""")
    assert left == 0


def test_a_refused_replay_waits_for_the_rep_to_fix_it(stack, browser, net):
    slug, h, cid = prepare(stack, browser)
    key = go_offline_and_check_in(stack, browser, cid, net)
    with tempfile.TemporaryDirectory() as tmp:
        add_photos(browser, ("storefront",), tmp)
        complete(browser)
        assert state(browser, key) == "waiting"
        net(browser, True)
        wait = WebDriverWait(browser, 30)
        wait.until(lambda d: state(d, key) == "fix")
        missing, msg = browser.execute_script(
            "var e = document.querySelector('[data-queue-item=\"' + "
            "arguments[0] + '\"] [data-queue-message]'); "
            "return [e.dataset.missing, e.textContent];", key)
        # 422 photos_missing, exactly the two kinds not taken, by name.
        assert missing == "shelf intent_page"
        assert "货架陈列图" in msg and "意向书签字页" in msg, msg
        rows = visit_rows(stack, key)
        assert len(rows) == 1 and rows[0][1:] == ["open", "1"], rows
        # The rep adds them and completes again: sent, the item goes.
        # "Continue" (the list may be redrawn under the click: clicked in
        # one go, again until the form shows).
        wait.until(lambda d: d.execute_script(
            "var b = document.querySelector('[data-queue-item=\"' + "
            "arguments[0] + '\"] .actions button'); if (b) b.click(); "
            "return !document.querySelector('[data-offline-visit]').hidden;",
            key))
        add_photos(browser, ("shelf", "intent_page"), tmp)
        browser.find_element(
            By.CSS_SELECTOR,
            "[data-offline-content] button[type=submit]").click()
        wait.until(lambda d: state(d, key) is None)
    rows = visit_rows(stack, key)
    assert len(rows) == 1 and rows[0][1:] == ["done", "3"], rows


def test_photos_on_a_visit_page_that_lost_the_network(stack, browser, net):
    """Checked in online (the form goes through the API), then the signal
    goes while taking photos on the visit's page: the photo is queued
    against that visit and sent once the network is back."""
    slug, h, cid = prepare(stack, browser)
    browser.get(stack.url("/visits/new"))
    Select(browser.find_element(By.NAME, "customer")).select_by_value(
        str(cid))
    Select(browser.find_element(By.NAME, "visit_type")).select_by_value(
        "store_visit")
    browser.find_element(
        By.CSS_SELECTOR, "form[data-checkin] button[type=submit]").click()
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: re.search(r"/visits/\d+\?done=checked_in$",
                                   d.current_url))
    vid = int(re.search(r"/visits/(\d+)", browser.current_url).group(1))
    net(browser, False)
    form = browser.find_element(
        By.XPATH, f'//form[@action="/visits/{vid}/photos"]'
        '[.//input[@name="key"][@value="storefront"]]')
    with tempfile.TemporaryDirectory() as tmp:
        p = pathlib.Path(tmp) / "front.jpg"
        p.write_bytes(exif_jpeg(salt=uuid.uuid4().bytes))
        form.find_element(By.NAME, "file").send_keys(str(p))
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(lambda d: state(d, f"visit-{vid}") == "waiting")
    photos = f"SELECT photo_key FROM activity_photos WHERE activity_id = {vid}"
    assert stack.sql(photos) == []
    net(browser, True)
    wait.until(lambda d: state(d, f"visit-{vid}") is None)
    assert stack.sql(photos) == [["storefront"]]
    assert stack.sql(f"SELECT status FROM activities WHERE id = {vid}") == \
        [["open"]]


def test_an_activity_saved_offline_is_sent_once(stack, browser, net):
    """The activity form (data-offline-activity) open when the signal
    goes: the activity is queued with its own client id and recorded once
    when the network is back."""
    slug, h, cid = prepare(stack, browser)
    browser.get(stack.url(f"/activities/new?customer={cid}"))
    net(browser, False)
    Select(browser.find_element(By.NAME, "kind")).select_by_value("call")
    Select(browser.find_element(By.NAME, "customer")).select_by_value(
        str(cid))
    browser.find_element(By.NAME, "need").send_keys("电话确认预算")
    browser.find_element(By.NAME, "next_step").send_keys("寄送报价")
    browser.find_element(
        By.CSS_SELECTOR, "form[data-offline-activity] button[type=submit]"
    ).click()
    wait = WebDriverWait(browser, 20)
    key = wait.until(lambda d: d.execute_script(
        "var e = document.querySelector('[data-queue-item]'); "
        "return e ? e.dataset.queueItem : null;"))
    assert state(browser, key) == "waiting"
    net(browser, True)
    wait.until(lambda d: state(d, key) is None)
    rows = stack.sql("SELECT kind, customer_id, need FROM activities WHERE "
                     f"client_id = '{key}'")
    assert rows == [["call", str(cid), "电话确认预算"]], rows
