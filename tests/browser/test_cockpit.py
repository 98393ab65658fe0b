"""The manager cockpit on a phone: the charts are server-side SVG that fit
the screen without JavaScript, and a click on a zombie stage lists the
customers behind it."""
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_customer import PASSWORD

TENANT = "cockpit"
NAMES = ("宁波第一医院", "温州康宁诊所")


def setup_team(stack):
    stack.cli("tenant", "create", TENANT, "Cockpit Co", check=False)
    stack.cli("user", "add", "--tenant", TENANT, "--login", "boss", "--role",
              "manager", "--name", "王经理", "--password-stdin", check=False,
              input_text=PASSWORD + "\n")
    stack.cli("user", "add", "--tenant", TENANT, "--login", "seller",
              "--role", "rep", "--manager", "boss", "--name", "赵六",
              "--password-stdin", check=False, input_text=PASSWORD + "\n")
    tok = stack.cli("token", "create", "--tenant", TENANT, "--user",
                    "seller").stdout.strip()
    h = {"Authorization": f"Bearer {tok}"}
    for name in NAMES:  # leads nobody has acted on: a zombie stage
        r = requests.post(stack.url("/api/v1/customers"), headers=h, json={
            "name": name, "kind": "hospital", "confirm_duplicate": True})
        assert r.status_code in (200, 201), r.text


def sign_in(stack, browser):
    browser.get(stack.url("/login"))
    browser.find_element(By.NAME, "tenant").send_keys(TENANT)
    browser.find_element(By.NAME, "login").send_keys("boss")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR,
                         'form[action="/login"] button[type=submit]').click()
    WebDriverWait(browser, 10).until(
        lambda d: "/login" not in d.current_url)


def test_cockpit_charts_fit_a_phone_and_a_zombie_stage_lists_customers(
        stack, browser):
    setup_team(stack)
    sign_in(stack, browser)
    browser.get(stack.url("/cockpit"))
    charts = browser.find_elements(By.CSS_SELECTOR, ".chart svg")
    assert len(charts) == 4, browser.page_source[:2000]
    width = browser.execute_script("return window.innerWidth")
    for svg in charts:
        assert svg.is_displayed()
        assert 0 < svg.size["width"] <= width, (svg.size, width)
    # Nothing wider than the phone.
    assert browser.execute_script(
        "return document.documentElement.scrollWidth") <= width
    # Every chart has its numbers as a table.
    assert len(browser.find_elements(
        By.CSS_SELECTOR, ".cockpit-section table")) >= 4
    bar = browser.find_element(
        By.CSS_SELECTOR, 'svg a.bar.zombie[data-stage="lead"]')
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center'})", bar)
    # The bar itself, as a finger would touch it.
    bar.find_elements(By.CSS_SELECTOR, "rect")[0].click()
    WebDriverWait(browser, 10).until(
        lambda d: "/cockpit/customers" in d.current_url)
    rows = [a.text for a in browser.find_elements(
        By.CSS_SELECTOR, "table.cockpit-list tbody th a")]
    assert sorted(rows) == sorted(NAMES), rows
    assert browser.execute_script(
        "return document.documentElement.scrollWidth") <= width
