"""A resource's life over HTTP: removed ones answer 410 with a tombstone, merged ones 301 to
their successor, cancelled and postponed events keep their page and say so — alike from the
app and from nginx over the static export (tests/fixtures/lifecycle is declared, not real, data)."""

from __future__ import annotations

import json
import re

import pytest
import requests
from rdflib import Graph, URIRef

from nu import assert_valid_html
from servers import fetch

pytestmark = pytest.mark.slow  # builds the export and starts nginx

ACCEPTS = [None, "text/html", "text/turtle", "application/ld+json", "application/n-triples",
           "application/rdf+xml", "application/n-quads", "image/png", "*/*"]
PROV_INVALIDATED = URIRef("http://www.w3.org/ns/prov#invalidatedAtTime")
REPLACED_BY = URIRef("http://purl.org/dc/terms/isReplacedBy")


@pytest.fixture(scope="module")
def both(small_city):
    """The app and nginx over the export of the real data, this fixture and synthetic events."""
    return small_city.app, small_city.base


PATHS = ["event/test-removed", "en/event/test-removed", "event/test-removed.ttl", "event/test-removed.html",
         "event/test-removed.jsonld", "event/test-removed.nq", "en/event/test-removed.html", "en/event/test-removed.ttl",
         "organization/test-duplicate", "organization/test-duplicate.nt", "organization/test-duplicate.nq",
         "organization/test-duplicate.trig", "event/test-removed.trig",
         "en/organization/test-duplicate",
         "en/organization/test-duplicate.html", "event/test-cancelled", "en/event/test-cancelled",
         "event/test-postponed", "en/event/test-postponed", "event/miejsca-otwarte", "en/event/miejsca-otwarte"]


@pytest.mark.parametrize("path", PATHS)
def test_app_and_nginx_answer_alike(both, path):
    app, nginx = both
    for accept in ACCEPTS:
        assert fetch(app + path, accept) == fetch(nginx + path, accept), (path, accept)


def test_a_removed_resource_is_410_with_a_tombstone_naming_its_successor(both):
    app, nginx = both
    for base in (app, nginx):
        status, content_type, body = fetch(base + "event/test-removed", "text/turtle")
        assert status == 410 and content_type.startswith("text/turtle")
        graph = Graph().parse(data=body, format="turtle", publicID=base)
        iri = URIRef(nginx + "event/test-removed")
        assert str(graph.value(iri, PROV_INVALIDATED)) == "2030-01-10"
        assert graph.value(iri, REPLACED_BY) == URIRef(nginx + "event/test-postponed")
        for lang, words in (("", ["usunięto", "Wpis dodano omyłkowo.", "Edycja przełożona (test)"]),
                            ("en/", ["removed", "The entry was added by mistake.", "Postponed edition (test)"])):
            status, _, page = fetch(base + lang + "event/test-removed", "text/html")
            assert status == 410 and all(word in page.decode() for word in words), lang
            assert f'href="{nginx}{lang}event/test-postponed"' in page.decode()


def test_a_merged_resource_redirects_permanently_keeping_language_and_format(both):
    app, base = both  # the app serves the base URL's IRIs: its redirects name them
    assert fetch(app + "organization/test-duplicate") == (301, base + "organization/bialolecki-osrodek-kultury")
    assert fetch(app + "organization/test-duplicate.nt") == (301, base + "organization/bialolecki-osrodek-kultury.nt")
    assert fetch(app + "en/organization/test-duplicate") == (301, base + "en/organization/bialolecki-osrodek-kultury")
    followed = requests.get(app + "organization/test-duplicate", headers={"Accept": "text/turtle"}, timeout=30)
    assert followed.status_code == 200 and "Białołęcki Ośrodek Kultury" in followed.text


def test_ended_resources_leave_the_sitemap_but_stay_in_the_dumps(both):
    app, _ = both
    sitemap = requests.get(app + "sitemap.xml", timeout=30).text
    assert "test-removed" not in sitemap and "test-duplicate" not in sitemap and "test-cancelled" in sitemap
    dump = requests.get(app + "dump.nt", timeout=30).text
    assert "test-removed> <http://www.w3.org/ns/prov#invalidatedAtTime>" in dump


def structured_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_cancelled_and_postponed_events_keep_their_page_and_say_so_first(both):
    app, _ = both
    for lang, cancelled, postponed, before in (("", "Odwołane", "Przełożone", "1 grudnia 2030"),
                                               ("en/", "Cancelled", "Postponed", "1 December 2030")):
        status, _, body = fetch(app + lang + "event/test-cancelled")
        html = body.decode()
        assert status == 200
        assert re.search(r'<p class="notice"><strong>' + cancelled, html)
        assert html.index('class="notice"') < html.index("<h1>")
        assert structured_data(html)["eventStatus"] == "https://schema.org/EventCancelled"
        html = fetch(app + lang + "event/test-postponed")[2].decode()
        assert re.search(r'<p class="notice"><strong>' + postponed + r"</strong> — [^<]*" + before, html)
        data = structured_data(html)
        assert data["eventStatus"] == "https://schema.org/EventPostponed"
        assert data["previousStartDate"] == "2030-12-01" and data["startDate"] == "2031-03-05"


def test_tombstone_and_status_pages_have_no_nu_checker_error(both, tmp_path):
    app, _ = both
    files = []
    for number, path in enumerate(["event/test-removed", "en/event/test-removed", "event/test-cancelled",
                                   "en/event/test-postponed", "event/miejsca-otwarte"]):
        page = tmp_path / f"page-{number}.html"
        page.write_bytes(requests.get(app + path, headers={"Accept": "text/html"}, timeout=30).content)
        files.append(page)
    assert_valid_html(files)
