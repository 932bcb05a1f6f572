"""The event page in a real browser (Debian's Chromium via Playwright): accessible, self-contained.

axe-core is injected into the page, so these contexts bypass the Content-Security-Policy; the
policy itself is asserted by its own test.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import pytest

from publisher.sparql.examples import examples

from browser_tools import ARTIFACTS, AXE, require

pytestmark = pytest.mark.slow  # starts Chromium

PAGES = ["", "en/", "event/miejsca-otwarte", "en/event/miejsca-otwarte-2021", "place/bok-glebocka-66",
         "en/organization/warszawa-lokalnie",
         "event/miejsca-otwarte-2017/panel-a", "event/miejsca-otwarte-2017/accessibility-contact",
         "sparql", "en/sparql", "sparql?" + urlencode({"query": examples()[2].text}),
         "sparql?query=SELECT+*+WHERE+%7B"]


def open_page(browser, url, width=1280, javascript=True):
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True,
                                  java_script_enabled=javascript)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url, wait_until="networkidle")
    assert response.status in (200, 400)  # a query page that reports a syntax error is a 400
    return context, page, requests, errors


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag_22_aa_violation(browser, server, path):
    context, page, _, _ = open_page(browser, server + path)
    page.add_script_tag(content=require(AXE, "axe-core").read_text(encoding="utf-8"))
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})""")
    context.close()
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    assert len(result["passes"]) > 20  # axe really ran


@pytest.mark.parametrize("path", ["", "en/"])
def test_no_console_error_and_no_request_leaves_the_machine(browser, server, path):
    context, page, requests, errors = open_page(browser, server + path)
    context.close()
    assert errors == []
    assert requests and all(urlsplit(url).hostname == "127.0.0.1" for url in requests), requests


@pytest.mark.parametrize("path", ["", "en/", "place/bok-glebocka-66", "event/miejsca-otwarte",
                                  "en/event/miejsca-otwarte-2023", "catalog", "en/dataset", "sparql", "en/sparql"])
def test_reflows_at_320_css_pixels_without_horizontal_scroll(browser, server, path):
    context, page, _, _ = open_page(browser, server + path, width=320)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0


def test_works_without_javascript_and_keyboard_reaches_the_skip_link_first(browser, server):
    context, page, _, _ = open_page(browser, server, javascript=False)
    assert page.locator("h1").inner_text().startswith("MIEJSCA OTWARTE")
    assert page.locator("#accessibility").is_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    context.close()
    assert focused == "Przejdź do treści" and outline != "none"


@pytest.mark.parametrize("width", [360, 1280])
def test_screenshots_are_saved_as_artifacts(browser, server, width):
    ARTIFACTS.mkdir(exist_ok=True)
    for path, name in (("", "pl"), ("en/", "en")):
        context, page, _, _ = open_page(browser, server + path, width=width)
        target = ARTIFACTS / f"event-{name}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        context.close()
        assert target.stat().st_size > 10_000
