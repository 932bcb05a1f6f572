"""The series page: every edition in date order, in Polish and English, each a page of its own."""

from __future__ import annotations

import re

import extruct
import pytest
import requests

EDITIONS = ["event/miejsca-otwarte-2017", "event/miejsca-otwarte-2021", "event/miejsca-otwarte-2023"]
# Where each edition's page is: the first edition's is the home page.
PAGES = ["", "event/miejsca-otwarte-2021", "event/miejsca-otwarte-2023"]


@pytest.mark.parametrize("lang, dates", [
    ("", ["16–17 listopada 2017", "23–25 listopada 2021", "29–30 listopada 2023"]),
    ("en/", ["16–17 November 2017", "23–25 November 2021", "29–30 November 2023"]),
])
def test_the_series_page_lists_every_edition_in_date_order(server, lang, dates):
    page = requests.get(server + lang + "event/miejsca-otwarte", headers={"Accept": "text/html"}, timeout=30).text
    listing = re.search(r'<ol class="editions">(.*?)</ol>', page, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)">', listing)
    assert [link[len(server + lang):] for link in links] == PAGES
    assert [re.sub(r"<[^>]+>", "", d) for d in re.findall(r"<time [^>]*>(.*?)</time>", listing)] == dates
    assert re.findall(r'<time datetime="([^"]+)"', listing) == ["2017-11-16", "2021-11-23", "2023-11-29"]
    for link in links:
        assert requests.get(link, headers={"Accept": "text/html"}, timeout=30).status_code == 200
    assert ("Kraków" in listing) and ("online" in listing.lower())


def test_the_series_json_ld_names_every_edition_with_its_dates(server):
    page = requests.get(server + "en/event/miejsca-otwarte", timeout=30).text
    [data] = extruct.extract(page, syntaxes=["json-ld"])["json-ld"]
    assert data["@type"] == "EventSeries" and data["@id"] == server + "event/miejsca-otwarte"
    assert [e["startDate"] for e in data["subEvent"]] == ["2017-11-16", "2021-11-23", "2023-11-29"]
    assert [e["@id"] for e in data["subEvent"]] == [server + e for e in EDITIONS]
    assert [e["url"] for e in data["subEvent"]] == [server + "en/" + p for p in PAGES]


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_edition_page_links_to_the_series_and_names_it_in_its_json_ld(server, edition):
    for lang, word in (("", "Cykl"), ("en/", "Series")):
        page = requests.get(server + lang + edition, headers={"Accept": "text/html"}, timeout=30).text
        assert re.search(rf"<dt>{word}</dt>\s*<dd><a href=\"{re.escape(server + lang)}event/miejsca-otwarte\">", page)
        for data in extruct.extract(page, syntaxes=["json-ld"])["json-ld"]:
            assert data["superEvent"]["@type"] == "EventSeries"
            locations = data["location"] if isinstance(data["location"], list) else [data["location"]]
            # Google requires an address for a place, a url for a VirtualLocation.
            assert all("address" in place if place["@type"] != "VirtualLocation" else "url" in place
                       for place in locations)


@pytest.mark.parametrize("edition", ["event/miejsca-otwarte-2021", "event/miejsca-otwarte-2023"])
def test_an_edition_without_the_location_google_requires_has_no_event_markup(server, edition):
    """2021 was online at an address nobody gives, 2023 in Kraków at a venue nobody names: no
    url and no address are made up, so Google gets no Event to reject; the page shows what is known."""
    page = requests.get(server + "en/" + edition, timeout=30).text
    assert extruct.extract(page, syntaxes=["json-ld"])["json-ld"] == []
    assert "<h1>" in page and ("Kraków" in page or "nline" in page)
