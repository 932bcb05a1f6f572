"""`publisher import`: a city's calendar feed or spreadsheet becomes linked data it can publish.

The feeds are files other programs wrote (the icalendar and vobject libraries, committed once:
tests/fixtures/import/generate.py), RFC 5545's edge cases written by hand, a hostile and a
broken feed, and a CSV described by the CSVW template that ships in docs/. The test city's site
description requires Polish only, so the Polish feeds validate with warnings for English.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
import time
from pathlib import Path

import icalendar
import pytest
import requests
from rdflib import Graph, Literal, URIRef

from conftest import ROOT, run_cli
from servers import publisher_server
from test_changes import feed_entries

FIXTURES = ROOT / "tests" / "fixtures" / "import"
SITE = FIXTURES / "site-pl.ttl"  # Polish required, English recommended
TEMPLATE = ROOT / "docs" / "events.csv-metadata.json"
SCHEMA = "http://schema.org/"
DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
BASE = "http://127.0.0.1:8000/"
FEEDS = {"ical": "city-icalendar.ics", "vobject": "city-vobject.ics", "rfc": "edge-cases.ics"}


def import_ical(source, into: Path, *extra: str):
    return run_cli("import", "ical", str(source), "--into", str(into), "--source-url",
                   f"https://test.example/{Path(str(source)).name}", "--from", "2027-01-01",
                   "--site-description", str(SITE), *extra)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def graph_of(folder: Path) -> Graph:
    graph = Graph()
    for path in sorted(folder.rglob("*.ttl")):
        graph.parse(path, format="turtle", publicID=BASE)
    return graph


def event_with(graph: Graph, uid: str) -> list[URIRef]:
    """The events (one a recurring event's occurrence) imported from the VEVENT with this UID."""
    return sorted(graph.subjects(URIRef("http://purl.org/dc/terms/identifier"), Literal(uid)))


def value(graph: Graph, event: URIRef, prop: str):
    return graph.value(event, URIRef(SCHEMA + prop))


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """The three feeds and the CSV, each imported into a folder of its own under one data folder."""
    root = tmp_path_factory.mktemp("city") / "data"
    for folder, name in FEEDS.items():
        done = import_ical(FIXTURES / name, root / folder)
        assert done.returncode == 0, done.stdout + done.stderr
    done = run_cli("import", "csv", str(FIXTURES / "events.csv"), "--metadata", str(TEMPLATE), "--into",
                   str(root / "csv"), "--source-url", "https://test.example/events.csv",
                   "--site-description", str(SITE))
    assert done.returncode == 1, done.stdout + done.stderr  # two rows are refused (see below)
    return root


def test_feeds_from_two_calendar_programs_and_rfc_examples_import_and_validate(data):
    for folder, name in FEEDS.items():
        assert list((data / folder / "event").glob("*.ttl")), folder
    report = run_cli("validate", str(data), "--site-description", str(SITE), "--format", "json")
    assert report.returncode == 0, report.stdout
    problems = json.loads(report.stdout)["problems"]
    # Polish-only text: a warning per missing English name, not an error.
    assert any(p["severity"] == "warning"
               and p["message"] == "Wydarzenie musi mieć nazwę po angielsku (schema:name z @en)." for p in problems)
    assert not any(p["severity"] == "violation" for p in problems)


def test_a_site_that_requires_english_refuses_each_polish_only_event_and_writes_nothing(tmp_path):
    both = tmp_path / "site.ttl"
    both.write_text((ROOT / "site" / "dataset.ttl").read_text(encoding="utf-8").replace(
        'ps:requiredLanguage "pl" ;', 'ps:requiredLanguage "pl" , "en" ;'), encoding="utf-8")
    done = run_cli("import", "ical", str(FIXTURES / FEEDS["ical"]), "--into", str(tmp_path / "city"), "--source-url",
                   "https://test.example/city.ics", "--from", "2027-01-01", "--lang", "pl",
                   "--site-description", str(both))
    assert done.returncode == 1
    refused = [line for line in done.stdout.splitlines() if "city-icalendar.ics:" in line]
    assert len(refused) == 8 and all("po angielsku" in line for line in refused), done.stdout
    assert "nowe: 0, zmienione: 0, bez zmian: 0, usunięte: 0, odrzucone: 8" in done.stdout
    assert list(tmp_path.iterdir()) == [both]  # no folder, no staging folder left


def test_every_imported_resource_names_the_feed_as_its_source(data):
    graph = graph_of(data / "ical")
    described = set(graph.subjects(URIRef(SCHEMA + "name")))
    assert described and all(graph.value(s, URIRef("http://purl.org/dc/terms/source"))
                              == URIRef("https://test.example/city-icalendar.ics") for s in described)


def test_dates_stay_dates_with_the_exclusive_end_made_inclusive(data):
    graph = graph_of(data / "ical") + graph_of(data / "rfc")
    festival, = event_with(graph, "festyn-2027@test.example")  # DTEND;VALUE=DATE:20270517
    assert (value(graph, festival, "startDate"), value(graph, festival, "endDate")) == (
        Literal("2027-05-15", datatype=DATE), Literal("2027-05-16", datatype=DATE))
    anniversary, = event_with(graph, "19970901T130000Z-123403@example.com")  # no DTEND: that one day
    assert value(graph, anniversary, "endDate") == value(graph, anniversary, "startDate") == Literal(
        "2027-11-02", datatype=DATE)
    meeting, = event_with(graph, "20070423T123432Z-541111@example.com")  # DURATION:P3D
    assert value(graph, meeting, "endDate") == Literal("2027-06-30", datatype=DATE)


def test_times_keep_their_offset_across_daylight_saving_time(data):
    graph = graph_of(data / "rfc") + graph_of(data / "vobject")
    night, = event_with(graph, "19970610T172345Z-AF23B2@example.com")  # a VTIMEZONE of the feed's own
    assert str(value(graph, night, "startDate")) == "2027-11-06T22:00:00-04:00"
    assert str(value(graph, night, "endDate")) == "2027-11-07T03:00:00-05:00"
    walk, = event_with(graph, "vobject-spacer@test.example")  # vobject's VTIMEZONE "CET"
    assert str(value(graph, walk, "startDate")) == "2027-09-04T10:00:00+02:00"


def test_a_recurring_event_is_one_event_an_occurrence_without_the_excluded_dates(data):
    graph = graph_of(data / "ical") + graph_of(data / "rfc")
    weekly = event_with(graph, "warsztaty-2027@test.example")  # weekly, five times, 22 March excluded
    assert [str(value(graph, e, "startDate")) for e in weekly] == [
        "2027-03-15T10:00:00+01:00", "2027-03-29T10:00:00+02:00", "2027-04-05T10:00:00+02:00",
        "2027-04-12T10:00:00+02:00"]
    daily = event_with(graph, "19960401T080045Z-4000F192713-0052@example.com")
    starts = {str(e).rsplit("-", 1)[-1]: str(value(graph, e, "startDate")) for e in daily}
    # 6 January excluded; the 7th moved to the afternoon keeps the address of its original time
    assert starts == {"20270104t0900": "2027-01-04T09:00:00+01:00", "20270105t0900": "2027-01-05T09:00:00+01:00",
                      "20270107t0900": "2027-01-07T14:00:00+01:00", "20270108t0900": "2027-01-08T09:00:00+01:00"}


def test_location_geo_url_status_organizer_and_categories_are_mapped(data):
    graph = graph_of(data / "ical")
    concert, = event_with(graph, "koncert-2027@test.example")
    place = value(graph, concert, "location")
    assert all(value(graph, e, "location") == place for e in graph.subjects(URIRef(SCHEMA + "location")))  # shared
    address = value(graph, place, "address")
    assert (str(value(graph, place, "name")), str(value(graph, address, "streetAddress")),
            str(value(graph, address, "postalCode")), str(value(graph, address, "addressLocality")),
            str(value(graph, address, "addressCountry"))) == (
        "Dom Kultury Test", "ul. Przykładowa 12", "00-950", "Warszawa", "PL")
    geo = value(graph, place, "geo")
    assert (float(value(graph, geo, "latitude")), float(value(graph, geo, "longitude"))) == (52.2297, 21.0122)
    assert value(graph, concert, "url") == URIRef("https://test.example/koncert")
    organizer = value(graph, concert, "organizer")
    assert (str(value(graph, organizer, "name")), str(value(graph, organizer, "email"))) == (
        "Dom Kultury Test", "kultura@test.example")
    assert sorted(map(str, graph.objects(concert, URIRef(SCHEMA + "keywords")))) == ["muzyka", "plener"]
    assert value(graph, concert, "eventStatus") == URIRef(SCHEMA + "EventScheduled")
    lecture, = event_with(graph, "wyklad-2027@test.example")
    assert value(graph, lecture, "eventStatus") == URIRef(SCHEMA + "EventCancelled")


def test_the_same_uid_always_gives_the_same_address(data, tmp_path):
    again = import_ical(FIXTURES / FEEDS["ical"], tmp_path / "elsewhere")
    assert again.returncode == 0
    assert sorted((tmp_path / "elsewhere" / "event").iterdir()) and \
        [p.name for p in sorted((tmp_path / "elsewhere" / "event").iterdir())] == \
        [p.name for p in sorted((data / "ical" / "event").iterdir())]


def test_importing_the_same_feed_again_changes_no_byte(data):
    before = snapshot(data / "ical")
    again = import_ical(FIXTURES / FEEDS["ical"], data / "ical")
    assert again.returncode == 0 and "nowe: 0, zmienione: 0, bez zmian: 8, usunięte: 0, odrzucone: 0" in again.stdout
    assert snapshot(data / "ical") == before


def test_bad_events_are_refused_with_uid_line_and_reason_and_the_good_one_is_imported(tmp_path):
    done = import_ical(FIXTURES / "bad.ics", tmp_path / "bad", "--lang", "pl")
    assert done.returncode == 1
    expected = [
        ":13  UID no-start@test.example  wydarzenie nie ma początku (DTSTART, startDate)",
        ":20  UID floating@test.example  DTSTART/DTEND: czas 2027-03-01T10:00:00 nie ma strefy czasowej",
        ":28  UID good@test.example  powtórzony UID: ma go już wydarzenie w ",
        ":37  UID control@test.example  SUMMARY zawiera znak sterujący U+000B",
        ":46  UID unknown-tz@test.example  DTSTART podaje strefę czasową Nowhere/Atlantis",
        ":54  UID no-address@test.example  LOCATION „Park” nie zawiera ulicy z numerem",
        ":62  UID backwards@test.example  DTSTART/DTEND: wydarzenie kończy się, zanim się zacznie",
    ]
    lines = [line for line in done.stdout.splitlines() if "bad.ics:" in line]
    assert len(lines) == len(expected) and all(want in line for want, line in zip(expected, lines)), done.stdout
    assert "nowe: 1, zmienione: 0, bez zmian: 0, usunięte: 0, odrzucone: 7" in done.stdout
    assert [p.name for p in (tmp_path / "bad" / "event").iterdir()] == ["good-test-example-20d6e0d3.ttl"]


@pytest.mark.parametrize("make, message", [
    (lambda path: shutil.copy(FIXTURES / "malformed.ics", path), "is not a well-formed iCalendar feed"),
    (lambda path: path.write_text("<html>not a calendar</html>"), "does not begin with BEGIN:VCALENDAR"),
    (lambda path: path.write_bytes(b"BEGIN:VCALENDAR\r\n\xff\xfe"), "is not UTF-8 text"),
    # 50 MB (sparse: the size is refused before anything is read)
    (lambda path: open(path, "wb").truncate(50 * 2**20), "is larger than 20 MB (--max-size)"),
])
def test_a_feed_that_cannot_be_read_writes_nothing_and_says_why(tmp_path, make, message):
    feed = tmp_path / "feed.ics"
    make(feed)
    done = run_cli("import", "ical", str(feed), "--into", str(tmp_path / "city"), "--source-url",
                   "https://test.example/feed.ics", "--lang", "en")
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.ics"]


def test_hand_written_or_edited_files_are_never_overwritten_without_force(tmp_path):
    folder = tmp_path / "city"
    assert import_ical(FIXTURES / FEEDS["vobject"], folder).returncode == 0
    edited = next((folder / "event").iterdir())
    edited.write_text(edited.read_text(encoding="utf-8").replace("Kino plenerowe", "Kino (poprawione)")
                      .replace("Spacer historyczny", "Spacer (poprawiony)"), encoding="utf-8")
    hand = folder / "hand.ttl"
    hand.write_text("# written by hand\n", encoding="utf-8")
    before = snapshot(folder)
    for source in (FEEDS["vobject"], FEEDS["ical"]):  # the same feed again, and another feed
        done = import_ical(FIXTURES / source, folder, "--lang", "en")
        assert done.returncode == 2 and "--force" in done.stderr and "hand.ttl" in done.stderr
        assert snapshot(folder) == before
    done = run_cli("import", "ical", str(FIXTURES / FEEDS["vobject"]), "--into", str(folder), "--source-url",
                   "https://test.example/city-vobject.ics", "--site-description", str(SITE), "--force")
    assert done.returncode == 0 and "changed: 1" in done.stdout.replace("zmienione", "changed")
    assert hand.read_text(encoding="utf-8") == "# written by hand\n"  # a path the import does not write


def test_a_source_without_a_public_address_is_refused(tmp_path):
    done = run_cli("import", "ical", str(FIXTURES / FEEDS["ical"]), "--into", str(tmp_path / "city"), "--lang", "en")
    assert done.returncode == 2 and "--source-url" in done.stderr


def test_a_csv_with_the_csvw_template_imports_both_languages_and_refuses_bad_rows(data):
    graph = graph_of(data / "csv")
    meeting, = event_with(graph, "csv-1")
    names = {name.language: str(name) for name in graph.objects(meeting, URIRef(SCHEMA + "name"))}
    assert names == {"pl": "Spotkanie sąsiedzkie", "en": "Neighbours' meeting"}
    assert str(value(graph, meeting, "startDate")) == "2027-10-05T18:00:00+02:00"
    fair, = event_with(graph, "csv-2")
    assert value(graph, fair, "eventStatus") == URIRef(SCHEMA + "EventCancelled")
    assert value(graph, fair, "endDate") == Literal("2027-12-12", datatype=DATE)  # CSV's end is inclusive
    assert len(set(graph.subjects(URIRef(SCHEMA + "startDate")))) == 2


def test_csv_rows_are_refused_with_their_line(tmp_path):
    done = run_cli("import", "csv", str(FIXTURES / "events.csv"), "--metadata", str(TEMPLATE), "--into",
                   str(tmp_path / "csv"), "--source-url", "https://test.example/events.csv",
                   "--site-description", str(SITE), "--lang", "pl")
    assert done.returncode == 1
    assert "events.csv:4  UID csv-3  wydarzenie nie ma początku" in done.stdout
    assert "events.csv:5  UID csv-1  powtórzony UID" in done.stdout


@pytest.fixture(scope="module")
def feed_server(tmp_path_factory):
    """A calendar published on 127.0.0.1, as a city's CMS would publish it."""
    folder = tmp_path_factory.mktemp("published")
    shutil.copy(FIXTURES / FEEDS["ical"], folder / "city.ics")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/city.ics"
    server.shutdown()


def test_served_imported_events_round_trip_and_a_removed_one_is_gone(feed_server, tmp_path):
    published, url = feed_server
    data = tmp_path / "data"
    done = run_cli("import", "ical", url, "--into", str(data / "city"), "--from", "2027-01-01",
                   "--site-description", str(SITE))
    assert done.returncode == 0, done.stderr
    assert "8 z 8 wydarzeń" in done.stderr  # progress
    source = {str(e["UID"]): e for e in icalendar.Calendar.from_ical((FIXTURES / FEEDS["ical"]).read_bytes())
              .walk("VEVENT")}
    with publisher_server("--data", str(data), "--site-description", str(SITE), "--reload-interval", "0.5",
                          "--workers", "1") as app:
        graph = graph_of(data / "city")
        for uid in ("koncert-2027@test.example", "wyklad-2027@test.example", "hostile-2027@test.example"):
            event, = event_with(graph, uid)
            path = str(event)[len(BASE):]
            page = requests.get(app + path, timeout=30)
            assert page.status_code == 200 and "<script>alert(1)" not in page.text
            ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S).group(1))
            assert ld["startDate"] == str(value(graph, event, "startDate"))
            assert ld["eventStatus"].endswith("EventCancelled" if uid.startswith("wyklad") else "EventScheduled")
            calendar = requests.get(app + path + ".ics", timeout=30).content
            entry = icalendar.Calendar.from_ical(calendar).walk("VEVENT")[0]
            original = source[uid]
            assert entry["DTSTART"].dt == original["DTSTART"].dt and entry["DTEND"].dt == original["DTEND"].dt
            assert str(entry["STATUS"]) == str(original.get("STATUS", "CONFIRMED"))
            assert str(entry["SUMMARY"]) == str(original["SUMMARY"])

        # The lecture leaves the feed: the next import makes it a tombstone, and the app says so.
        lecture, = event_with(graph, "wyklad-2027@test.example")
        feed = (published / "city.ics").read_text(encoding="utf-8")
        (published / "city.ics").write_text(re.sub(r"BEGIN:VEVENT\r?\n(?:(?!END:VEVENT).)*?UID:wyklad-2027@test"
                                                   r"\.example.*?END:VEVENT\r?\n", "", feed, flags=re.S),
                                            encoding="utf-8")
        done = run_cli("import", "ical", url, "--into", str(data / "city"), "--from", "2027-01-01",
                       "--site-description", str(SITE))
        assert done.returncode == 0 and "nowe: 0, zmienione: 0, bez zmian: 7, usunięte: 1" in done.stdout
        path = str(lecture)[len(BASE):]
        deadline = time.monotonic() + 60  # the server looks at the files twice a second
        while requests.get(app + path, timeout=30).status_code != 410 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert requests.get(app + path, timeout=30).status_code == 410
        assert (app + path, "Delete") in {(link, kind) for link, kind, _ in feed_entries(app + "changes.atom")}


FEED = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:zebranie@test.example\r
DTSTAMP:20261201T090000Z\r
DTSTART:{start}\r
DTEND:{end}\r
SUMMARY;LANGUAGE=pl:Zebranie rady\r
{description}LOCATION;LANGUAGE=pl:Sala Test\\, ul. Przykładowa 12\\, 00-950 Warszawa\r
STATUS:TENTATIVE\r
URL:javascript:alert(1)\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_tentative_event_is_postponed_only_once_its_earlier_date_is_known(tmp_path):
    feed, folder = tmp_path / "feed.ics", tmp_path / "city"
    description = "DESCRIPTION;LANGUAGE=pl:Zebranie do potwierdzenia.\r\n"
    # The feed says which language its text is in: that wins over --lang.
    feed.write_text(FEED.format(start="20270301T100000Z", end="20270301T110000Z", description=description))
    done = import_ical(feed, folder, "--lang", "en")
    assert done.returncode == 0 and "STATUS:TENTATIVE, but no earlier date of this event is known" in done.stdout
    graph = graph_of(folder)
    meeting, = event_with(graph, "zebranie@test.example")
    assert value(graph, meeting, "name") == Literal("Zebranie rady", lang="pl")
    assert value(graph, meeting, "eventStatus") is None
    assert "URL “javascript:alert(1)” is not an http(s) address: left out" in done.stdout
    assert value(graph, meeting, "url") is None

    feed.write_text(FEED.format(start="20270308T100000Z", end="20270308T110000Z", description=description))
    assert import_ical(feed, folder, "--lang", "en").returncode == 0
    graph = graph_of(folder)
    assert value(graph, meeting, "eventStatus") == URIRef(SCHEMA + "EventPostponed")
    assert str(value(graph, meeting, "previousStartDate")) == "2027-03-01T10:00:00+00:00"
    before = snapshot(folder)  # and again: the earlier date is remembered, the file stays the same
    assert "unchanged: 1" in import_ical(feed, folder, "--lang", "en").stdout and snapshot(folder) == before


def test_an_event_refused_now_keeps_its_earlier_import_instead_of_being_removed(tmp_path):
    feed, folder = tmp_path / "feed.ics", tmp_path / "city"
    feed.write_text(FEED.format(start="20270301T100000Z", end="20270301T110000Z",
                                description="DESCRIPTION:Opis.\r\n"))
    assert import_ical(feed, folder).returncode == 0
    before = snapshot(folder)
    feed.write_text(FEED.format(start="20270301T100000Z", end="20270301T110000Z", description=""))
    done = import_ical(feed, folder, "--lang", "en")
    assert done.returncode == 1 and "UID zebranie@test.example  the event has no description" in done.stdout
    assert "removed: 0, refused: 1" in done.stdout and snapshot(folder) == before


def test_local_times_of_a_google_calendar_export_take_its_x_wr_timezone(tmp_path):
    """Google Calendar may write times without a zone and name the calendar's zone once."""
    feed = tmp_path / "google.ics"
    feed.write_text(FEED.format(start="20270701T100000", end="20270701T110000", description="DESCRIPTION:Opis.\r\n")
                    .replace("PRODID:-//test//EN\r\n", "PRODID:-//test//EN\r\nX-WR-TIMEZONE:Europe/Warsaw\r\n"))
    assert import_ical(feed, tmp_path / "city").returncode == 0
    graph = graph_of(tmp_path / "city")
    meeting, = event_with(graph, "zebranie@test.example")
    assert str(value(graph, meeting, "startDate")) == "2027-07-01T10:00:00+02:00"
    feed.write_text(feed.read_text().replace("Europe/Warsaw", "Nowhere/Atlantis"))
    done = import_ical(feed, tmp_path / "city", "--lang", "en")
    assert done.returncode == 2 and "names an unknown time zone in X-WR-TIMEZONE" in done.stderr


def test_a_required_language_the_site_does_not_offer_is_a_clear_error(tmp_path):
    site = tmp_path / "site.ttl"
    site.write_text(SITE.read_text(encoding="utf-8").replace('ps:requiredLanguage "pl"', 'ps:requiredLanguage "de"'),
                    encoding="utf-8")
    done = run_cli("validate", "--site-description", str(site))
    assert done.returncode == 2
    assert "a required language (de) is not one of the site's languages" in done.stderr
