"""Recovery codes can be copied and downloaded (issue 11, item 5): after
enrolling the second factor in the browser, "copy all" puts every code
on the clipboard and "download" gives a text file with every code, both
made in the browser."""
import re
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from identity import totp

PASSWORD = "Codes-Test-Pass-2026"


def test_codes_copy_and_download(stack, browser):
    slug = "codes" + uuid.uuid4().hex[:6]
    stack.cli("tenant", "create", slug, "Codes Co")
    stack.cli("user", "add", "--tenant", slug, "--login", "boss", "--role",
              "admin", "--password-stdin", input_text=PASSWORD + "\n")
    browser.get(stack.url("/login"))
    browser.find_element(By.NAME, "tenant").send_keys(slug)
    browser.find_element(By.NAME, "login").send_keys("boss")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR,
                         'form[action="/login"] button[type=submit]').click()
    wait = WebDriverWait(browser, 10)
    wait.until(lambda d: "/account/mfa" in d.current_url)
    starts = browser.find_elements(
        By.CSS_SELECTOR, 'form[action="/account/mfa/start"] button')
    if starts:
        starts[0].click()
    secret = wait.until(lambda d: d.find_element(By.ID, "mfa-secret")).text
    browser.find_element(By.NAME, "code").send_keys(totp(secret))
    browser.find_element(
        By.CSS_SELECTOR, 'form[action="/account/mfa/enable"] button').click()
    listed = wait.until(lambda d: d.find_elements(
        By.CSS_SELECTOR, "#recovery-codes code"))
    codes = [c.text for c in listed]
    assert len(codes) >= 8 and all(re.fullmatch(r"[a-z0-9-]+", c)
                                   for c in codes)
    browser.execute_script("""
        window.__copied = null; window.__blob = null;
        navigator.clipboard.writeText = t => {
          window.__copied = t; return Promise.resolve(); };
        URL.createObjectURL = b => { window.__blob = b; return '#'; };""")
    bar = browser.find_element(By.CSS_SELECTOR, ".keep-codes")
    assert bar.is_displayed()
    bar.find_element(By.CSS_SELECTOR, "button[data-copy]").click()
    copied = wait.until(lambda d: d.execute_script("return window.__copied"))
    assert all(c in copied.split("\n") for c in codes), copied
    assert wait.until(lambda d: bar.find_element(
        By.CSS_SELECTOR, "[role=status]").text)
    bar.find_element(By.CSS_SELECTOR, "button[data-download]").click()
    browser.set_script_timeout(10)
    text = browser.execute_async_script(
        "const done = arguments[0]; window.__blob.text().then(done);")
    assert all(c in text.split("\n") for c in codes), text
