"""Every fact of the seed text is in the graph, in Polish and in English.

Each test names the seed sentence it checks; queries use the IRIs as a developer would.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, Literal, URIRef

from publisher.namespaces import DCT, SCHEMA

EVENT = "event/miejsca-otwarte-2017"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
PREFIXES = "PREFIX schema: <http://schema.org/> PREFIX dct: <http://purl.org/dc/terms/>\n"


def iri(base_url: str, path: str) -> URIRef:
    return URIRef(base_url + path)


def ask(graph, query: str, **bindings) -> bool:
    return bool(graph.query(PREFIXES + query, initBindings=bindings).askAnswer)


def names(graph, node, lang):
    return {str(o) for o in graph.objects(node, SCHEMA.name) if o.language == lang}


def test_the_conference_is_named_in_both_languages(graph, base_url):
    """'MIEJSCA OTWARTE … Przestrzeń spotkań sąsiedzkich'"""
    event = iri(base_url, EVENT)
    assert (event, RDF.type, SCHEMA.Event) in graph
    assert names(graph, event, "pl") == {"MIEJSCA OTWARTE. Przestrzeń spotkań sąsiedzkich"}
    assert names(graph, event, "en") == {"OPEN PLACES. A space for neighbourhood encounters"}


def test_it_is_the_first_nationwide_conference(graph, base_url):
    """'I Ogólnopolska Konferencja' / 'Pierwszą ogólnopolska konferencja'"""
    alternate = {(o.language, str(o)) for o in graph.objects(iri(base_url, EVENT), SCHEMA.alternateName)}
    assert ("pl", "I Ogólnopolska Konferencja MIEJSCA OTWARTE") in alternate
    assert ("en", "1st Nationwide Conference OPEN PLACES") in alternate


def test_it_is_about_places_that_work_locally(graph, base_url):
    """'poświęcona nowoczesnym kierunkom rozwoju miejsc działających lokalnie'"""
    texts = {o.language: str(o) for o in graph.objects(iri(base_url, EVENT), SCHEMA.disambiguatingDescription)}
    assert "miejsc działających lokalnie" in texts["pl"]
    assert "places that work locally" in texts["en"]


def test_dates_are_16_and_17_november_2017_without_clock_time(graph, base_url):
    """'Warszawa 16-17 listopada 2017' — no time is known, so dates are xsd:date."""
    event = iri(base_url, EVENT)
    assert graph.value(event, SCHEMA.startDate) == Literal("2017-11-16", datatype=XSD_DATE)
    assert graph.value(event, SCHEMA.endDate) == Literal("2017-11-17", datatype=XSD_DATE)


def test_it_takes_place_in_bialoleka_warsaw(graph, base_url):
    """'warszawskiej dzielnicy Białołęka, na której obszarze odbywać się będzie konferencja'"""
    assert ask(graph, """ASK { ?event schema:location ?place .
        ?place a schema:Place ; schema:containedInPlace ?district .
        ?district schema:name "Białołęka"@pl ; schema:containedInPlace ?city .
        ?city a schema:City ; schema:name "Warszawa"@pl, "Warsaw"@en . }""", event=iri(base_url, EVENT))


def test_venue_address_comes_from_its_cited_source(graph, base_url):
    """FACTS: BOK, ul. Głębocka 66 — with the page that says so as dct:source; no postal code."""
    address = iri(base_url, "place/bok-glebocka-66/address")
    assert graph.value(address, SCHEMA.streetAddress) == Literal("ul. Głębocka 66")
    assert {str(o) for o in graph.objects(address, SCHEMA.addressLocality)} == {"Warszawa", "Warsaw"}
    assert graph.value(address, SCHEMA.postalCode) is None
    assert URIRef("http://akademicka.warszawa.pl/i-ogolnopolska-konferencja-miejsca-otwarte-przestrzen-spotkan-sasiedzkich/") \
        in set(graph.objects(address, DCT.source))


def test_the_city_of_warsaw_invites(graph, base_url):
    """'Miasto Stołeczne Warszawa ma zaszczyt zaprosić'"""
    assert ask(graph, """ASK { ?event schema:contributor ?role .
        ?role dct:type ?type ; schema:roleName "zapraszający"@pl, "inviting party"@en ;
              schema:contributor ?city .
        ?city schema:name "Miasto Stołeczne Warszawa"@pl, "City of Warsaw"@en . }""",
               event=iri(base_url, EVENT), type=iri(base_url, "role/inviting-party"))


def test_organisers_are_cks_of_the_city_hall_and_bok(graph, base_url):
    """'Organizatorami konferencji są: Centrum Komunikacji Społecznej UM st. W. oraz BOK'"""
    organisers = set(graph.objects(iri(base_url, EVENT), SCHEMA.organizer))
    assert organisers == {iri(base_url, "organization/centrum-komunikacji-spolecznej"),
                          iri(base_url, "organization/bialolecki-osrodek-kultury")}
    for organiser in organisers:
        assert names(graph, organiser, "pl") and names(graph, organiser, "en")
    assert ask(graph, """ASK { ?cks schema:parentOrganization ?hall .
        ?hall schema:name "Urząd Miasta Stołecznego Warszawy"@pl ; schema:parentOrganization ?city .
        ?city schema:name "Miasto Stołeczne Warszawa"@pl . }""",
               cks=iri(base_url, "organization/centrum-komunikacji-spolecznej"))


@pytest.mark.parametrize("role, organisation, pl, en", [
    ("content-partner", "warszawa-lokalnie", "partner merytoryczny", "content partner"),
    ("media-patron", "magazyn-miasta", "patron medialny", "media patron"),
    ("media-patron", "warszawa-ngo-pl", "patron medialny", "media patron"),
])
def test_partners_and_patrons_keep_their_role(graph, base_url, role, organisation, pl, en):
    """'Partnerem merytorycznym … jest Warszawa Lokalnie. Patronat medialny: Magazyn Miasta, warszawa.ngo.pl'"""
    assert ask(graph, """ASK { ?event ?property ?role .
        ?role a schema:Role ; dct:type ?type ; schema:roleName ?pl, ?en ; ?property ?org .
        FILTER(?property IN (schema:contributor, schema:sponsor)) }""",
               event=iri(base_url, EVENT), type=iri(base_url, f"role/{role}"),
               org=iri(base_url, f"organization/{organisation}"),
               pl=Literal(pl, lang="pl"), en=Literal(en, lang="en"))


def test_goal_names_the_kinds_of_open_places(graph, base_url):
    """'domy kultury, biblioteki, klubokawiarnie, siedziby organizacji pozarządowych'"""
    texts = {o.language: str(o) for o in graph.objects(iri(base_url, EVENT), SCHEMA.description)}
    for word in ("domach kultury", "bibliotekach", "klubokawiarniach", "organizacji pozarządowych",
                 "sieć miejsc aktywności lokalnej", "wymiana doświadczeń"):
        assert word in texts["pl"], word
    for word in ("culture centres", "libraries", "café-clubs", "non-governmental organisations",
                 "network of local activity places", "exchanges the experience"):
        assert word in texts["en"], word


@pytest.mark.parametrize("part, pl_word, en_word", [
    ("lectures", "Wykłady", "Lectures"),
    ("panels", "Panele eksperckie", "Expert panels"),
    ("local-session", "Sesja lokalna", "Local session"),
])
def test_programme_parts_from_the_seed(graph, base_url, part, pl_word, en_word):
    """'seria wykładów …, panele eksperckie …, sesja lokalna'"""
    node = iri(base_url, f"{EVENT}/{part}")
    assert graph.value(node, SCHEMA.superEvent) == iri(base_url, EVENT)
    assert any(pl_word in n for n in names(graph, node, "pl"))
    assert any(en_word in n for n in names(graph, node, "en"))


def test_local_session_is_about_bialoleka_residents_and_bok(graph, base_url):
    about = set(graph.objects(iri(base_url, f"{EVENT}/local-session"), SCHEMA.about))
    assert about == {iri(base_url, "place/bialoleka"), iri(base_url, "organization/bialolecki-osrodek-kultury")}


@pytest.mark.parametrize("panel, moderator", [("panel-a", "dawid-zmuda"), ("panel-b", "marta-henzler"),
                                             ("discussion", "marta-zakowska")])
def test_sourced_moderators_are_people_with_a_moderator_role(graph, base_url, panel, moderator):
    assert ask(graph, """ASK { ?part schema:contributor ?role .
        ?role dct:type ?type ; schema:contributor ?person . ?person a schema:Person ; dct:source ?src . }""",
               part=iri(base_url, f"{EVENT}/{panel}"), type=iri(base_url, "role/moderator"),
               person=iri(base_url, f"person/{moderator}"))


@pytest.mark.parametrize("day, date", [(1, "2017-11-16"), (2, "2017-11-17")])
def test_broadcast_recordings_of_both_days(graph, base_url, day, date):
    """'ZAPIS TRANSMISJI Z DNIA PIERWSZEGO' / 'ZAPIS TRANSMISJI DNIA DRUGIEGO' — URLs unknown."""
    recording = iri(base_url, f"recording/miejsca-otwarte-2017-day-{day}")
    assert (iri(base_url, EVENT), SCHEMA.recordedIn, recording) in graph
    assert graph.value(recording, SCHEMA.recordedAt) == iri(base_url, EVENT)
    assert str(graph.value(recording, SCHEMA.temporalCoverage)) == date
    assert any("Zapis transmisji" in n for n in names(graph, recording, "pl"))
    assert any("Recording of the broadcast" in n for n in names(graph, recording, "en"))
    assert graph.value(recording, SCHEMA.contentUrl) is None


def test_the_event_was_broadcast_so_attendance_is_mixed(graph, base_url):
    event = iri(base_url, EVENT)
    assert graph.value(event, SCHEMA.eventAttendanceMode) == SCHEMA.MixedEventAttendanceMode
    assert graph.value(event, SCHEMA.eventStatus) == SCHEMA.EventScheduled


def test_venue_is_accessible_to_people_with_reduced_mobility(graph, base_url):
    """'Konferencja odbędzie się w miejscu dostępnym dla osób z niepełnosprawnością ruchową.'"""
    feature = iri(base_url, "place/bok-glebocka-66/step-free-access")
    assert (iri(base_url, "place/bok-glebocka-66"), SCHEMA.amenityFeature, feature) in graph
    assert graph.value(feature, SCHEMA.value) == Literal(True)
    assert names(graph, feature, "pl") and names(graph, feature, "en")


def test_polish_sign_language_interpreter_is_present(graph, base_url):
    """'Podczas spotkania obecny będzie tłumacz Polskiego Języka Migowego.' — BCP 47 'pso'."""
    event = iri(base_url, EVENT)
    assert {str(o) for o in graph.objects(event, SCHEMA.inLanguage)} == {"pl", "pso"}
    feature = iri(base_url, f"{EVENT}/pjm-interpreter")
    assert graph.value(feature, SCHEMA.value) == Literal(True)
    assert graph.value(feature, SCHEMA.validFrom) == Literal("2017-11-16", datatype=XSD_DATE)
    assert "Polish Sign Language" in " ".join(names(graph, feature, "en"))


@pytest.mark.parametrize("feature", ["assistance", "induction-loop"])
def test_assistance_and_induction_loop_on_request_by_10_november(graph, base_url, feature):
    """'Jeśli potrzebują Państwo asysty lub pętli indukcyjnej — … kontakt (do dnia 10 listopada)'"""
    assert ask(graph, """ASK { ?place schema:amenityFeature ?feature .
        ?feature schema:valueReference ?contact .
        ?contact a schema:ContactPoint ; schema:telephone "+48 22 443 01 98" ;
                 schema:email "ext.acirlic@um.warszawa.pl" ;
                 schema:hoursAvailable [ schema:validThrough "2017-11-10"^^<http://www.w3.org/2001/XMLSchema#date> ] . }""",
               feature=iri(base_url, f"{EVENT}/{feature}"))


def test_the_accessibility_contact_belongs_to_the_inviting_city(graph, base_url):
    contact = iri(base_url, f"{EVENT}/accessibility-contact")
    assert (iri(base_url, "organization/miasto-stoleczne-warszawa"), SCHEMA.contactPoint, contact) in graph
    types = {(o.language, str(o)) for o in graph.objects(contact, SCHEMA.contactType)}
    assert {lang for lang, _ in types} == {"pl", "en"}


def test_news_channel_is_the_facebook_page(graph, base_url):
    """'Aktualności: www.facebook.com/miejscaotwarte'"""
    page = URIRef("https://www.facebook.com/miejscaotwarte")
    assert (iri(base_url, EVENT), SCHEMA.subjectOf, page) in graph
    assert names(graph, page, "pl") and names(graph, page, "en")


def test_every_named_resource_has_a_source(graph):
    for subject in set(graph.subjects(SCHEMA.name, None)):
        assert list(graph.objects(subject, DCT.source)), subject


def test_every_translatable_name_exists_in_both_languages(graph):
    for subject in set(graph.subjects(SCHEMA.name, None)):
        if (subject, None, SCHEMA.Person) in graph:
            continue  # a person's name is not translated
        assert names(graph, subject, "pl") and names(graph, subject, "en"), subject


def test_no_unknown_fact_is_invented(graph):
    """FACTS.md 'Not known': no postal code, coordinates, prices, clock times, images or recording URLs."""
    for prop in (SCHEMA.postalCode, SCHEMA.geo, SCHEMA.latitude, SCHEMA.offers, SCHEMA.price,
                 SCHEMA.image, SCHEMA.logo, SCHEMA.contentUrl, SCHEMA.embedUrl, SCHEMA.doorTime):
        assert not list(graph.subject_objects(prop)), prop
    for _, date in graph.subject_objects(SCHEMA.startDate):
        assert date.datatype == XSD_DATE
