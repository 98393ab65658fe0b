"""Browser smoke test: a real headless Chromium on the real stack."""
from selenium.common.exceptions import (StaleElementReferenceException,
                                        WebDriverException)
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def test_login_page_switch_language(stack, browser):
    browser.get(stack.url("/login"))
    # The page is replaced under our feet after each click.
    # (Chromium may also report a node of the old document as an
    # "inspector error" while the new one loads.)
    wait = WebDriverWait(browser, 10,
                         ignored_exceptions=(StaleElementReferenceException,
                                             WebDriverException))
    wait.until(EC.presence_of_element_located((By.NAME, "password")))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute(
        "lang") == "zh-CN"
    assert "企业代码" in browser.page_source

    # The switch is a real form post with the CSRF token: no inline
    # script, works under the CSP.
    browser.find_element(By.CSS_SELECTOR,
                         "button[name=lang][value=en]").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html")
               .get_attribute("lang") == "en")
    assert browser.current_url.endswith("/login")
    labels = [e.text for e in browser.find_elements(By.CLASS_NAME,
                                                     "field-label")]
    assert labels == ["Company code", "Login", "Password"]
    assert browser.find_element(
        By.CSS_SELECTOR, "button[value=en]").get_attribute(
        "aria-pressed") == "true"

    # The choice sticks across pages, and back again.
    browser.get(stack.url("/"))
    assert "Evidence-gated stages" in browser.page_source
    browser.find_element(By.CSS_SELECTOR,
                         "button[name=lang][value=zh-CN]").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html")
               .get_attribute("lang") == "zh-CN")
    assert "证据驱动的阶段推进" in browser.page_source


def test_no_console_errors_and_styles_load(stack, browser):
    browser.get(stack.url("/login"))
    # The stylesheet applied: the primary button is styled (not default).
    btn = browser.find_element(By.CSS_SELECTOR, ".button-primary")
    assert btn.value_of_css_property("background-color") != \
        "rgba(0, 0, 0, 0)"
    # Phone width: the form fits without horizontal scrolling.
    width = browser.execute_script(
        "return document.documentElement.scrollWidth")
    assert width <= 390
    logs = browser.get_log("browser")
    errors = [l for l in logs if l["level"] == "SEVERE"]
    assert errors == [], errors
