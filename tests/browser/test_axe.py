"""Accessibility, measured (issue 11, item 8): axe-core (pinned, fetched
by scripts/axe.sh at test time) over every page each role uses and the
signed-out pages, at phone and desktop sizes: no serious or critical
violation.  A failure lists each rule, its impact and the elements."""
import json
import subprocess

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from stack import ROOT
from world import ROLES, World, signed_out_pages

SIZES = {"phone": (390, 844, True), "desktop": (1280, 800, False)}
RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(
  JSON.stringify(r.violations.filter(v => ['serious', 'critical']
    .includes(v.impact)).map(v => ({id: v.id, impact: v.impact,
      help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')
        + ' :: ' + (n.failureSummary || '').split('\\n').slice(1, 2)
        .join(''))})))));
"""


@pytest.fixture(scope="module")
def axe_source():
    subprocess.run([str(ROOT / "scripts" / "axe.sh")], cwd=ROOT, check=True)
    return (ROOT / "build" / "axe" / "axe.min.js").read_text()


@pytest.fixture(scope="module")
def world(stack):
    return World(stack)


def set_size(browser, size):
    w, h, mobile = SIZES[size]
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": w, "height": h, "deviceScaleFactor": 2 if mobile else 1,
        "mobile": mobile})


def violations(browser, axe_source, url):
    browser.get(url)
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.readyState") ==
        "complete")
    browser.execute_script(axe_source)
    browser.set_script_timeout(60)
    return json.loads(browser.execute_async_script(RUN))


def report(found):
    return "\n".join(
        f"{path}: {v['id']} ({v['impact']}): {v['help']}\n    " +
        "\n    ".join(v["nodes"]) for path, vs in found.items() for v in vs)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ROLES)
def test_pages_have_no_serious_violations(stack, browser, world, axe_source,
                                          role, size):
    world.sign_in(browser, role, "zh-CN")
    set_size(browser, size)
    found = {}
    for path in world.pages(role):
        vs = violations(browser, axe_source, stack.url(path))
        if vs:
            found[path] = vs
    assert found == {}, report(found)


@pytest.mark.parametrize("size", SIZES)
def test_signed_out_pages_have_no_serious_violations(stack, browser,
                                                     axe_source, size):
    set_size(browser, size)
    found = {}
    for path in signed_out_pages():
        vs = violations(browser, axe_source, stack.url(path))
        if vs:
            found[path] = vs
    assert found == {}, report(found)


def test_axe_finds_what_it_should(stack, browser, axe_source, world):
    """The check can fail: a page made wrong on purpose (a grey-on-white
    text, an unlabelled input) is reported."""
    world.sign_in(browser, "rep", "zh-CN")
    browser.get(stack.url("/customers"))
    browser.execute_script("""
        const p = document.createElement('p');
        p.textContent = '看不清的文字';
        p.style.color = '#dddddd';
        document.querySelector('main').appendChild(p);
        const i = document.createElement('input');
        i.type = 'text';
        document.querySelector('main').appendChild(i);""")
    browser.execute_script(axe_source)
    browser.set_script_timeout(60)
    ids = {v["id"] for v in json.loads(browser.execute_async_script(RUN))}
    assert {"color-contrast", "label"} <= ids, ids
