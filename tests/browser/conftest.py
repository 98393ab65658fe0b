import os
import pathlib
import sys
import tempfile

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

from stack import ROOT, Stack  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def stack():
    s = Stack().start()
    yield s
    s.stop()


def loopback_service(path):
    """chromedriver's Service talks to "localhost", which a minimal machine
    without /etc/hosts cannot resolve: use the address itself."""
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common import utils

    class LoopbackService(Service):
        @property
        def service_url(self):
            return f"http://127.0.0.1:{self.port}"

        def is_connectable(self):
            return utils.is_connectable(self.port, host="127.0.0.1")

    return LoopbackService(path)


@pytest.fixture
def browser(request):
    from selenium import webdriver

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--lang=zh-CN",
                # DevTools over a pipe: no TCP to "localhost", which a
                # minimal machine without /etc/hosts cannot resolve.
                "--remote-debugging-pipe"):
        opts.add_argument(arg)
    # A phone: the layout must work at 390 CSS pixels.
    opts.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2}})
    opts.add_experimental_option("prefs", {
        "intl.accept_languages": "zh-CN,zh"})
    profile = tempfile.mkdtemp(prefix="proofline-chromium-")
    opts.add_argument(f"--user-data-dir={profile}")
    drv = webdriver.Chrome(service=loopback_service("/usr/bin/chromedriver"),
                           options=opts)
    drv.set_page_load_timeout(30)
    yield drv
    # Keep a screenshot of the page a failing test ended on.
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{request.node.name}.png"
        drv.save_screenshot(str(shot))
        print(f"screenshot: {shot}")
    drv.quit()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
