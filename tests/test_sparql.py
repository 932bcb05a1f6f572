"""The SPARQL 1.1 endpoint, used through SPARQLWrapper and plain HTTP against the real server.

Every test runs on the embedded engine (Oxigraph in killable worker processes) and with the app
in front of each real remote store (`serve --store`): Oxigraph server and Virtuoso.
"""

from __future__ import annotations

import contextlib
import csv
import io
import threading
import time
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML
from SPARQLWrapper import SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from publisher.config import DEFAULT_DATA
from publisher.load import load
from publisher.sparql.examples import examples

from servers import free_port, publisher_server
from stores import REMOTE, remote_store, served

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
TRIPLES = len(load([DEFAULT_DATA], "http://127.0.0.1/").graph)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.fixture(scope="module", params=["embedded", *REMOTE])
def server(request, server):
    with served(request, server) as base:
        yield base


def wrapper(server: str, query: str, fmt, method=GET, request_method=URLENCODED) -> SPARQLWrapper:
    client = SPARQLWrapper(server + "sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    client.setTimeout(30)
    return client


def count(server: str) -> int:
    result = wrapper(server, COUNT_ALL, JSON).queryAndConvert()
    return int(result["results"]["bindings"][0]["n"]["value"])


METHODS = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]
METHOD_IDS = ["GET", "POST-form", "POST-direct"]


@pytest.mark.parametrize("method, request_method", METHODS, ids=METHOD_IDS)
def test_select_in_every_result_format_by_every_method(server, graph, method, request_method):
    query = "PREFIX schema: <http://schema.org/> SELECT ?e ?name WHERE { ?e a schema:Event ; schema:name ?name } ORDER BY ?e ?name"
    expected = {(str(row.e), str(row.name)) for row in load([DEFAULT_DATA], server).graph.query(query)}
    as_json = wrapper(server, query, JSON, method, request_method).queryAndConvert()
    assert {(b["e"]["value"], b["name"]["value"]) for b in as_json["results"]["bindings"]} == expected
    langs = {b["name"].get("xml:lang") for b in as_json["results"]["bindings"]}
    assert langs == {"pl", "en"}
    as_xml = wrapper(server, query, XML, method, request_method).queryAndConvert()
    names = {node.firstChild.nodeValue for node in as_xml.getElementsByTagName("literal")}
    assert names == {name for _, name in expected}
    as_csv = wrapper(server, query, CSV, method, request_method).queryAndConvert()
    rows = list(csv.reader(io.StringIO(as_csv.decode("utf-8"))))
    assert rows[0] == ["e", "name"] and {tuple(r) for r in rows[1:]} == expected
    as_tsv = wrapper(server, query, TSV, method, request_method).queryAndConvert().decode("utf-8").splitlines()
    assert as_tsv[0] == "?e\t?name" and len(as_tsv) == len(expected) + 1
    assert all(line.startswith("<") and '"@' in line for line in as_tsv[1:])


@pytest.mark.parametrize("method, request_method", METHODS, ids=METHOD_IDS)
def test_ask_answers_true_and_false(server, method, request_method):
    yes = 'PREFIX schema: <http://schema.org/> ASK { ?e schema:inLanguage "pso" }'
    no = 'PREFIX schema: <http://schema.org/> ASK { ?e schema:offers ?price }'
    assert wrapper(server, yes, JSON, method, request_method).queryAndConvert()["boolean"] is True
    assert wrapper(server, no, JSON, method, request_method).queryAndConvert()["boolean"] is False
    xml = wrapper(server, yes, XML, method, request_method).queryAndConvert()
    assert xml.getElementsByTagName("boolean")[0].firstChild.nodeValue == "true"


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD], ids=["turtle", "n3", "rdfxml", "jsonld"])
@pytest.mark.parametrize("method, request_method", METHODS, ids=METHOD_IDS)
def test_construct_and_describe_in_every_rdf_format(server, fmt, method, request_method):
    query = ("PREFIX schema: <http://schema.org/> CONSTRUCT { ?e schema:name ?n } "
             "WHERE { ?e a schema:Event ; schema:name ?n }")
    result = wrapper(server, query, fmt, method, request_method).queryAndConvert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="json-ld" if fmt == JSONLD else "turtle")
    expected = Graph()
    for triple in load([DEFAULT_DATA], server).graph.query(query):
        expected.add(triple)
    assert isomorphic(graph, expected)
    event = URIRef(server + "event/miejsca-otwarte-2017")
    described = wrapper(server, f"DESCRIBE <{event}>", TURTLE, method, request_method).queryAndConvert()
    described = described if isinstance(described, Graph) else Graph().parse(data=described, format="turtle")
    assert (event, URIRef("http://schema.org/startDate"), None) in described


def test_ntriples_and_negotiation_by_accept_or_format_parameter(server):
    query = "CONSTRUCT WHERE { ?s <http://schema.org/telephone> ?o }"
    nt = requests.get(server + "sparql", params={"query": query}, headers={"Accept": "application/n-triples"}, timeout=30)
    assert nt.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    assert '"+48 22 443 01 98"' in nt.text
    by_param = requests.get(server + "sparql", params={"query": COUNT_ALL, "format": "csv"}, timeout=30)
    assert by_param.headers["Content-Type"] == "text/csv; charset=utf-8" and by_param.text.startswith("n\r\n")
    plain_json = requests.get(server + "sparql", params={"query": COUNT_ALL}, headers={"Accept": "application/json"}, timeout=30)
    assert plain_json.headers["Content-Type"].startswith("application/sparql-results+json")
    refused = requests.get(server + "sparql", params={"query": COUNT_ALL}, headers={"Accept": "image/png"}, timeout=30)
    assert refused.status_code == 406 and "text/csv" in refused.text
    assert "Accept" in plain_json.headers["Vary"] and plain_json.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.key)
def test_example_queries_give_the_same_results_as_rdflib(server, example):
    data = load([DEFAULT_DATA], server).graph
    if "CONSTRUCT" in example.text:
        ours = Graph().parse(data=requests.get(server + "sparql", params={"query": example.text},
                                               headers={"Accept": "text/turtle"}, timeout=30).text, format="turtle")
        theirs = Graph()
        for triple in data.query(example.text):
            theirs.add(triple)
        assert isomorphic(ours, theirs) and len(ours) > 0
        return
    result = wrapper(server, example.text, JSON).queryAndConvert()
    variables = result["head"]["vars"]
    ours = sorted(tuple(b.get(v, {}).get("value") for v in variables) for b in result["results"]["bindings"])
    theirs = sorted(tuple(None if row[v] is None else str(row[v]) for v in variables) for row in data.query(example.text))
    assert ours == theirs and len(ours) > 0


@pytest.mark.parametrize("query, status, words", [
    ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", 403, "read-only"),
    ("DELETE WHERE { ?s ?p ?o }", 403, "read-only"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", 403, "read-only"),
    ("PREFIX x: <http://x/> CLEAR ALL", 403, "read-only"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 403, "SERVICE"),
    ("SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 403, "SERVICE"),
])
def test_updates_load_and_service_are_refused_before_execution_and_nothing_changes(server, query, status, words):
    before = count(server)
    for send in (lambda: requests.get(server + "sparql", params={"query": query}, timeout=30),
                 lambda: requests.post(server + "sparql", data={"query": query}, timeout=30),
                 lambda: requests.post(server + "sparql", data={"update": query}, timeout=30),
                 lambda: requests.post(server + "sparql", data=query.encode(), timeout=30,
                                       headers={"Content-Type": "application/sparql-update"})):
        response = send()
        assert 400 <= response.status_code < 500
        assert response.status_code in (status, 403)
        assert words in response.text or "read-only" in response.text
    assert count(server) == before


def test_sparqlwrapper_update_is_refused(server):
    client = SPARQLWrapper(server + "sparql")
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")
    with pytest.raises(HTTPError) as refused:
        client.query()
    assert refused.value.code == 403 and b"read-only" in refused.value.read()


def test_syntax_error_is_400_with_the_parsers_message_and_position(server):
    response = requests.get(server + "sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30)
    assert response.status_code == 400
    assert "syntax error" in response.text and "1:" in response.text
    with pytest.raises(QueryBadFormed):
        wrapper(server, "SELECT * WHERE {", JSON).query()


def test_too_many_rows_is_a_clear_error(server):
    response = requests.get(server + "sparql", params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"}, timeout=30)
    assert response.status_code == 400
    assert "more than 10000 rows" in response.text and "LIMIT" in response.text


@pytest.mark.parametrize("key", ["json", "xml", "csv", "tsv"])
def test_the_row_limit_is_exact_in_every_result_format(key):
    import pyoxigraph as ox

    from publisher.sparql.results import TooManyResults, write_solutions

    # Three rows, one of them a literal with a newline (one row, not two, in the count).
    query = 'SELECT ?x WHERE { VALUES ?x { 1 "two\\nlines"@en <http://example.org/three> } }'
    store = ox.Store()
    body = write_solutions(store.query(query), key, max_rows=3, max_bytes=1 << 20)
    assert b"two" in body and b"three" in body
    with pytest.raises(TooManyResults, match="more than 2 rows"):
        write_solutions(store.query(query), key, max_rows=2, max_bytes=1 << 20)


@pytest.mark.parametrize("key", ["json", "xml", "csv", "tsv"])
def test_the_byte_limit_is_exact_in_every_result_format(key):
    import pyoxigraph as ox

    from publisher.sparql.results import TooLarge, write_solutions

    query = 'SELECT ?x WHERE { VALUES ?x { 1 "two\\nlines"@en <http://example.org/three> } }'
    store = ox.Store()
    body = write_solutions(store.query(query), key, max_rows=3, max_bytes=1 << 20)
    assert write_solutions(store.query(query), key, max_rows=3, max_bytes=len(body)) == body
    with pytest.raises(TooLarge, match=f"larger than {len(body) - 1} bytes"):
        write_solutions(store.query(query), key, max_rows=3, max_bytes=len(body) - 1)


def test_graph_parameters_are_refused_clearly(server):
    response = requests.get(server + "sparql", params={"query": COUNT_ALL, "default-graph-uri": "http://x/g"}, timeout=30)
    assert response.status_code == 400 and "default-graph-uri" in response.text


@pytest.mark.parametrize("media_type, parser", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                                ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")])
def test_service_description_announces_formats_dataset_and_limits(server, media_type, parser):
    # Its limits are URNs (no standard terms): RDF/XML must still name them.
    response = requests.get(server + "sparql", headers={"Accept": media_type}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(media_type)
    description = Graph().parse(data=response.content, format=parser)
    endpoint = URIRef(server + "sparql")
    assert (endpoint, URIRef(SD + "endpoint"), endpoint) in description
    assert (endpoint, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in description
    formats = {str(f) for f in description.objects(endpoint, URIRef(SD + "resultFormat"))}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats and len(formats) == 8
    assert float(description.value(endpoint, URIRef("urn:publisher:limits:executionTimeSeconds"))) == 10.0
    assert int(description.value(endpoint, URIRef("urn:publisher:limits:maxResultRows"))) == 10000
    assert int(description.value(endpoint, URIRef("urn:publisher:limits:maxResultBytes"))) == 16 * 1024 * 1024
    assert description.value(endpoint, URIRef(SD + "defaultDataset")) is not None
    void = Graph().parse(data=requests.get(server + ".well-known/void", headers={"Accept": "text/turtle"}, timeout=30).text,
                         format="turtle")
    assert (URIRef(server + "dataset"), URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), endpoint) in void


def test_cors_preflight_allows_posting_queries(server):
    response = requests.options(server + "sparql", headers={"Origin": "http://example.org",
                                                            "Access-Control-Request-Method": "POST",
                                                            "Access-Control-Request-Headers": "content-type"}, timeout=30)
    assert response.status_code == 200
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_query_page_works_without_javascript_and_shows_an_accessible_table(server):
    page = requests.get(server + "sparql", headers={"Accept": "text/html"}, timeout=30).text
    assert '<form method="get"' in page and '<textarea id="query" name="query"' in page
    assert '<label for="query">' in page
    for item in examples():
        assert item.title("pl") in page
    run_link = server + "sparql?" + urlencode({"query": examples()[1].text})
    assert run_link.replace("&", "&amp;") in page
    result = requests.get(run_link, headers={"Accept": "text/html"}, timeout=30).text
    assert '<th scope="col">role</th>' in result and "Warszawa Lokalnie" in result
    assert "<caption>9 wierszy</caption>" in result
    edit = requests.get(server + "sparql?example=accessibility", headers={"Accept": "text/html"}, timeout=30).text
    assert "schema:amenityFeature" in edit
    english = requests.get(server + "en/sparql", timeout=30).text
    assert '<html lang="en">' in english and "Example queries" in english


def test_the_query_page_shows_the_beginning_of_a_large_result_and_the_formats_have_all_of_it(server):
    """The page is rendered in the serving process: it shows 500 rows, says so, and points to
    the formats, which carry every row."""
    query = "SELECT ?a ?b WHERE { ?a a ?x . ?b a ?y } LIMIT 1000"
    page = requests.get(server + "sparql", params={"query": query}, headers={"Accept": "text/html"}, timeout=30).text
    assert page.count("<tr><td>") == 500
    assert "<caption>1000 wierszy — tutaj pierwsze 500</caption>" in page
    assert "Ta strona pokazuje początek wyniku." in page
    csv = requests.get(server + "sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30).text
    assert len(csv.strip().splitlines()) == 1000 + 1  # the header, then every row


# (where, our time limit, the store's own): on a remote store, whichever is shorter stops it. Not
# Oxigraph server's: its --timeout-s did not stop this query within 20 s (docs/deployment.md).
RUNAWAYS = [("embedded", 3, None), ("remote-oxigraph", 3, 3), ("remote-virtuoso", 3, 30), ("remote-virtuoso", 8, 2)]


@pytest.mark.slow  # waits out the query time limit on a server of its own
@pytest.mark.parametrize("engine, ours, theirs", RUNAWAYS,
                         ids=lambda value: str(value) if not isinstance(value, int) else f"{value}s")
def test_runaway_query_is_stopped_at_its_limit_while_small_queries_answer(engine, ours, theirs):
    port = free_port()
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(remote_store(engine.removeprefix("remote-"), timeout_s=theirs)) if theirs else None
        base = stack.enter_context(publisher_server("--query-timeout", str(ours), "--workers", "1",
                                                    *(store.args if store else ()), port=port,
                                                    env=store.env if store else None))
        count(base)  # workers are up
        outcome = {}

        def runaway():
            started = time.monotonic()
            response = requests.get(base + "sparql", params={"query": RUNAWAY}, timeout=60)
            outcome.update(status=response.status_code, text=response.text, seconds=time.monotonic() - started)

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.5)
        small = []
        while thread.is_alive():
            started = time.monotonic()
            assert count(base) == TRIPLES
            page = requests.get(base + "event/miejsca-otwarte-2017", headers={"Accept": "text/turtle"}, timeout=30)
            assert page.status_code == 200
            small.append(time.monotonic() - started)
            time.sleep(0.2)
        thread.join()
        limit = ours if engine != "remote-virtuoso" else min(ours, theirs)
        assert outcome["status"] == 503, outcome
        assert (f"time limit of {ours} s" if limit == ours else "the store's own time limit") in outcome["text"]
        assert outcome["seconds"] < limit + 5
        assert small and max(small) < 1.0, small
        # The stopped worker was replaced: the endpoint still answers.
        assert count(base) == TRIPLES
