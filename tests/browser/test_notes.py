"""The quick-note box in a real browser: the note fills in the new
activity form in place (no page load), ticks the contact, leaves the rest
alone; on the visit form the proposal carries over to the visit's content
after check-in.  Nothing is saved before the rep submits."""
import uuid

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from identity import Account, Client

PASSWORD = "Browser-Notes-Pass-2026"


def make_rep(stack):
    slug = "bn" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "速记公司")
    stack.cli("user", "add", "--tenant", slug, "--login", "rep", "--role",
              "rep", "--password-stdin", input_text=PASSWORD + "\n")
    tok = stack.cli("token", "create", "--tenant", slug, "--user",
                    "rep").stdout.strip()
    h = {"Authorization": f"Bearer {tok}"}
    ids = {}
    for name in ("北京仁和医院有限公司", "华润万家超市"):
        r = requests.post(stack.url("/api/v1/customers"), headers=h,
                          json={"name": name, "kind": "hospital",
                                "confirm_duplicate": True}, timeout=30)
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    r = requests.post(
        stack.url(f"/api/v1/customers/{ids['北京仁和医院有限公司']}/contacts"),
        headers=h, json={"name": "李明", "title": "设备科主任",
                         "role": "budget"}, timeout=30)
    assert r.status_code == 201, r.text
    ids["李明"] = r.json()["id"]
    rep = Client(stack, Account(slug, "rep", PASSWORD, "rep"))
    rep.sign_in()
    return rep, ids


def sign_in(stack, browser, client):
    browser.get(stack.url("/static/favicon.svg"))
    browser.delete_all_cookies()
    for c in client.s.cookies:
        browser.add_cookie({"name": c.name, "value": c.value, "path": "/"})


def propose(browser, text):
    area = browser.find_element(By.CSS_SELECTOR, "[data-quick-note] textarea")
    area.clear()
    area.send_keys(text)
    browser.find_element(By.CSS_SELECTOR,
                         "[data-quick-note] button[type=submit]").click()


def value(browser, name):
    return browser.find_element(By.CSS_SELECTOR,
                                f"form:not([data-quick-note]) "
                                f"[name={name}]").get_attribute("value")


def test_the_note_fills_the_activity_form_in_place(stack, browser):
    rep, ids = make_rep(stack)
    sign_in(stack, browser, rep)
    browser.get(stack.url("/activities/new"))
    browser.execute_script("window.stayed = true")
    competitor = browser.find_element(By.NAME, "competitor")
    competitor.send_keys("已有内容")        # typed by the rep: kept
    before = stack.sql("SELECT COUNT(*) FROM activities")
    propose(browser, "电话仁和医院李主任，聊了维保合同，竞品是联影，"
                     "下周二带合同过去")
    WebDriverWait(browser, 15).until(
        lambda d: value(d, "next_step") == "带合同过去")
    assert browser.execute_script("return window.stayed") is True
    assert value(browser, "customer") == str(ids["北京仁和医院有限公司"])
    assert value(browser, "kind") == "call"
    assert value(browser, "need") == "维保合同"
    assert value(browser, "competitor") == "已有内容"
    assert len(value(browser, "next_date")) == 10
    box = browser.find_element(By.CSS_SELECTOR,
                               f"input[name=contact][value='{ids['李明']}']")
    assert box.is_selected()
    shown = browser.find_element(By.CSS_SELECTOR, "[data-recognised]").text
    assert "仁和医院" in shown and "李明" in shown
    assert stack.sql("SELECT COUNT(*) FROM activities") == before
    # Nothing recognised: no customer is chosen for the rep.
    propose(browser, "开完周会")
    WebDriverWait(browser, 15).until(lambda d: value(d, "customer") == "")
    # The rep saves the form: that records it.
    browser.find_element(
        By.CSS_SELECTOR, "select[name=customer] option[value='%d']"
        % ids["北京仁和医院有限公司"]).click()
    browser.find_element(By.CSS_SELECTOR,
                         "form[action='/activities'] button[type=submit]"
                         ).click()
    WebDriverWait(browser, 15).until(lambda d: "/customers/" in d.current_url)
    assert stack.sql("SELECT COUNT(*) FROM activities") != before
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
              and "favicon.ico" not in e["message"]]
    assert errors == [], errors


def test_the_note_carries_over_to_the_visit_after_check_in(stack, browser):
    rep, ids = make_rep(stack)
    sign_in(stack, browser, rep)
    browser.get(stack.url("/visits/new"))
    propose(browser, "拜访华润万家，需要增加两个堆头，明天再去")
    WebDriverWait(browser, 15).until(
        lambda d: value(d, "customer") == str(ids["华润万家超市"]))
    browser.find_element(By.CSS_SELECTOR,
                         "form[data-checkin] button[type=submit]").click()
    WebDriverWait(browser, 15).until(
        lambda d: "/visits/" in d.current_url and
        "/visits/new" not in d.current_url)
    WebDriverWait(browser, 15).until(
        lambda d: d.find_element(By.NAME, "need").get_attribute("value") ==
        "增加两个堆头")
    assert browser.find_element(By.NAME, "next_step").get_attribute(
        "value") == "再去"
