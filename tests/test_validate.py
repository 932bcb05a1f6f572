"""`publisher validate`: the data conforms; each broken fact is reported in plain words."""

from __future__ import annotations

import json
from copy import deepcopy

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from publisher.load import LoadedData, load
from publisher.namespaces import DCT, SCHEMA, SKOS
from publisher.validate import validate

from conftest import BASE, ROOT, run_cli

EVENT = URIRef(BASE + "event/miejsca-otwarte-2017")
PLACE = URIRef(BASE + "place/bok-glebocka-66")
ADDRESS = URIRef(BASE + "place/bok-glebocka-66/address")
CONTACT = URIRef(BASE + "event/miejsca-otwarte-2017/accessibility-contact")
PARTNER_ROLE = URIRef(BASE + "event/miejsca-otwarte-2017/role/content-partner")
BOK = URIRef(BASE + "organization/bialolecki-osrodek-kultury")
RECORDING = URIRef(BASE + "recording/miejsca-otwarte-2017-day-1")
STEP_FREE = URIRef(BASE + "place/bok-glebocka-66/step-free-access")
PERSON = URIRef(BASE + "person/dawid-zmuda")
CONCEPT = URIRef(BASE + "role/media-patron")


def drop(node, prop, lang=None):
    def mutate(g: Graph):
        for o in list(g.objects(node, prop)):
            if lang is None or getattr(o, "language", None) == lang:
                g.remove((node, prop, o))
    return mutate


def replace(node, prop, value):
    def mutate(g: Graph):
        g.remove((node, prop, None))
        g.add((node, prop, value))
    return mutate


def add(node, prop, value):
    return lambda g: g.add((node, prop, value))


# (what an editor might break, the mutation, the node reported, the fact reported)
MUTATIONS = [
    ("event start date removed", drop(EVENT, SCHEMA.startDate), EVENT, "schema:startDate"),
    ("start date written as text", replace(EVENT, SCHEMA.startDate, Literal("16 listopada 2017")), EVENT, "schema:startDate"),
    ("end date before start date", replace(EVENT, SCHEMA.endDate, Literal("2017-11-15", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))), EVENT, "schema:startDate"),
    ("Polish name removed", drop(EVENT, SCHEMA.name, "pl"), EVENT, "schema:name"),
    ("English name removed", drop(EVENT, SCHEMA.name, "en"), EVENT, "schema:name"),
    ("second English name", add(EVENT, SCHEMA.name, Literal("Open Places", lang="en")), EVENT, "schema:name"),
    ("Polish description removed", drop(EVENT, SCHEMA.description, "pl"), EVENT, "schema:description"),
    ("English description removed", drop(EVENT, SCHEMA.description, "en"), EVENT, "schema:description"),
    ("location removed", drop(EVENT, SCHEMA.location), EVENT, "schema:location"),
    ("status misspelt", replace(EVENT, SCHEMA.eventStatus, SCHEMA.EventSheduled), EVENT, "schema:eventStatus"),
    ("attendance mode as text", replace(EVENT, SCHEMA.eventAttendanceMode, Literal("mixed")), EVENT, "schema:eventAttendanceMode"),
    ("language as a word", add(EVENT, SCHEMA.inLanguage, Literal("Polski Język Migowy")), EVENT, "schema:inLanguage"),
    ("website as text", replace(EVENT, SCHEMA.url, Literal("miejscaotwarte.pl")), EVENT, "schema:url"),
    ("venue address removed", drop(PLACE, SCHEMA.address), PLACE, "schema:address"),
    ("street removed", drop(ADDRESS, SCHEMA.streetAddress), ADDRESS, "schema:streetAddress"),
    ("locality in English removed", drop(ADDRESS, SCHEMA.addressLocality, "en"), ADDRESS, "schema:addressLocality"),
    ("phone without country code", replace(CONTACT, SCHEMA.telephone, Literal("22 443 01 98")), CONTACT, "schema:telephone"),
    ("e-mail with mailto:", replace(CONTACT, SCHEMA.email, Literal("mailto:ext.acirlic@um.warszawa.pl")), CONTACT, "schema:email"),
    ("contact purpose in Polish removed", drop(CONTACT, SCHEMA.contactType, "pl"), CONTACT, "schema:contactType"),
    ("role name in English removed", drop(PARTNER_ROLE, SCHEMA.roleName, "en"), PARTNER_ROLE, "schema:roleName"),
    ("role concept removed", drop(PARTNER_ROLE, DCT.type), PARTNER_ROLE, "dct:type"),
    ("role without its organisation", drop(PARTNER_ROLE, SCHEMA.contributor), PARTNER_ROLE, "schema:contributor"),
    ("organisation's English name removed", drop(BOK, SCHEMA.name, "en"), BOK, "schema:name"),
    ("source removed", drop(BOK, DCT.source), BOK, "dct:source"),
    ("recording not linked to its event", drop(RECORDING, SCHEMA.recordedAt), RECORDING, "schema:recordedAt"),
    ("recording title in Polish removed", drop(RECORDING, SCHEMA.name, "pl"), RECORDING, "schema:name"),
    ("accessibility value removed", drop(STEP_FREE, SCHEMA.value), STEP_FREE, "schema:value"),
    ("accessibility value as text", replace(STEP_FREE, SCHEMA.value, Literal("tak")), STEP_FREE, "schema:value"),
    ("person description in English removed", drop(PERSON, SCHEMA.description, "en"), PERSON, "schema:description"),
    ("role concept label in Polish removed", drop(CONCEPT, SKOS.prefLabel, "pl"), CONCEPT, "skos:prefLabel"),
]


def relative(node: URIRef) -> str:
    return str(node)[len(BASE):]


def test_the_published_data_conforms(data, shapes):
    report = validate(data, shapes)
    assert report.conforms, report.to_text("en")
    assert report.count("violation") == 0
    # The one recommended fact no source gives: whether the 2023 edition was also broadcast.
    warnings = {(p.node, p.path) for p in report.problems if p.severity == "warning"}
    assert warnings == {("event/miejsca-otwarte-2023", "schema:eventAttendanceMode")}


@pytest.mark.parametrize("what, mutate, node, fact", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_broken_fact_is_reported_by_name(data, shapes, what, mutate, node, fact):
    graph = deepcopy(data.graph)
    mutate(graph)
    broken = LoadedData(graph=graph, files=data.files, base_url=BASE, origins=data.origins)
    report = validate(broken, shapes, lang="en")
    assert not report.conforms
    found = [p for p in report.problems
             if p.severity == "violation" and p.node == relative(node) and p.path == fact]
    assert found, report.to_text("en")
    assert fact in found[0].message or fact.split(":")[1] in found[0].message
    assert found[0].file == "data/event.ttl" and found[0].line  # where to look


def test_a_missing_recommended_fact_is_a_warning_not_a_failure(data, shapes):
    graph = deepcopy(data.graph)
    graph.remove((EVENT, SCHEMA.endDate, None))
    report = validate(LoadedData(graph=graph, files=data.files, base_url=BASE, origins=data.origins), shapes)
    assert report.conforms
    assert [p.path for p in report.problems if p.severity == "warning" and p.node == relative(EVENT)] == ["schema:endDate"]


def test_a_property_that_rdfxml_cannot_write_is_an_error_naming_it(data, shapes):
    # Every document is served in RDF/XML too, where a property is an element name: an IRI
    # ending in "/" has none, and the server would fail on that resource.
    graph = deepcopy(data.graph)
    graph.add((EVENT, URIRef("http://example.org/terms/"), Literal("x")))
    graph.add((PLACE, URIRef("urn:example:note"), Literal("a URN ends in a name: fine")))
    report = validate(LoadedData(graph=graph, files=data.files, base_url=BASE, origins=data.origins), shapes, "en")
    assert not report.conforms
    [problem] = [p for p in report.problems if p.severity == "violation"]
    assert (problem.node, problem.path) == (relative(EVENT), "http://example.org/terms/")
    assert "cannot be written in RDF/XML" in problem.message and problem.file == "data/event.ttl"


# IRIs under the base URL that the app and nginx could not both serve as a resource's own path.
UNSERVABLE = [
    ("organization/dom%20kultury", "percent-escape"),
    ("organization/dom?x=1", "has a query"),
    ("organization/dom/", "ends in a slash"),
    ("en/organization/dom", "serves something else"),  # nginx: the English page of organization/dom
    ("static/dom", "serves something else"),
    ("data/dom", "serves something else"),
    ("dataset/dom", "serves something else"),
    ("sparql", "serves something else"),
    ("dump.ttl", "serves something else"),
    ("", "serves something else"),  # the home page
]


def _with_resource(data, path: str, described: bool = True) -> LoadedData:
    graph = deepcopy(data.graph)
    iri = URIRef(BASE + path)
    if described:
        graph.add((iri, RDF.type, SCHEMA.Organization))
        graph.add((iri, SCHEMA.name, Literal("Dom", lang="pl")))
        graph.add((iri, SCHEMA.name, Literal("House", lang="en")))
        graph.add((iri, DCT.source, URIRef("http://miejscaotwarte.pl/")))
    graph.add((EVENT, SCHEMA.sponsor, iri))
    return LoadedData(graph=graph, files=data.files, base_url=BASE, origins=data.origins)


@pytest.mark.parametrize("path, reason", UNSERVABLE, ids=[p or "base" for p, _ in UNSERVABLE])
def test_an_iri_that_cannot_be_served_as_its_own_path_is_an_error(data, shapes, path, reason):
    report = validate(_with_resource(data, path), shapes, "en")
    assert not report.conforms
    [problem] = [p for p in report.problems if p.severity == "violation"]
    assert problem.node == path and reason in problem.message


def test_an_iri_that_is_the_address_of_another_resources_document_is_an_error(data, shapes):
    # …/x.ttl is the Turtle of …/x: a resource there would be shadowed (the app) or be that file (nginx).
    alone = validate(_with_resource(data, "organization/dom.ttl"), shapes, "en")
    assert alone.conforms  # no organization/dom: the name is free
    clash = validate(_with_resource(data, "place/bok-glebocka-66.html"), shapes, "en")
    [problem] = [p for p in clash.problems if p.severity == "violation"]
    assert problem.node == "place/bok-glebocka-66.html" and "another resource's document" in problem.message


def test_an_unservable_iri_only_linked_to_is_reported_at_the_fact_linking_it(data, shapes):
    report = validate(_with_resource(data, "organization/dom/", described=False), shapes, "pl")
    [problem] = [p for p in report.problems if p.severity == "violation"]
    assert (problem.node, problem.path, problem.value) == (relative(EVENT), "schema:sponsor", "organization/dom/")
    assert "kończy się ukośnikiem" in problem.message and problem.file == "data/event.ttl" and problem.line


@pytest.mark.parametrize("path", ["organization/białołęcki-dom", "organization/a/b/c", "organization/dom.ttl",
                                  "enklawa/dom", "event/x#part"])
def test_iris_both_servers_serve_are_accepted(data, shapes, path):
    # Checked by hand against the app and nginx serving the export (non-ASCII paths included).
    assert validate(_with_resource(data, path), shapes).conforms


# --- the command line, as a city editor runs it -------------------------------------------

def test_cli_passes_on_the_published_data():
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Dane są zgodne" in result.stdout


def _broken_copy(tmp_path, old: str, new: str):
    text = (ROOT / "data" / "event.ttl").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "event.ttl"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_cli_reports_a_broken_fact_with_label_file_and_line_in_polish(tmp_path):
    path = _broken_copy(tmp_path, 'schema:startDate "2017-11-16"^^xsd:date ;', "")
    result = run_cli("validate", str(path))
    assert result.returncode == 1
    assert "BŁĄD" in result.stdout
    assert "„MIEJSCA OTWARTE. Przestrzeń spotkań sąsiedzkich”" in result.stdout
    assert "schema:startDate: Wydarzenie główne musi mieć datę rozpoczęcia" in result.stdout
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if t.startswith("<event/miejsca-otwarte-2017> "))
    assert f"event.ttl:{line}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_names_a_property_that_rdfxml_cannot_write_with_file_and_line(tmp_path):
    path = _broken_copy(tmp_path, 'schema:startDate "2017-11-16"^^xsd:date ;',
                        'schema:startDate "2017-11-16"^^xsd:date ; <http://example.org/terms/> "x" ;')
    result = run_cli("validate", str(path))
    assert result.returncode == 1
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if t.startswith("<event/miejsca-otwarte-2017> "))
    assert f"event.ttl:{line}" in result.stdout
    assert "http://example.org/terms/: Tej właściwości nie da się zapisać w RDF/XML" in result.stdout


def test_cli_report_in_english_and_as_json(tmp_path):
    path = _broken_copy(tmp_path, 'schema:telephone "+48 22 443 01 98" ;', 'schema:telephone "22 443 01 98" ;')
    text = run_cli("validate", "--lang", "en", str(path))
    assert text.returncode == 1
    assert "ERROR" in text.stdout and "international form" in text.stdout
    machine = run_cli("validate", "--format", "json", "--lang", "en", str(path))
    report = json.loads(machine.stdout)
    assert machine.returncode == 1 and report["conforms"] is False
    [problem] = [p for p in report["problems"] if p["severity"] == "violation"]
    assert problem["path"] == "schema:telephone"
    assert problem["node"] == "event/miejsca-otwarte-2017/accessibility-contact"
    assert problem["label"] == "Requests for assistance or an induction loop"
    assert problem["value"] == "22 443 01 98"


def test_cli_names_file_line_and_column_of_a_turtle_syntax_error(tmp_path):
    path = _broken_copy(tmp_path, 'schema:endDate "2017-11-17"^^xsd:date ;', 'schema:endDate "2017-11-17"^^xsd:date')
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if "schema:endDate" in t)
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert f"event.ttl:{line + 1}:" in result.stderr, result.stderr  # the parser stops at the next line
    assert "Turtle syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_unreadable_file_exits_2_in_json_too(tmp_path):
    missing = tmp_path / "nope.ttl"
    result = run_cli("validate", "--format", "json", str(missing))
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["file"] == str(missing)


def test_cli_checks_every_ttl_file_in_a_folder(tmp_path):
    (tmp_path / "a.ttl").write_text((ROOT / "data" / "event.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.ttl").write_text(
        '@prefix schema: <http://schema.org/> .\n<organization/x> a schema:Organization ; schema:name "X"@pl .\n',
        encoding="utf-8")
    result = run_cli("validate", "--lang", "en", str(tmp_path))
    assert result.returncode == 1
    assert "b.ttl:2" in result.stdout and "name in English" in result.stdout


@pytest.mark.slow  # validation in several processes
@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_validating_in_parallel_gives_the_same_report_as_one_process(tmp_path, shapes, engine, monkeypatch):
    """Large data is validated by one thread (SPARQL) or process (pySHACL) a core, each with its
    share of the checks. "Large" starts lower here, so that tens of events take that path."""
    import publisher.validate as validate_module
    from publisher.synth import synthetic_calendar

    monkeypatch.setattr(validate_module, "PARALLEL_FROM", 1_000)
    text = synthetic_calendar(30, seed=2)
    text = text.replace('schema:startDate "', 'schema:startDateX "', 2)  # two events lose their start date
    text = text.replace('"Synthetic event 7:', '"Synthetic event 7 (again)"@en , "Synthetic event 7:', 1)
    path = tmp_path / "city.ttl"
    path.write_text(text, encoding="utf-8")
    data = load([path], BASE)
    assert len(data.graph) >= validate_module.PARALLEL_FROM
    one, several = (validate(data, shapes, "en", processes=n, engine=engine) for n in (1, 2))
    assert several == one
    assert not one.conforms and one.count("violation") == 3
    assert {p.path for p in one.problems if p.severity == "violation"} == {"schema:startDate", "schema:name"}


BIALOLEKA = URIRef(BASE + "place/bialoleka")
BIALOLEKA_GEONAMES = URIRef("https://sws.geonames.org/776103/")


@pytest.mark.parametrize("link", ["https://www.wikidata.org/wiki/Q270", "http://www.wikidata.org/entity/270",
                                  "http://sws.geonames.org/776103/", "https://sws.geonames.org/776103"])
def test_a_malformed_authority_link_is_an_error(data, shapes, link):
    """A sameAs must be the authority's entity IRI exactly: not its web page, not a near miss."""
    graph = deepcopy(data.graph)
    graph.add((BIALOLEKA, SCHEMA.sameAs, URIRef(link)))
    report = validate(LoadedData(graph=graph, files=data.files, base_url=BASE, origins=data.origins), shapes,
                      lang="en")
    assert not report.conforms
    found = [p for p in report.problems if p.severity == "violation" and p.node == link]
    assert found and "Wikidata" in found[0].message, report.to_text("en")


def test_a_language_that_is_not_a_lexvo_iri_is_an_error(data, shapes):
    graph = deepcopy(data.graph)
    graph.add((EVENT, DCT.language, URIRef("http://lexvo.org/id/iso639-1/pl")))
    report = validate(LoadedData(graph=graph, files=data.files, base_url=BASE, origins=data.origins), shapes,
                      lang="en")
    assert [p.node for p in report.problems if p.severity == "violation"] == ["http://lexvo.org/id/iso639-1/pl"]


def test_a_link_without_the_page_it_was_checked_on_is_a_warning(data, shapes):
    """The link stays valid data; the editor is told it names no source."""
    graph = deepcopy(data.graph)
    graph.remove((URIRef(BASE + "place/bialoleka/link/geonames"), DCT.source, None))
    report = validate(LoadedData(graph=graph, files=data.files, base_url=BASE, origins=data.origins), shapes,
                      lang="en")
    assert report.conforms
    found = [p for p in report.problems if p.severity == "warning" and p.node == str(BIALOLEKA_GEONAMES)]
    assert found and "checked against" in found[0].message, report.to_text("en")
