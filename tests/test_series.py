"""The series page: every edition in date order, in Polish and English, each a page of its own."""

from __future__ import annotations

import json
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
        [data] = extruct.extract(page, syntaxes=["json-ld"])["json-ld"]
        assert data["superEvent"]["@type"] == "EventSeries"
        locations = data["location"] if isinstance(data["location"], list) else [data["location"]]
        physical = [place for place in locations if place["@type"] != "VirtualLocation"]
        # Google requires an address for an event one attends in person; the online edition has none.
        assert all(place["address"]["@type"] == "PostalAddress" for place in physical)
        assert physical or data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"


def test_an_edition_known_only_by_its_city_gives_the_city_as_its_address(server):
    page = requests.get(server + "en/event/miejsca-otwarte-2023", timeout=30).text
    [data] = extruct.extract(page, syntaxes=["json-ld"])["json-ld"]
    assert data["location"]["address"] == {"@type": "PostalAddress", "addressLocality": "Kraków"}
    assert "streetAddress" not in json.dumps(data)  # no street is known: none is made up
