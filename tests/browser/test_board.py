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


DRAG = """
const [card, col] = arguments;
const dt = new DataTransfer();
const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {
    bubbles: true, cancelable: true, dataTransfer: dt}));
fire(card, "dragstart");
fire(col, "dragenter");
const accepted = !fire(col, "dragover");   // prevented: a drop target
fire(col, "drop");
fire(card, "dragend");
return accepted;
"""


def desktop(browser):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 900, "deviceScaleFactor": 1,
        "mobile": False})
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return window.innerWidth") >= 1200)


def test_dragging_a_card_sends_its_form(stack, browser):
    """A drop on another column fills the card's form and sends it: the
    gate refuses a move forward without evidence, a move back is asked
    first and then done, with the undo notice."""
    cid = setup_customer(stack)  # in "intent"
    sign_in(stack, browser)
    browser.get(stack.url("/pipeline"))
    desktop(browser)

    def card():
        return browser.find_element(
            By.CSS_SELECTOR, f'.board-card[data-id="{cid}"]')

    assert card().get_attribute("draggable") == "true"
    col = browser.find_element(By.CSS_SELECTOR,
                               '.board-col[data-stage="advancing"]')
    assert browser.execute_script(DRAG, card(), col)
    refusal = WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.ID, "refusal"))
    assert len(refusal.find_elements(By.CSS_SELECTOR, "a.missing")) == 3
    # Its own column is not a drop target.
    own = browser.find_element(By.CSS_SELECTOR,
                               '.board-col[data-stage="intent"]')
    assert not browser.execute_script(DRAG, card(), own)
    # Back to lead: the confirmation is asked (answered yes here).
    browser.execute_script(
        "window.confirm = () => true;")
    lead = browser.find_element(By.CSS_SELECTOR,
                                '.board-col[data-stage="lead"]')
    assert browser.execute_script(DRAG, card(), lead)
    notice = WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.ID, "moved"))
    assert notice.find_element(By.CSS_SELECTOR, "button").is_displayed()
    assert browser.find_elements(
        By.CSS_SELECTOR, f'.board-col[data-stage="lead"] '
        f'.board-card[data-id="{cid}"]')
