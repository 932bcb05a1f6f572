"""Hostile text in the data comes out inert and intact: HTML, JSON-LD, OpenGraph, iCal, RDF, nginx."""

from __future__ import annotations

import json
import shutil
import subprocess

import icalendar
import pytest
import requests
from lxml import etree
from playwright.sync_api import sync_playwright
from rdflib import Graph, Literal, URIRef

from browser_tools import CHROMIUM_ARGS, chromium_path
from conftest import ROOT, run_cli
from publisher.namespaces import SCHEMA
from servers import nginx_export, publisher_server, world_readable_directory

SCRIPT = "</script><script>window.pwned=1;alert(1)</script>"
IMG = '"><img src=x onerror="window.pwned=2">'
TEMPLATE = "{{7*7}} ${7*7} #{7*7} {% raw %}"
RTL = "\u202eevil\u202c \u2066isolate\u2069"
EMOJI = "🎉👩‍👩‍👧 zażółć gęślą jaźń"
NAME = f"{SCRIPT} {IMG} {TEMPLATE} {RTL} {EMOJI}"
LONG = ("Ä😀</script>&amp;<!-- " * 6000)[:100_000]
EVENT = "event/miejsca-otwarte-2017"


def turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def hostile_data():
    folder = world_readable_directory()
    source = (ROOT / "data" / "event.ttl").read_text(encoding="utf-8")
    source = source.replace('"OPEN PLACES. A space for neighbourhood encounters"@en', turtle_string(NAME) + "@en")
    source = source.replace('"Białołęka Cultural Centre, ul. Głębocka 66"@en', turtle_string(IMG) + "@en")
    first_description = source.index('schema:description\n        """Miasto')
    end = source.index('"""@pl', first_description) + len('"""@pl')
    source = source[:first_description] + "schema:description\n        " + turtle_string(LONG) + "@pl" + source[end:]
    path = folder / "hostile.ttl"
    path.write_text(source, encoding="utf-8")
    assert run_cli("validate", str(path)).returncode == 0
    yield path
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def server(hostile_data):
    with publisher_server("--data", str(hostile_data)) as base:
        yield base


@pytest.mark.slow  # starts Chromium
def test_nothing_runs_in_the_browser_and_every_text_is_intact(server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for path in ("en/", "", f"en/{EVENT}/lectures", "en/place/bok-glebocka-66"):
            page = browser.new_page()
            dialogs = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(server + path, wait_until="networkidle")
            assert dialogs == [] and page.evaluate("() => window.pwned") is None
            assert page.evaluate("() => document.querySelectorAll('img').length") == 0
            if path == "en/":
                assert page.locator("h1").inner_text() == NAME
                data = page.evaluate("() => JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
                locations = data["location"] if isinstance(data["location"], list) else [data["location"]]
                assert data["name"] == NAME and locations[0]["name"] == IMG
                assert page.evaluate("() => document.querySelector('meta[property=\"og:title\"]').content") == NAME
                assert page.evaluate("() => document.querySelectorAll('script').length") == 1
            if path == "":
                data = page.evaluate("() => JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
                assert data["description"] == LONG
                assert LONG in page.locator("section:has(#about) > p").first.inner_text()
            page.close()
        browser.close()


def test_calendar_entry_escapes_and_folds_the_text(server):
    body = requests.get(f"{server}en/{EVENT}.ics", timeout=30).content
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    [event] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["summary"]) == NAME
    long_body = requests.get(f"{server}{EVENT}.ics", timeout=30).content
    [polish] = icalendar.Calendar.from_ical(long_body).walk("VEVENT")
    assert str(polish["description"]) == LONG


@pytest.mark.parametrize("accept, rdflib_format, rapper", [("text/turtle", "turtle", "turtle"),
                                                           ("application/n-triples", "nt", "ntriples"),
                                                           ("application/rdf+xml", "xml", "rdfxml"),
                                                           ("application/n-quads", "nquads", "nquads"),
                                                           ("application/ld+json", "json-ld", None)])
def test_every_rdf_format_keeps_the_literals_exactly(server, accept, rdflib_format, rapper):
    body = requests.get(server + EVENT, headers={"Accept": accept}, timeout=30).content
    graph = Graph().parse(data=body, format=rdflib_format)
    event = URIRef(server + EVENT)
    assert Literal(NAME, lang="en") in set(graph.objects(event, SCHEMA.name))
    assert Literal(LONG, lang="pl") in set(graph.objects(event, SCHEMA.description))
    if rapper:
        result = subprocess.run(["rapper", "-q", "-c", "-i", rapper, "-", server], input=body, capture_output=True)
        assert result.returncode == 0, result.stderr


@pytest.mark.slow  # builds the export and checks its nginx config
def test_sitemap_and_the_export_with_its_nginx_config_stay_valid(server, hostile_data):
    etree.fromstring(requests.get(server + "sitemap.xml", timeout=30).content)
    with nginx_export("--data", str(hostile_data)) as (base, out):
        served = requests.get(base + "en/", timeout=30).text
        assert json.dumps(NAME, ensure_ascii=False)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e") \
            .replace("&", "\\u0026") in served
        check = subprocess.run(["nginx", "-t", "-p", str(out / "nginx"), "-c", str(out / "nginx" / "nginx.conf")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_control_characters_are_stopped_by_validation_with_a_plain_message(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text((ROOT / "data" / "event.ttl").read_text(encoding="utf-8").replace(
        '"OPEN PLACES. A space for neighbourhood encounters"@en', '"OPEN \\u0007PLACES"@en'), encoding="utf-8")
    result = run_cli("validate", "--lang", "en", str(bad))
    assert result.returncode == 1 and "non-printable control character" in result.stdout
