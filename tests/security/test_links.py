"""Links: a page links only to http(s), mailto and tel addresses; validation refuses the others.

A `javascript:` IRI in the data (schema:subjectOf is the event page's "News" link) or in a SPARQL
result would otherwise become a link that runs code when a reader follows it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from lxml import html
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from conftest import BASE, ROOT, run_cli
from publisher.describe import describe
from publisher.config import DEFAULT_SITE_DESCRIPTION
from publisher.load import load
from publisher.namespaces import DCT, PROV, SCHEMA
from publisher.represent.html import render_event_page, render_page, render_series_page, render_tombstone_page
from publisher.addresses import Urls, linkable
from publisher.site import read_site

EVENT = URIRef(BASE + "event/miejsca-otwarte-2017")
SERIES = URIRef(BASE + "event/miejsca-otwarte")
PLACE = URIRef(BASE + "place/bok-glebocka-66")
REMOVED = URIRef(BASE + "event/removed")
HOSTILE = ["javascript:alert(1)", "JavaScript:alert(2)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==",
           "vbscript:msgbox(4)", "file:///etc/passwd"]
NEWS = "schema:subjectOf <https://www.facebook.com/miejscaotwarte> ;"


def test_only_http_https_mailto_and_tel_are_linkable():
    for iri in ("http://example.org/", "HTTPS://example.org/", "mailto:a@example.org", "tel:+48224430198"):
        assert linkable(iri), iri
    for iri in [*HOSTILE, "urn:isbn:9788300000000", "tag:example.org,2017:x", " javascript:alert(1)",
                "java\nscript:alert(1)", "relative/path", "", "//example.org/"]:
        assert not linkable(iri), iri


def hrefs(page: bytes) -> list[str]:
    tree = html.fromstring(page)
    return [element.get("href") for element in tree.iter("a", "link") if element.get("href") is not None]


def assert_links_only_to_safe_schemes(page: bytes) -> None:
    for href in hrefs(page):
        assert href.startswith("#") or urlsplit(href).scheme in ("http", "https", "mailto", "tel"), href


@pytest.fixture(scope="module")
def hostile_graph():
    """The project's data with hostile IRIs wherever a page shows one (validation would refuse it)."""
    graph = load([ROOT / "data"], BASE).graph
    graph.set((EVENT, SCHEMA.subjectOf, URIRef(HOSTILE[0])))  # the "News" link
    graph.set((EVENT, SCHEMA.url, URIRef(HOSTILE[1])))  # "Website"
    graph.add((EVENT, DCT.source, URIRef(HOSTILE[2])))  # "Sources"
    graph.add((EVENT, SCHEMA.organizer, URIRef(HOSTILE[3])))  # an organiser that is not a page
    graph.add((EVENT, SCHEMA.recordedIn, URIRef(HOSTILE[4])))
    graph.add((SERIES, DCT.source, URIRef(HOSTILE[0])))
    graph.add((PLACE, SCHEMA.sameAs, URIRef(HOSTILE[1])))  # a fact on a resource page
    graph.add((URIRef(HOSTILE[2]), SCHEMA.about, PLACE))  # what links to the resource
    graph.add((REMOVED, PROV.invalidatedAtTime, Literal("2026-01-10", datatype=XSD.date)))
    graph.add((REMOVED, DCT.isReplacedBy, URIRef(HOSTILE[3])))
    return graph


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_pages_show_a_hostile_iri_as_text_and_never_link_it(hostile_graph, lang):
    site = read_site(DEFAULT_SITE_DESCRIPTION, BASE)[0]
    urls = Urls(BASE, EVENT, None, site.languages)
    pages = {
        "event": render_event_page(hostile_graph, EVENT, urls, lang, site),
        "series": render_series_page(hostile_graph, SERIES, urls, lang, site),
        "resource": render_page(describe(hostile_graph, PLACE), PLACE, urls, lang, site),
        "tombstone": render_tombstone_page(hostile_graph, REMOVED, urls, lang, site),
    }
    for name, page in pages.items():
        assert_links_only_to_safe_schemes(page)
        assert hrefs(page), name  # the checker saw links at all
    shown = {name: html.fromstring(page).text_content() for name, page in pages.items()}
    assert all(iri in shown["event"] for iri in (HOSTILE[0], HOSTILE[1], HOSTILE[2]))
    assert HOSTILE[0] in shown["series"] and HOSTILE[1] in shown["resource"] and HOSTILE[2] in shown["resource"]
    assert HOSTILE[3] in shown["tombstone"]
    # Safe external links stay links.
    sources = {str(s) for s in hostile_graph.objects(EVENT, DCT.source) if str(s).startswith("http")}
    assert sources and sources <= set(hrefs(pages["event"]))


def test_the_query_page_links_http_iris_and_shows_others_as_text(server):
    query = ('SELECT ?x WHERE { VALUES ?s { "javascript:alert(document.domain)" "data:text/html,x" '
             '"http://example.org/ok" "mailto:a@example.org" } BIND(IRI(?s) AS ?x) }')
    for path in ("sparql", "en/sparql"):
        page = requests.get(server + path, params={"query": query}, headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 200
        assert_links_only_to_safe_schemes(page.content)
        links = hrefs(page.content)
        assert "http://example.org/ok" in links and "mailto:a@example.org" in links
        cells = [cell.text_content() for cell in html.fromstring(page.content).iter("td")]
        assert "javascript:alert(document.domain)" in cells and "data:text/html,x" in cells


@pytest.mark.parametrize("replacement, position", [
    ("schema:subjectOf <javascript:alert(1)> ;", "schema:subjectOf"),
    ("schema:subjectOf <JAVASCRIPT:alert(1)> ;", "schema:subjectOf"),
    ("schema:subjectOf <https://www.facebook.com/miejscaotwarte> ; schema:sameAs <data:text/html,x> ;", "schema:sameAs"),
    ("schema:subjectOf <https://www.facebook.com/miejscaotwarte> ; schema:sameAs <urn:isbn:9788300000000> ;",
     "schema:sameAs"),
])
def test_validation_refuses_an_iri_a_page_may_not_link_to(tmp_path, replacement, position):
    source = (ROOT / "data" / "event.ttl").read_text(encoding="utf-8")
    bad = tmp_path / "event.ttl"
    bad.write_text(source.replace(NEWS, replacement), encoding="utf-8")
    result = run_cli("validate", "--lang", "en", str(bad))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    problem = next(text for text in result.stdout.split("ERROR  ")[1:] if "Pages show this IRI as a link" in text)
    assert "event.ttl:" in problem.splitlines()[0]
    assert f"{position}: Pages show this IRI as a link, and they link only to http:, https:, mailto:, tel:" in problem
    polish = run_cli("validate", str(bad))
    assert polish.returncode == 1 and "linkować można tylko adresy http:, https:, mailto:, tel:" in polish.stdout


def test_validation_refuses_a_subject_a_page_may_not_link_to(tmp_path):
    """Subjects are listed, linked, among what links to a resource."""
    source = (ROOT / "data" / "event.ttl").read_text(encoding="utf-8")
    bad = tmp_path / "event.ttl"
    bad.write_text(source + "\n<javascript:alert(1)> schema:about <event/miejsca-otwarte-2017> .\n", encoding="utf-8")
    result = run_cli("validate", "--lang", "en", str(bad))
    assert result.returncode == 1
    assert "<javascript:alert(1)>\n    Pages show this IRI as a link" in result.stdout


def test_the_data_uses_only_linkable_iris():
    assert run_cli("validate", str(ROOT / "data")).returncode == 0
