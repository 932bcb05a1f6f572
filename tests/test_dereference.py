"""Every IRI dereferences, with content negotiation, from every way the data is published.

The same tests run against the app (`python -m publisher serve`, as a user runs it), against the
app in front of a remote store (`serve --store`: Oxigraph server and Virtuoso), and against nginx serving
`publisher build`'s export with its generated config. Clients are real:
`requests` for status and headers, `rapper` (Raptor) and rdflib for the bodies.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess

import pytest
import requests
from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from publisher.config import DEFAULT_DATA
from publisher.load import load
from publisher.namespaces import SCHEMA

from conftest import COMUNICA_ACCEPT
from servers import nginx_export
from stores import REMOTE, shared_app_on_store

RDF_TYPES = {
    "text/turtle": ("turtle", "ttl", "turtle"),
    "application/ld+json": ("json-ld", "jsonld", None),
    "application/n-triples": ("nt", "nt", "ntriples"),
    "application/rdf+xml": ("xml", "rdf", "rdfxml"),
    "application/n-quads": ("nquads", "nq", "nquads"),
    "application/trig": ("trig", "trig", "trig"),
}
QUAD_FORMATS = ("nquads", "trig")
VOID = "http://rdfs.org/ns/void#"


@pytest.fixture(scope="module", params=["app", *REMOTE, pytest.param("nginx", marks=pytest.mark.slow)])
def server(request, server):
    """The base URL of a running publication: the app (the session's), the app on a remote store
    (the session's), or nginx."""
    if request.param == "app":
        yield server
    elif request.param.startswith("remote-"):
        yield shared_app_on_store(request, request.param)
    else:
        with nginx_export() as (base, _out):
            yield base


@pytest.fixture(scope="module")
def served_graph(server):
    return load([DEFAULT_DATA], server).graph


def resources(graph: Graph, base: str) -> list[str]:
    nodes = {str(n) for n in set(graph.subjects()) | set(graph.objects()) if isinstance(n, URIRef)}
    return sorted(n for n in nodes if n.startswith(base))


def get(url, accept=None, **kwargs):
    headers = {"Accept": accept} if accept else {}
    headers.update(kwargs.pop("headers", {}))
    return requests.get(url, headers=headers, timeout=30, allow_redirects=False, **kwargs)


def parse(body: bytes, rdflib_format: str, base: str) -> Graph:
    """The statements, whatever graph a format of quads puts them in."""
    if rdflib_format in QUAD_FORMATS:
        graph = Graph()
        for s, p, o, _ in parse_quads(body, rdflib_format, base).quads():
            graph.add((s, p, o))
        return graph
    return Graph().parse(data=body, format=rdflib_format, publicID=base)


def file_datasets(server: str) -> list[URIRef]:
    """The catalog's dataset of each data file (none when the data is served as one file)."""
    catalog = parse(get(server + "catalog", "text/turtle").content, "turtle", server)
    return [d for d in catalog.objects(None, URIRef("http://www.w3.org/ns/dcat#dataset")) if str(d).startswith(server + "dataset/")]


def parse_quads(body: bytes, rdflib_format: str, base: str) -> Dataset:
    return Dataset().parse(data=body, format=rdflib_format, publicID=base)


def rapper_parses(body: bytes, syntax: str, base: str) -> int:
    assert shutil.which("rapper"), "rapper is missing: scripts/test.sh installs Debian's raptor2-utils"
    result = subprocess.run(["rapper", "-q", "-i", syntax, "-o", "ntriples", "-", base],
                            input=body, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    return len([line for line in result.stdout.splitlines() if line.strip()])


@pytest.mark.slow  # rapper on every document
def test_every_iri_in_every_rdf_format_parses_with_rapper_and_rdflib_to_one_graph(server, served_graph):
    iris = resources(served_graph, server)
    assert len(iris) > 40
    for iri in iris:
        graphs = {}
        for media_type, (rdflib_format, extension, rapper_syntax) in RDF_TYPES.items():
            response = get(iri, media_type)
            assert response.status_code == 200, (iri, media_type)
            assert response.headers["Content-Type"] == f"{media_type}; charset=utf-8"
            assert response.headers["Content-Location"] == f"{iri}.{extension}"
            graphs[media_type] = parse(response.content, rdflib_format, iri)
            assert len(graphs[media_type]) > 0
            if rapper_syntax:
                assert rapper_parses(response.content, rapper_syntax, iri) == len(graphs[media_type])
        reference = graphs["text/turtle"]
        for media_type, graph in graphs.items():
            assert isomorphic(reference, graph), (iri, media_type)


def test_every_iri_has_an_html_page(server, served_graph):
    for iri in resources(served_graph, server):
        response = get(iri, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        assert response.status_code == 200, iri
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert b"<!doctype html>" in response.content[:50]


def test_a_page_links_every_rdf_document_of_its_resource(server):
    iri = server + "place/bok-glebocka-66"
    page = get(iri, "text/html").text
    for media_type, (_, extension, _) in RDF_TYPES.items():
        assert f'<a href="{iri}.{extension}" type="{media_type}">' in page, media_type


def test_explicit_format_urls_serve_the_same_bytes_without_negotiating(server):
    iri = server + "event/miejsca-otwarte-2017"
    for media_type, (_, extension, _) in RDF_TYPES.items():
        negotiated = get(iri, media_type)
        explicit = get(f"{iri}.{extension}", "text/html")  # Accept is ignored on a format URL
        assert explicit.status_code == 200
        assert explicit.headers["Content-Type"].startswith(media_type)
        assert explicit.content == negotiated.content
        assert "Accept" not in [name.strip() for name in explicit.headers.get("Vary", "").split(",")]
    assert get(f"{iri}.html").headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("accept, expected", [
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("application/rdf+xml, text/turtle;q=0.99", "application/rdf+xml"),
    ("application/n-triples;q=0.1, text/turtle;q=0.2", "text/turtle"),
    ("application/json", "application/ld+json"),
    ("text/turtle;q=0, */*;q=0.1", "text/html"),
    ("application/*", "application/ld+json"),
    ("*/*", "text/html"),
    ("text/*;q=0.3, text/turtle;q=0.4, text/html;q=0.2", "text/turtle"),
    ("TEXT/Turtle", "text/turtle"),
    (None, "text/html"),
])
def test_q_values_choose_the_representation(server, accept, expected):
    response = get(server + "organization/warszawa-lokalnie", accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("accept, media_type, rdflib_format", [
    (COMUNICA_ACCEPT, "application/n-quads", "nquads"),
    ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,*/*;q=0.1", "application/n-quads", "nquads"),
    ("application/trig, application/ld+json;q=0.9", "application/trig", "trig")])
def test_a_quad_aware_client_gets_each_statement_in_the_graph_of_its_data_files_dataset(server, accept, media_type,
                                                                                        rdflib_format):
    """Comunica and other quad-aware clients ask for N-Quads first and TriG second: each statement
    is in the graph named by the catalog's dataset of the data file that describes its subject,
    and the statements are those of the N-Triples document."""
    iri = server + "place/bok-glebocka-66"
    response = get(iri, accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{media_type}; charset=utf-8"
    quads = parse_quads(response.content, rdflib_format, iri)
    graphs = {graph for *_, graph in quads.quads()}
    if not file_datasets(server):  # served from one copy of the data (a remote store): one graph
        assert graphs == {DATASET_DEFAULT_GRAPH_ID}
    else:
        assert graphs <= set(file_datasets(server)) and DATASET_DEFAULT_GRAPH_ID not in graphs
        assert {graph for *_, graph in quads.quads((URIRef(iri), None, None))} == {URIRef(server + "dataset/event")}
    assert isomorphic(parse(response.content, rdflib_format, iri), parse(get(iri + ".nt").content, "nt", iri))


def test_unsupported_accept_gets_406_listing_the_available_types(server):
    response = get(server + "event/miejsca-otwarte-2017", "image/png, application/pdf;q=0.5")
    assert response.status_code == 406
    for media_type in ["text/html", "text/turtle", "application/ld+json", "application/n-triples",
                       "application/rdf+xml", "application/n-quads"]:
        assert media_type in response.text
    assert 'rel="alternate"' in response.headers["Link"]


@pytest.mark.parametrize("accept, content_type, check", [
    ("text/turtle", "text/turtle", lambda r: parse(r.content, "turtle", "http://x/") is not None),
    ("application/ld+json", "application/ld+json", lambda r: json.loads(r.content)["@graph"] == []),
    ("application/n-triples", "application/n-triples", lambda r: len(parse(r.content, "nt", "http://x/")) == 0),
    ("application/rdf+xml", "application/rdf+xml", lambda r: len(parse(r.content, "xml", "http://x/")) == 0),
    ("application/n-quads", "application/n-quads", lambda r: len(parse(r.content, "nquads", "http://x/")) == 0),
    ("text/html", "text/html", lambda r: b"<h1>" in r.content),
])
def test_unknown_iri_is_404_in_the_negotiated_format(server, accept, content_type, check):
    response = get(server + "event/no-such-event", accept)
    assert response.status_code == 404
    assert response.headers["Content-Type"].split(";")[0] == content_type
    assert check(response)


def test_etag_and_last_modified_give_304(server):
    iri = server + "place/bok-glebocka-66"
    identity = {"Accept-Encoding": "identity"}
    first = get(iri, "text/turtle", headers=identity)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and get(iri, "text/turtle", headers=identity).headers["ETag"] == etag
    # Compressed, the same tag made weak (the bytes differ, the meaning does not).
    assert get(iri, "text/turtle", headers={"Accept-Encoding": "gzip"}).headers["ETag"] == "W/" + etag
    assert get(iri, "text/turtle", headers={"If-None-Match": etag}).status_code == 304
    assert get(iri, "application/ld+json", headers={"If-None-Match": etag}).status_code == 200
    last_modified = first.headers["Last-Modified"]
    assert get(iri, "text/turtle", headers={"If-Modified-Since": last_modified}).status_code == 304
    assert "max-age=" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]


def test_head_gives_the_headers_of_get_without_a_body(server):
    iri = server + "event/miejsca-otwarte-2017"
    # Uncompressed: the app answers HEAD so whatever is accepted (publisher.web.compression);
    # nginx would compress it like the GET and leave out Content-Length.
    got = get(iri, "application/n-triples", headers={"Accept-Encoding": "identity"})
    head = requests.head(iri, headers={"Accept": "application/n-triples", "Accept-Encoding": "identity"}, timeout=30)
    assert head.status_code == 200 and head.content == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Link", "Vary", "Content-Location"):
        assert head.headers[name] == got.headers[name], name


def test_link_header_names_every_other_format_and_cors_is_open(server):
    response = get(server + "event/miejsca-otwarte-2017", "text/turtle")
    link = response.headers["Link"]
    for media_type, (_, extension, _) in list(RDF_TYPES.items())[1:]:
        assert f'<{server}event/miejsca-otwarte-2017.{extension}>; rel="alternate"; type="{media_type}"' in link
    assert 'type="text/html"' in link and 'type="text/turtle"' not in link
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_document_holds_labels_of_what_it_links_to_and_links_pointing_at_it(server):
    event = URIRef(server + "event/miejsca-otwarte-2017")
    partner = URIRef(server + "organization/warszawa-lokalnie")
    person = URIRef(server + "person/marta-zakowska")
    doc = parse(get(str(event), "text/turtle").content, "turtle", server)
    for organiser in doc.objects(event, SCHEMA.organizer):
        assert {o.language for o in doc.objects(organiser, SCHEMA.name)} == {"pl", "en"}
    # Roles are inlined, so the content partner is known from the event's own document.
    assert (None, SCHEMA.contributor, partner) in doc
    assert Literal("Warszawa Lokalnie", lang="pl") in set(doc.objects(partner, SCHEMA.name))
    # A person's document says which events link to them, with those events' names.
    person_doc = parse(get(str(person), "text/turtle").content, "turtle", server)
    assert (event, SCHEMA.performer, person) in person_doc
    assert {o.language for o in person_doc.objects(event, SCHEMA.name)} == {"pl", "en"}


def test_a_document_holds_its_parts_in_full(server):
    """What exists only as part of a resource (IRI under its path) is in its document: a client
    reads the venue's street address from the venue's own document, and the contact point's
    request deadline (a part of a part) from the contact point's."""
    place = URIRef(server + "place/bok-glebocka-66")
    doc = parse(get(str(place), "text/turtle").content, "turtle", server)
    address = doc.value(place, SCHEMA.address)
    assert address == URIRef(server + "place/bok-glebocka-66/address")
    assert doc.value(address, SCHEMA.streetAddress) == Literal("ul. Głębocka 66")
    assert doc.value(address, SCHEMA.addressCountry) == Literal("PL")
    step_free = URIRef(server + "place/bok-glebocka-66/step-free-access")
    assert doc.value(step_free, SCHEMA.value) == Literal(True)
    contact = URIRef(server + "event/miejsca-otwarte-2017/accessibility-contact")
    contact_doc = parse(get(str(contact), "text/turtle").content, "turtle", server)
    hours = contact_doc.value(contact, SCHEMA.hoursAvailable)
    assert str(contact_doc.value(hours, SCHEMA.validThrough)) == "2017-11-10"
    # A part is not a resource of its owner's: the organisation a role names keeps its own document.
    event_doc = parse(get(server + "event/miejsca-otwarte-2017", "text/turtle").content, "turtle", server)
    assert not list(event_doc.objects(URIRef(server + "organization/warszawa-lokalnie"), SCHEMA.url))


def test_jsonld_is_compact_with_an_inline_context_and_round_trips(server):
    response = get(server + "event/miejsca-otwarte-2017", "application/ld+json")
    document = json.loads(response.content)
    assert isinstance(document["@context"], dict)  # nothing to fetch at parse time
    event = next(n for n in document["@graph"] if n["@id"].endswith("/event/miejsca-otwarte-2017"))
    assert event["name"] == {"pl": "MIEJSCA OTWARTE. Przestrzeń spotkań sąsiedzkich",
                             "en": "OPEN PLACES. A space for neighbourhood encounters"}
    assert event["startDate"] == "2017-11-16" and event["@type"] == "Event"
    turtle = parse(get(server + "event/miejsca-otwarte-2017", "text/turtle").content, "turtle", server)
    assert isomorphic(parse(response.content, "json-ld", server), turtle)


def test_void_describes_the_dataset_at_the_well_known_address(server, served_graph):
    response = get(server + ".well-known/void", "text/turtle")
    assert response.status_code == 200 and "Accept" in response.headers["Vary"]
    void = parse(response.content, "turtle", server)
    dataset = URIRef(server + "dataset")
    v = lambda name: URIRef(VOID + name)  # noqa: E731
    assert (dataset, RDF.type, v("Dataset")) in void
    assert int(void.value(dataset, v("triples"))) == len(served_graph)
    assert int(void.value(dataset, v("entities"))) > 30
    assert str(void.value(dataset, v("uriSpace"))) == server
    assert void.value(dataset, v("exampleResource")) == URIRef(server + "event/miejsca-otwarte-2017")
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/modified")) is not None
    assert {o.language for o in void.objects(dataset, URIRef("http://purl.org/dc/terms/title"))} == {"pl", "en"}
    partitions = {void.value(p, v("class")) for p in void.objects(dataset, v("classPartition"))}
    assert SCHEMA.Event in partitions and SCHEMA.Organization in partitions
    properties = {void.value(p, v("property")) for p in void.objects(dataset, v("propertyPartition"))}
    assert SCHEMA.name in properties
    dumps = set(void.objects(dataset, v("dataDump")))
    assert len(dumps) == 10
    assert {server + "dump.nq", server + "dump.nq.gz", server + "dump.trig", server + "dump.trig.gz"} <= set(map(str, dumps))
    assert {URIRef("http://www.w3.org/ns/formats/N-Quads"), URIRef("http://www.w3.org/ns/formats/TriG")} <= set(
        void.objects(dataset, v("feature")))
    for dump in dumps:
        assert get(str(dump)).status_code == 200
    # The dataset IRI itself dereferences to the same description.
    assert isomorphic(parse(get(str(dataset), "text/turtle").content, "turtle", server), void)


def test_void_states_each_linkset_to_an_authority_counted_from_the_data(server, served_graph):
    """The LOD cloud's criteria: the dataset description names each set of outbound links, its
    link predicate, the authority's dataset and how many links there are."""
    void = parse(get(server + ".well-known/void", "text/turtle").content, "turtle", server)
    dataset = URIRef(server + "dataset")
    v = lambda name: URIRef(VOID + name)  # noqa: E731
    linksets = {void.value(linkset, v("objectsTarget")): linkset for linkset in void.objects(dataset, v("subset"))}
    assert set(linksets) == {URIRef("https://www.geonames.org/"), URIRef("http://lexvo.org/")}
    for target, linkset in linksets.items():
        assert (linkset, RDF.type, v("Linkset")) in void
        assert void.value(linkset, v("subjectsTarget")) == dataset
        assert (target, RDF.type, v("Dataset")) in void and void.value(target, v("uriSpace")) is not None
        predicate = void.value(linkset, v("linkPredicate"))
        space = str(void.value(target, v("uriSpace")))
        counted = [o for o in served_graph.objects(None, predicate) if str(o).startswith(space)]
        assert int(void.value(linkset, v("triples"))) == len(counted) > 0
    assert void.value(linksets[URIRef("https://www.geonames.org/")], v("linkPredicate")) == SCHEMA.sameAs


@pytest.mark.parametrize("name, rdflib_format", [("dump.ttl", "turtle"), ("dump.nt", "nt"), ("dump.jsonld", "json-ld"),
                                                 ("dump.nq", "nquads"), ("dump.trig", "trig")])
def test_dumps_hold_the_whole_graph_plain_and_gzipped(server, served_graph, name, rdflib_format):
    plain = get(server + name, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert int(plain.headers["Content-Length"]) == len(plain.content)
    assert plain.headers["ETag"]
    assert isomorphic(parse(plain.content, rdflib_format, server), served_graph)
    packed = get(server + name + ".gz", headers={"Accept-Encoding": "identity"})
    assert packed.headers["Content-Type"] == "application/gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert get(server + name, headers={"If-None-Match": plain.headers["ETag"],
                                       "Accept-Encoding": "identity"}).status_code == 304


@pytest.mark.parametrize("name, rdflib_format", [("dump.nq", "nquads"), ("dump.trig", "trig")])
def test_each_graph_of_the_quad_dumps_is_a_data_files_dataset_and_its_download(server, name, rdflib_format):
    """A quad-aware client reads the whole dump (rdflib as the quad parser, rapper as another):
    each named graph is a dataset of the catalog, holding exactly what that dataset's own
    download (data/{file}.nt) holds."""
    body = get(server + name).content
    dump = parse_quads(body, rdflib_format, server)
    graphs = {graph for *_, graph in dump.quads()}
    assert graphs == (set(file_datasets(server)) or {DATASET_DEFAULT_GRAPH_ID})
    for graph in graphs - {DATASET_DEFAULT_GRAPH_ID}:
        download = str(graph).replace(server + "dataset/", server + "data/") + ".nt"
        assert isomorphic(dump.graph(graph), parse(get(download).content, "nt", server)), graph
    assert rapper_parses(body, rdflib_format, server) == len(dump)


def test_the_host_header_never_changes_the_iris(server):
    response = get(server + "event/miejsca-otwarte-2017", "text/turtle", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert b"evil.example" not in response.content
    assert response.headers["Content-Location"].startswith(server)


def test_home_page_is_html_and_data_clients_are_sent_to_the_dataset(server):
    assert get(server, "text/html").status_code == 200
    assert get(server + "en/", "text/html").status_code == 200
    redirect = get(server, "text/turtle")
    assert redirect.status_code == 303 and redirect.headers["Location"] == server + "dataset"
    assert get(server + "en").status_code == 301


SECURITY = {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"}


@pytest.mark.parametrize("path, accept", [("", "text/html"), ("event/miejsca-otwarte-2017", "text/turtle"),
                                          ("event/no-such-thing", "text/html"), ("event/miejsca-otwarte-2017", "image/png"),
                                          ("dump.ttl", None), ("static/style.css", None)])
def test_every_response_carries_the_security_headers(server, path, accept):
    response = get(server + path, accept)
    assert {h.lower() for h in SECURITY} <= {h.lower() for h in response.headers}, (path, response.status_code)
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
