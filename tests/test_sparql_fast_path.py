"""Protocol queries are answered before Flask (publisher.web.sparql_fast_path); what a client gets must
not depend on that: the same status, headers and body as the Flask route gives."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from werkzeug.test import Client

from publisher.web import create_app
from publisher.web.compression import Compression
from publisher.web.sparql_fast_path import SparqlFastPath

SELECT = "PREFIX schema: <http://schema.org/> SELECT ?name WHERE { ?e a schema:Event ; schema:name ?name } ORDER BY ?name"
CONSTRUCT = "PREFIX schema: <http://schema.org/> CONSTRUCT { ?e schema:name ?n } WHERE { ?e schema:name ?n }"
ASK = "ASK { ?s ?p ?o }"
FORM = "application/x-www-form-urlencoded"
JSON = "application/sparql-results+json"

REQUESTS = {
    "GET, JSON results": ("GET", "/sparql", {"query": SELECT}, None, None, {"Accept": JSON}),
    "GET, CSV by format name": ("GET", "/en/sparql", {"query": SELECT, "format": "csv"}, None, None, {}),
    "POST form, XML results": ("POST", "/sparql", {}, urlencode({"query": SELECT}), FORM,
                               {"Accept": "application/sparql-results+xml"}),
    "POST query directly, Turtle": ("POST", "/sparql", {}, CONSTRUCT, "application/sparql-query",
                                    {"Accept": "text/turtle"}),
    "ASK, TSV": ("GET", "/sparql", {"query": ASK}, None, None, {"Accept": "text/tab-separated-values"}),
    "no acceptable format": ("GET", "/sparql", {"query": SELECT}, None, None, {"Accept": "image/png"}),
    "the HTML page, from a POST": ("POST", "/sparql", {}, urlencode({"query": SELECT, "format": "html"}), FORM, {}),
    "syntax error": ("GET", "/sparql", {"query": "SELECT ?x WHERE { ?x"}, None, None, {"Accept": JSON}),
    "an update": ("POST", "/sparql", {}, urlencode({"update": "CLEAR ALL"}), FORM, {}),
    "two queries": ("GET", "/sparql", [("query", ASK), ("query", ASK)], None, None, {}),
    "a named graph": ("GET", "/sparql", {"query": ASK, "named-graph-uri": "http://x/"}, None, None, {}),
    "not UTF-8": ("POST", "/sparql", {}, b"query=%FF%FE", FORM, {}),
    "an unknown body type": ("POST", "/sparql", {}, "query=ASK{}", "text/plain", {}),
}


@pytest.fixture(scope="module")
def clients():
    app = create_app()
    fast = app.wsgi_app.app.app  # inside compression and the request limits (publisher.web)
    assert isinstance(fast, SparqlFastPath)
    # The whole app, and what lies behind the fast path (compressed alike: the same Vary).
    yield Client(app), Client(Compression(fast.app))
    app.extensions["publisher"].close()


def send(client: Client, method, path, args, body, content_type, headers):
    return client.open(path, method=method, query_string=urlencode(args), data=body, content_type=content_type,
                       headers={**headers, "X-Request-Id": "fixed1"})


@pytest.mark.parametrize("name", REQUESTS)
def test_the_fast_path_answers_as_the_flask_route_does(clients, name):
    whole, route = clients
    fast, slow = send(whole, *REQUESTS[name]), send(route, *REQUESTS[name])
    assert (fast.status, fast.get_data()) == (slow.status, slow.get_data())
    assert ("Date" in fast.headers) == ("Date" in slow.headers)  # its value is the time of sending
    assert without_date(fast.headers) == without_date(slow.headers)


def without_date(headers) -> list[tuple[str, str]]:
    return sorted(header for header in headers.items() if header[0] != "Date")


def test_a_result_revalidated_with_its_etag_is_not_sent_again(clients):
    whole, _route = clients
    first = whole.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON})
    again = whole.get("/sparql", query_string={"query": SELECT},
                      headers={"Accept": JSON, "If-None-Match": first.headers["ETag"]})
    assert first.status_code == 200 and again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_failed_query_is_explained_in_plain_text(clients):
    whole, _route = clients
    response = whole.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 100000000"},
                         headers={"Accept": JSON})
    assert response.status_code == 200  # within the row limit: the data is small
    response = whole.get("/sparql", query_string={"query": "SELECT ?x WHERE { FILTER(<nope>(?x)) }"},
                         headers={"Accept": JSON})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert response.headers["Access-Control-Allow-Origin"] == "*" and response.headers["X-Request-Id"]
