"""A rep on a phone opens a customer, sees the missing evidence in red,
uploads a photo for one item and sees it turn done."""
import pathlib
import tempfile

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")
PASSWORD = "Browser-Test-Pass-2026"


def setup_customer(stack):
    stack.cli("tenant", "create", "shop", "Shop Co", check=False)
    stack.cli("user", "add", "--tenant", "shop", "--login", "rep", "--role",
              "rep", "--name", "李四", "--password-stdin", check=False,
              input_text=PASSWORD + "\n")
    tok = stack.cli("token", "create", "--tenant", "shop", "--user",
                    "rep").stdout.strip()
    h = {"Authorization": f"Bearer {tok}"}
    r = requests.post(stack.url("/api/v1/customers"), headers=h, json={
        "name": "杭州仁和医院", "kind": "hospital",
        "confirm_duplicate": True})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = requests.post(stack.url(f"/api/v1/customers/{cid}/evidence"),
                      headers=h, json={"key": "need_confirmed", "data": {
                          "need": "CT", "who": "王科长"}})
    assert r.status_code == 201
    r = requests.post(stack.url(f"/api/v1/customers/{cid}/stage"), headers=h,
                      json={"to": "intent"})
    assert r.status_code == 200, r.text
    return cid


def sign_in(stack, browser):
    browser.get(stack.url("/login"))
    browser.find_element(By.NAME, "tenant").send_keys("shop")
    browser.find_element(By.NAME, "login").send_keys("rep")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR,
                         'form[action="/login"] button[type=submit]').click()
    WebDriverWait(browser, 10).until(
        lambda d: "/login" not in d.current_url)


def test_rep_supplies_a_photo_and_sees_it_done(stack, browser):
    cid = setup_customer(stack)
    sign_in(stack, browser)
    browser.get(stack.url(f"/customers/{cid}"))
    wait = WebDriverWait(browser, 10)
    item = browser.find_element(
        By.CSS_SELECTOR, '.evidence-item[data-key="trial_kit_receipt"]')
    assert "missing" in item.get_attribute("class").split()
    # Red, as the rep sees it.
    color = item.find_element(By.CSS_SELECTOR, ".evidence-state") \
        .value_of_css_property("color")
    r, g, b = [int(x) for x in color[color.index("(") + 1:].split(",")[:3]]
    assert r > 150 and g < 100 and b < 100, color
    assert len(browser.find_elements(
        By.CSS_SELECTOR, ".evidence-item.missing")) == 3
    # Supply it: the form asks for a photo (the phone's camera).
    item.find_element(By.LINK_TEXT, item.find_element(
        By.CSS_SELECTOR, "a.button").text).click()
    wait.until(EC.presence_of_element_located((By.NAME, "file")))
    field = browser.find_element(By.NAME, "file")
    assert field.get_attribute("accept") == "image/*"
    assert field.get_attribute("capture") == "environment"
    photo = pathlib.Path(tempfile.mkdtemp()) / "receipt.png"
    photo.write_bytes(PNG)
    field.send_keys(str(photo))
    browser.find_element(By.CSS_SELECTOR,
                         "form[enctype] button[type=submit]").click()
    wait.until(lambda d: f"/customers/{cid}" in d.current_url and
               "/evidence/" not in d.current_url)
    item = browser.find_element(
        By.CSS_SELECTOR, '.evidence-item[data-key="trial_kit_receipt"]')
    assert "done" in item.get_attribute("class").split()
    assert item.find_element(By.CSS_SELECTOR, "img.thumb")
    assert len(browser.find_elements(
        By.CSS_SELECTOR, ".evidence-item.missing")) == 2
    # The page fits a phone.
    assert browser.execute_script(
        "return document.documentElement.scrollWidth") <= 400
    errors = [x for x in browser.get_log("browser")
              if x["level"] == "SEVERE"]
    assert errors == [], errors
