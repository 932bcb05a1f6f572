"""Whatever a client sends, the app answers with a valid response or a 4xx — never a 5xx.

Property-based (hypothesis) over Accept headers, paths, query strings, methods and header
sizes, on the app itself (Flask's test client: the same code the server runs, fast enough for
hundreds of examples); the size limits are also checked against the real server.
"""

from __future__ import annotations

from urllib.parse import quote

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.web import create_app

APP = create_app()
CLIENT = APP.test_client()
KNOWN = ["", "en/", "event/miejsca-otwarte-2017", "event/miejsca-otwarte-2017.ttl", "place/bok-glebocka-66",
         "sparql", "en/sparql", "dataset", "catalog", ".well-known/void", "dump.nt", "sitemap.xml", "robots.txt",
         "event.ics", "role/content-partner", "static/style.css"]
MEDIA = st.sampled_from(["text/html", "text/turtle", "application/ld+json", "application/json", "*/*", "text/*",
                         "image/png", "application/rdf+xml", "application/n-triples", "application/sparql-results+json",
                         "text/csv", "", "*/turtle", ";;", "x"])
ACCEPT = st.one_of(
    st.lists(st.tuples(MEDIA, st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5))),
             max_size=6).map(lambda parts: ", ".join(m + ("" if q is None else f";q={q}") for m, q in parts))
    .filter(lambda value: value.isascii() and value.isprintable()),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200),  # what HTTP allows
)
PATH = st.one_of(st.sampled_from(KNOWN),
                 st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
QUERY = st.dictionaries(st.sampled_from(["page", "query", "format", "example", "update", "default-graph-uri", "x"]),
                        st.text(max_size=60), max_size=3)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_sane(response) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data()[:300])
    assert response.headers.get("Content-Type")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


@FUZZ
@given(path=PATH, accept=ACCEPT, query=QUERY, method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]))
def test_no_request_gets_a_server_error(path, accept, query, method):
    path = "/" + quote(path.lstrip("/"), safe="/.~-_")  # as a real client sends it
    response = CLIENT.open(path, method=method, headers={"Accept": accept}, query_string=query)
    assert_sane(response)


@FUZZ
@given(query=st.text(max_size=300), accept=ACCEPT)
def test_no_sparql_text_gets_a_server_error(query, accept):
    for response in (CLIENT.get("/sparql", query_string={"query": query}, headers={"Accept": accept}),
                     CLIENT.post("/sparql", data=query.encode("utf-8", "surrogatepass"),
                                 headers={"Content-Type": "application/sparql-query", "Accept": accept})):
        assert_sane(response)


@settings(max_examples=50, deadline=None)
@given(size=st.integers(min_value=1, max_value=200_000), name=st.sampled_from(["X-Padding", "Accept", "Cookie"]))
def test_large_headers_are_answered_not_crashed(size, name):
    assert_sane(CLIENT.get("/", headers={name: "a" * size}))


def test_request_body_and_url_limits_on_the_real_server(server):
    big_body = requests.post(server + "sparql", data=b"query=" + b"x" * (2 * 1024 * 1024),
                             headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert big_body.status_code == 413
    long_query = requests.get(server + "sparql", params={"query": "SELECT * {?s ?p ?o} #" + "x" * 30_000}, timeout=30)
    assert 400 <= long_query.status_code < 500
    huge_header = requests.get(server, headers={"X-Padding": "a" * 100_000}, timeout=30)
    assert 400 <= huge_header.status_code < 500 or huge_header.status_code == 200
    assert requests.get(server, timeout=30).status_code == 200  # and the server is still there


def test_schemathesis_finds_no_server_error_from_the_openapi_description(server):
    import subprocess
    import sys
    from pathlib import Path

    spec = requests.get(server + "openapi.json", timeout=30).json()
    assert spec["openapi"].startswith("3.1") and "/sparql" in spec["paths"]
    schemathesis = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run([str(schemathesis), "run", server + "openapi.json", "--checks", "not_a_server_error",
                             "--max-examples", "25", "--request-timeout", "30", "--generation-deterministic"],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:]
