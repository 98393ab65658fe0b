"""The pipeline board on a phone: the stages become a selector showing one
column at a time; moving a card without its evidence is refused and the
missing items are listed in red."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_customer import setup_customer, sign_in


def visible_columns(browser):
    return [c.get_attribute("data-stage") for c in
            browser.find_elements(By.CSS_SELECTOR, ".board-col")
            if c.is_displayed()]


def test_board_on_a_phone_selects_a_stage_and_shows_the_gate(stack, browser):
    cid = setup_customer(stack)  # in "intent", nothing yet for advancing
    sign_in(stack, browser)
    browser.get(stack.url("/pipeline"))
    tabs = browser.find_element(By.CSS_SELECTOR, ".board-tabs")
    assert tabs.is_displayed()
    assert len(visible_columns(browser)) == 1
    intent = [t for t in browser.find_elements(By.CSS_SELECTOR, ".board-tab")
              if t.get_attribute("href").endswith("stage=intent")
              or "stage=intent&" in t.get_attribute("href")]
    assert intent, [t.get_attribute("href") for t in
                    browser.find_elements(By.CSS_SELECTOR, ".board-tab")]
    intent[0].click()
    WebDriverWait(browser, 10).until(
        lambda d: visible_columns(d) == ["intent"])
    card = browser.find_element(
        By.CSS_SELECTOR, f'.board-col[data-stage="intent"] '
        f'.board-card[data-id="{cid}"]')
    assert card.is_displayed()
    Select(card.find_element(By.NAME, "to")).select_by_value("advancing")
    card.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    refusal = WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.ID, "refusal"))
    missing = refusal.find_elements(By.CSS_SELECTOR, "a.missing")
    assert len(missing) == 3
    red = missing[0].value_of_css_property("color")
    assert red.startswith("rgba(198, 40, 40") or red.startswith(
        "rgb(198, 40, 40"), red
    # Still where it was.
    assert browser.find_elements(
        By.CSS_SELECTOR, f'.board-col[data-stage="intent"] '
        f'.board-card[data-id="{cid}"]')


def test_board_on_a_desktop_shows_every_column(stack, browser):
    setup_customer(stack)
    sign_in(stack, browser)
    browser.get(stack.url("/pipeline"))
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 900, "deviceScaleFactor": 1,
        "mobile": False})
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return window.innerWidth") >= 1200)
    assert not browser.find_element(By.CSS_SELECTOR,
                                    ".board-tabs").is_displayed()
    assert len(visible_columns(browser)) >= 5
