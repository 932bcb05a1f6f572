"""What the event page gives people and search engines, read as they read it."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

import extruct
import icalendar
import pytest
import requests
import vobject
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from publisher.config import DEFAULT_DATA, DEFAULT_SITE_DESCRIPTION
from publisher.load import load
from publisher.site import read_site
from publisher.namespaces import SCHEMA

EVENT_PATH = "event/miejsca-otwarte-2017"


def html(url: str) -> str:
    response = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    return response.text


@pytest.fixture(scope="module")
def pages(server):
    return {"pl": html(server), "en": html(server + "en/")}


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_page_is_in_its_language_with_alternates_canonical_and_a_visible_switch(server, pages, lang):
    page = pages[lang]
    assert f'<html lang="{lang}">' in page
    own, other = (server, server + "en/") if lang == "pl" else (server + "en/", server)
    assert f'<link rel="canonical" href="{own}">' in page
    assert f'<link rel="alternate" hreflang="pl" href="{server}">' in page
    assert f'<link rel="alternate" hreflang="en" href="{server}en/">' in page
    assert f'<a href="{other}" hreflang="{"en" if lang == "pl" else "pl"}"' in page


@pytest.mark.parametrize("lang, deadline, phrase", [
    ("pl", "10 listopada 2017", "Tłumacz Polskiego Języka Migowego"),
    ("en", "10 November 2017", "Polish Sign Language (PJM) interpreter"),
])
def test_accessibility_section_says_how_to_ask_with_phone_and_email_links(pages, lang, deadline, phrase):
    section = pages[lang].split('id="accessibility"')[1].split("</section>")[0]
    assert phrase in section
    assert ("niepełnosprawnością ruchową" if lang == "pl" else "reduced mobility") in section
    assert ("Pętla indukcyjna" if lang == "pl" else "Induction loop") in section
    assert ("Asysta" if lang == "pl" else "Assistance") in section
    assert deadline in section
    # The event is over: the contact stays, as a record, not as an instruction.
    assert ("Zgłoszenia przyjmowano do" if lang == "pl" else "Requests were taken by") in section
    assert '<a href="tel:+48224430198">+48 22 443 01 98</a>' in section
    assert '<a href="mailto:ext.acirlic@um.warszawa.pl">ext.acirlic@um.warszawa.pl</a>' in section


def test_the_page_links_to_every_resource_it_names(server, pages):
    for path in ("organization/centrum-komunikacji-spolecznej", "organization/bialolecki-osrodek-kultury",
                 "organization/warszawa-lokalnie", "organization/magazyn-miasta", "organization/warszawa-ngo-pl",
                 "organization/miasto-stoleczne-warszawa", "place/bok-glebocka-66",
                 f"{EVENT_PATH}/lectures", f"{EVENT_PATH}/panel-a", f"{EVENT_PATH}/local-session",
                 "recording/miejsca-otwarte-2017-day-1", "recording/miejsca-otwarte-2017-day-2",
                 f"{EVENT_PATH}/pjm-interpreter", "person/marta-zakowska"):
        assert f'href="{server}{path}"' in pages["pl"], path
        assert f'href="{server}en/{path}"' in pages["en"], path


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_json_ld_is_an_event_with_every_property_google_reads(server, pages, lang):
    url = server if lang == "pl" else server + "en/"
    [event] = [item for item in extruct.extract(pages[lang], base_url=url, syntaxes=["json-ld"])["json-ld"]
               if item.get("@type") == "Event"]
    for required in ("name", "startDate", "location"):
        assert event[required]
    assert event["startDate"] == "2017-11-16" and event["endDate"] == "2017-11-17"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    # The broadcast's VirtualLocation has no known url: Google rejects one without, so only the venue.
    place = event["location"]
    assert place["@type"] == "Place"
    assert place["address"]["@type"] == "PostalAddress"
    assert place["address"]["streetAddress"] == "ul. Głębocka 66"
    assert place["address"]["addressLocality"] == ("Warszawa" if lang == "pl" else "Warsaw")
    assert event["description"] and len(event["organizer"]) == 2
    assert {p["name"] for p in event["performer"]} == {"Marta Żakowska", "Dawid Zmuda", "Marta Henzler"}
    assert event["image"] == [f"{server}{EVENT_PATH}.png"]  # the one image, whatever the page's language
    assert requests.get(event["image"][0], timeout=30).status_code == 200
    assert "offers" not in event  # no price is known
    assert event["inLanguage"] == ["pl", "pso"]


# A local stand-in for schema.org's context, so the JSON-LD is read offline.
OFFLINE_CONTEXT = {"@vocab": "http://schema.org/", "eventStatus": {"@type": "@id"},
                   "eventAttendanceMode": {"@type": "@id"}, "url": {"@type": "@id"}, "image": {"@type": "@id"}}

FACTS_QUERY = """
PREFIX schema: <http://schema.org/>
CONSTRUCT {
  ?e a ?et ; schema:name ?n ; schema:description ?d ; schema:startDate ?sd ; schema:endDate ?ed ;
     schema:eventStatus ?st ; schema:eventAttendanceMode ?am ; schema:location ?loc ; schema:inLanguage ?il ;
     schema:organizer ?o ; schema:performer ?p ; schema:url ?u .
  ?loc a ?lt ; schema:name ?ln ; schema:address ?a ; schema:amenityFeature ?f .
  ?a a schema:PostalAddress ; schema:streetAddress ?sa ; schema:addressLocality ?al ; schema:addressCountry ?ac .
  ?f a schema:LocationFeatureSpecification ; schema:name ?fn ; schema:value ?fv .
  ?o a ?ot ; schema:name ?on . ?p a schema:Person ; schema:name ?pn .
  ?e schema:contributor ?cr . ?cr a schema:Role ; schema:roleName ?crn ; schema:contributor ?c .
  ?c a ?ct ; schema:name ?cn ; schema:url ?cu .
  ?e schema:sponsor ?sr . ?sr a schema:Role ; schema:roleName ?srn ; schema:sponsor ?s .
  ?s a ?st2 ; schema:name ?sn2 ; schema:url ?su .
  ?e schema:superEvent ?series . ?series a schema:EventSeries ; schema:name ?sn .
} WHERE {
  { ?e a ?et ; schema:name ?n ; schema:description ?d ; schema:startDate ?sd ; schema:endDate ?ed ;
       schema:eventStatus ?st ; schema:eventAttendanceMode ?am ; schema:inLanguage ?il ; schema:url ?u .
    FILTER(lang(?n) = ?lang && lang(?d) = ?lang) }
  UNION { ?e schema:location ?loc . ?loc a ?lt ; schema:name ?ln . FILTER(lang(?ln) = ?lang)
          FILTER NOT EXISTS { ?loc a schema:VirtualLocation } }
  UNION { ?e schema:location/schema:address ?a . ?a schema:streetAddress ?sa ; schema:addressLocality ?al ;
          schema:addressCountry ?ac . FILTER(lang(?al) = ?lang) }
  UNION { ?e schema:location ?loc . ?loc schema:address ?a ; schema:amenityFeature ?f .
          ?f schema:name ?fn ; schema:value ?fv . FILTER(lang(?fn) = ?lang) }
  UNION { ?e schema:organizer ?o . ?o a ?ot ; schema:name ?on . FILTER(lang(?on) = ?lang) }
  UNION { ?e schema:performer ?p . ?p schema:name ?pn }
  UNION { ?e schema:contributor ?cr . ?cr schema:roleName ?crn ; schema:contributor ?c . ?c a ?ct ; schema:name ?cn .
          FILTER(lang(?crn) = ?lang && lang(?cn) = ?lang) }
  UNION { ?e schema:contributor/schema:contributor ?c . ?c schema:url ?cu }
  UNION { ?e schema:sponsor ?sr . ?sr schema:roleName ?srn ; schema:sponsor ?s . ?s a ?st2 ; schema:name ?sn2 .
          FILTER(lang(?srn) = ?lang && lang(?sn2) = ?lang) }
  UNION { ?e schema:sponsor/schema:sponsor ?s . ?s schema:url ?su }
  UNION { ?e schema:superEvent ?series . ?series a schema:EventSeries ; schema:name ?sn . FILTER(lang(?sn) = ?lang) }
}"""


def plain(graph: Graph) -> Graph:
    """Literals compared by their text: the page speaks one language, without tags."""
    result = Graph()
    for s, p, o in graph:
        if isinstance(o, URIRef) and str(o).startswith("https://schema.org/"):
            o = URIRef("http://schema.org/" + str(o)[len("https://schema.org/"):])
        result.add((s, p, Literal(str(o)) if isinstance(o, Literal) else o))
    return result


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_json_ld_states_exactly_the_graphs_facts(server, pages, lang):
    url = server if lang == "pl" else server + "en/"
    [event] = [i for i in extruct.extract(pages[lang], base_url=url, syntaxes=["json-ld"])["json-ld"]
               if i.get("@type") == "Event"]
    event = {**event, "@context": OFFLINE_CONTEXT}
    from_page = Graph().parse(data=json.dumps(event), format="json-ld")
    from_page.remove((None, SCHEMA.image, None))  # the image is drawn by the app, not a fact
    served = Graph()
    data = load([DEFAULT_DATA], server).graph
    bindings = {"lang": Literal(lang), "e": URIRef(server + EVENT_PATH)}
    for triple in data.query(FACTS_QUERY, initBindings=bindings):
        served.add(triple)
    assert isomorphic(plain(from_page), plain(served))
    assert len(from_page) > 40


def test_json_ld_in_the_page_cannot_close_its_script_element(pages):
    block = pages["pl"].split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and ">" not in block and "&" not in block.replace("\\u0026", "")
    json.loads(block)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_opengraph_and_twitter_card_describe_the_event_with_its_image(server, pages, lang):
    url = server if lang == "pl" else server + "en/"
    og = dict(extruct.extract(pages[lang], base_url=url, syntaxes=["opengraph"])["opengraph"][0]["properties"])
    assert og["og:title"].startswith("MIEJSCA OTWARTE" if lang == "pl" else "OPEN PLACES")
    assert og["og:url"] == url and og["og:type"] == "website"
    assert og["og:image:width"] == "1200" and og["og:image:height"] == "675"  # 16:9, as Google asks
    assert ("16–17" in og["og:image:alt"]) and "Głębocka 66" in og["og:image:alt"]
    # One image an event, its text in the site's default language: both pages show the same file.
    assert og["og:image"] == f"{server}{EVENT_PATH}.png"
    image = requests.get(og["og:image"], timeout=30)
    assert image.headers["Content-Type"] == "image/png" and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(image.content[16:20], "big"), int.from_bytes(image.content[20:24], "big")
    assert (width, height) == (1200, 675)
    assert re.search(r'<meta name="twitter:card" content="summary_large_image">', pages[lang])
    assert requests.get(f"{server}en/{EVENT_PATH}.png", timeout=30).status_code == 404  # no copy per language


def test_calendar_entry_parses_with_two_independent_parsers(server, pages):
    assert f'href="{server}{EVENT_PATH}.ics"' in pages["pl"]
    body = requests.get(server + "event.ics", timeout=30)
    assert body.headers["Content-Type"].startswith("text/calendar")
    assert body.content == requests.get(f"{server}{EVENT_PATH}.ics", timeout=30).content
    [first] = icalendar.Calendar.from_ical(body.content).walk("VEVENT")
    assert first.decoded("dtstart") == date(2017, 11, 16)
    assert first.decoded("dtend") == date(2017, 11, 18)  # all-day: DTEND is exclusive
    assert str(first["summary"]) == "MIEJSCA OTWARTE. Przestrzeń spotkań sąsiedzkich"
    assert "Głębocka 66" in str(first["location"]) and str(first["uid"]) == server + EVENT_PATH
    second = vobject.readOne(body.content.decode("utf-8")).vevent
    assert second.dtstart.value == date(2017, 11, 16) and second.dtend.value == date(2017, 11, 18)
    assert second.url.value == server and second.summary.value == str(first["summary"])
    english = vobject.readOne(requests.get(f"{server}en/{EVENT_PATH}.ics", timeout=30).text).vevent
    assert english.summary.value == "OPEN PLACES. A space for neighbourhood encounters"


@pytest.mark.parametrize("start, end, pl, en", [
    ("2017-11-16", "2017-11-17", "16–17 listopada 2017", "16–17 November 2017"),
    ("2017-11-30", "2017-12-01", "30 listopada – 1 grudnia 2017", "30 November – 1 December 2017"),
    ("2017-12-31", "2018-01-01", "31 grudnia 2017 – 1 stycznia 2018", "31 December 2017 – 1 January 2018"),
    ("2017-11-16", "2017-11-16", "16 listopada 2017", "16 November 2017"),
])
def test_date_ranges_read_naturally_in_both_languages(start, end, pl, en):
    from publisher.represent.dates import date_range

    xsd_date = URIRef("http://www.w3.org/2001/XMLSchema#date")
    event, data = URIRef("http://example.org/e"), Graph()
    data.add((event, SCHEMA.startDate, Literal(start, datatype=xsd_date)))
    data.add((event, SCHEMA.endDate, Literal(end, datatype=xsd_date)))
    assert (date_range(data, event, "pl"), date_range(data, event, "en")) == (pl, en)


def test_an_event_at_two_venues_names_the_same_one_on_its_page_calendar_and_image():
    from publisher.represent.calendar import event_calendar
    from publisher.represent.event_view import EventPageBuilder, headline
    from publisher.addresses import Urls
    from rdflib import RDF

    base = "http://example.org/"
    event, hall, annex = URIRef(base + "event/e"), URIRef(base + "place/b-hall"), URIRef(base + "place/a-annex")
    data = Graph()
    data.add((event, SCHEMA.name, Literal("E", lang="pl")))
    for place, name in ((hall, "Hala"), (annex, "Aneks")):  # the later IRI stated first
        data.add((event, SCHEMA.location, place))
        data.add((place, RDF.type, SCHEMA.Place))
        data.add((place, SCHEMA.name, Literal(name, lang="pl")))
    languages = read_site(DEFAULT_SITE_DESCRIPTION, base)[0].languages
    page = EventPageBuilder(data, Urls(base, event, None, languages), "pl").build(event)
    [entry] = icalendar.Calendar.from_ical(event_calendar(data, event, "pl", base, datetime(2017, 11, 1, tzinfo=timezone.utc))).walk("VEVENT")
    assert page.place == headline(data, event, "pl").place == str(entry["location"]) == "Aneks"
    assert page.venue.href.endswith("place/a-annex")


@pytest.mark.parametrize("path, lang, label", [
    ("", "pl", "Zapytaj o to w SPARQL"), ("en/", "en", "Query this in SPARQL"),
    ("place/bok-glebocka-66", "pl", "Zapytaj o to w SPARQL"), ("en/organization/warszawa-lokalnie", "en", "Query this in SPARQL")])
def test_each_page_links_its_resource_described_on_the_sparql_page(server, path, lang, label):
    """Trifid's users asked for it: from a page, one link opens the query page with a DESCRIBE of
    the page's resource, already run."""
    page = html(server + path)
    iri = server + (path.removeprefix("en/") or EVENT_PATH)
    link = re.search(r'<a href="([^"]+)">' + label + "</a>", page)
    assert link, label
    url = link.group(1).replace("&amp;", "&")
    assert url.startswith(server + ("en/" if lang == "en" else "") + "sparql?query=")
    answer = html(url)
    assert f"DESCRIBE &lt;{iri}&gt;</textarea>" in answer  # the query, prefilled in the form
    results = answer.split('<section class="results">')[1].split("</section>")[0]
    assert f"&lt;{iri}&gt; " in results and "schema:name" in results  # and its answer: the resource's facts


def rendered(graph, lang: str, today: date, status=None) -> str:
    """The 2017 page as of `today`, with its status replaced by `status` when given."""
    from publisher.represent.html import render_event_page
    from publisher.addresses import Urls

    base, event = "http://127.0.0.1:8000/", URIRef("http://127.0.0.1:8000/" + EVENT_PATH)
    if status is not None:
        copy = Graph()
        for triple in graph:
            copy.add(triple)
        copy.set((event, SCHEMA.eventStatus, status))
        graph = copy
    site = read_site(DEFAULT_SITE_DESCRIPTION, base)[0]
    return render_event_page(graph, event, Urls(base, event, None, site.languages), lang, site, today).decode()


@pytest.mark.parametrize("lang, took_place, asked", [
    ("pl", "To wydarzenie odbyło się 16–17 listopada 2017.", "Zgłoś"),
    ("en", "This event took place on 16–17 November 2017.", "Ask in advance"),
])
def test_a_past_event_says_it_took_place_by_its_title_puts_recordings_first_and_offers_no_calendar(
        pages, lang, took_place, asked):
    page = pages[lang]
    heading = page.split("<h1>")[1].split("</dl>")[0]
    assert took_place in heading
    assert "Zgodnie z planem" not in page and "As scheduled" not in page
    assert 'type="text/calendar" download' not in page  # no "Add to calendar" button
    assert asked not in page
    assert page.index('id="recordings"') < page.index('id="about"') < page.index('id="programme"')


def test_before_the_event_its_page_says_as_of_which_day_it_is_upcoming_and_offers_the_calendar(graph):
    page = rendered(graph, "pl", date(2017, 11, 1))
    assert "Stan na 1 listopada 2017: to wydarzenie jeszcze się nie odbyło." in page
    assert "odbyło się 16" not in page
    assert 'type="text/calendar" download' in page and "Zgłoś wcześniej, do 10 listopada 2017:" in page
    assert page.index('id="programme"') < page.index('id="recordings"')
    on_the_last_day = rendered(graph, "en", date(2017, 11, 17))
    assert "still to come" in on_the_last_day and "took place" not in on_the_last_day


def test_the_day_a_page_is_rendered_for_changes_once_the_event_is_over_then_never_again():
    from publisher.event_kinds import as_of

    last = date(2017, 11, 17)
    assert as_of(last, date(2017, 11, 1)) == date(2017, 11, 1)
    assert as_of(last, last) == last
    # Every later day renders the same past page: one cached copy, one ETag.
    assert as_of(last, date(2017, 11, 18)) == as_of(last, date(2026, 12, 6)) == date(2017, 11, 18)
    assert as_of(None, date(2026, 12, 6)) is None


@pytest.mark.parametrize("lang, word", [("pl", "Odwołane"), ("en", "Cancelled")])
def test_a_cancelled_event_says_so_in_its_title_description_and_card_and_offers_no_calendar(graph, lang, word):
    page = rendered(graph, lang, date(2017, 11, 1), SCHEMA.EventCancelled)
    assert re.search(rf"<title>{word}: ", page)
    og = dict(extruct.extract(page, syntaxes=["opengraph"])["opengraph"][0]["properties"])
    assert og["og:title"].startswith(word + ": ") and og["og:description"].startswith(word + ": ")
    assert f"{word} · 16–17" in og["og:image:alt"]  # the image says it too (its dates line)
    assert re.search(rf'<meta name="description" content="{word}: ', page)
    assert 'type="text/calendar" download' not in page


@pytest.mark.parametrize("status, expected", [
    (SCHEMA.EventScheduled, "CONFIRMED"), (SCHEMA.EventPostponed, "TENTATIVE"), (SCHEMA.EventCancelled, "CANCELLED"),
])
def test_the_calendar_file_gives_the_events_status(graph, status, expected):
    from publisher.represent.calendar import event_calendar

    event = URIRef("http://127.0.0.1:8000/" + EVENT_PATH)
    copy = Graph()
    for triple in graph.triples((event, None, None)):
        copy.add(triple)
    copy.set((event, SCHEMA.eventStatus, status))
    [entry] = icalendar.Calendar.from_ical(
        event_calendar(copy, event, "pl", str(event), datetime(2017, 11, 1, tzinfo=timezone.utc))).walk("VEVENT")
    assert str(entry["status"]) == expected


def test_the_page_names_each_role_once_inviting_party_first_patrons_in_the_plural(pages):
    roles = re.findall(r"<dt>([^<]+)</dt>", pages["pl"].split('id="people"')[1].split("</section>")[0])
    assert roles == ["Organizatorzy", "Zapraszający", "Partner merytoryczny", "Patroni medialni"]
    english = re.sub(r"<[^>]+>", "", pages["en"].split('id="people"')[1].split("</section>")[0])
    assert english.index("Inviting party") < english.index("Content partner") < english.index("Media patrons")


def test_where_names_each_town_once_and_attendance_says_nothing_twice(server, pages):
    where = re.sub(r"<[^>]+>", "", pages["pl"].split("<dt>Gdzie</dt>")[1].split("</dd>")[0])
    assert where.strip() == "Białołęcki Ośrodek Kultury, ul. Głębocka 66, Białołęka, Warszawa"
    online = html(server + "event/miejsca-otwarte-2021")
    attendance = online.split("<dt>Forma udziału</dt>")[1].split("</dd>")[0]
    assert re.sub(r"<[^>]+>", "", attendance).strip() == "Online"


def test_recordings_are_listed_by_date_and_their_pages_read_their_links_the_right_way_round(server, pages):
    listing = pages["pl"].split('id="recordings"')[1].split("</section>")[0]
    assert listing.index("dzień pierwszy") < listing.index("dzień drugi")
    recording = html(server + "recording/miejsca-otwarte-2017-day-2")
    assert "17 listopada 2017" in recording and "2017-11-17" not in recording
    assert "<dt>Nagranie wydarzenia</dt>" in recording and "Adres nagrania nie jest znany" in recording
    assert "<dt>Organizer of</dt>" not in html(server + "en/organization/bialolecki-osrodek-kultury")
    assert "<dt>Organiser of</dt>" in html(server + "en/organization/bialolecki-osrodek-kultury")


def test_a_programme_part_says_when_and_within_which_event(server):
    part = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(server + f"{EVENT_PATH}/panel-a")))
    assert ("Kiedy 16–17 listopada 2017 W ramach Panele eksperckie: Jak otwierać się na społeczność lokalną?"
            " MIEJSCA OTWARTE. Przestrzeń spotkań sąsiedzkich") in part


def test_a_role_page_is_titled_by_role_event_and_member(server):
    page = html(server + f"{EVENT_PATH}/panel-a/role/moderator")
    assert "<title>Moderacja: Panel A: Obcy w mojej instytucji… — Dawid Zmuda</title>" in page


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_a_calendar_restamped_with_the_datas_new_time_is_the_calendar_rendered_at_that_time(graph, lang):
    """The static export's incremental build restamps the calendars of unchanged events."""
    from publisher.represent.calendar import event_calendar, restamp

    event = URIRef("http://127.0.0.1:8000/" + EVENT_PATH)
    before, after = datetime(2017, 11, 1, 9, 30, tzinfo=timezone.utc), datetime(2026, 12, 6, 22, 5, 7, 123, tzinfo=timezone.utc)
    rendered = event_calendar(graph, event, lang, str(event), before)
    assert restamp(rendered, before, after) == event_calendar(graph, event, lang, str(event), after) != rendered
    assert restamp(rendered, after, before) is None  # not the time it was rendered with: render it
