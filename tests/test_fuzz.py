"""Whatever a client sends, the app gives the answer HTTP prescribes for that kind of request —
404 for an unknown path, 405 for a method it does not offer, 406 when no acceptable type exists,
400 for a text that is not a query, 415 for a body it cannot read — and never a 5xx.

Property-based (hypothesis) on the app itself (Flask's test client: the same code the server
runs, fast enough for hundreds of examples); the size limits are also checked against the real server.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote, unquote

import pyoxigraph
import pytest
import requests
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from publisher.web import create_app
from publisher.web.limits import MAX_HEADER_LINE
from publisher.http_policy import NOT_A_PATH

APP = create_app()
CLIENT = APP.test_client()
RESOURCES = ["event/miejsca-otwarte-2017", "place/bok-glebocka-66", "role/content-partner", "dataset", "catalog"]
KNOWN = ["", "en/", *RESOURCES, "event/miejsca-otwarte-2017.ttl", "sparql", "en/sparql", ".well-known/void",
         "dump.nt", "sitemap.xml", "robots.txt", "event.ics", "static/style.css", "openapi.json", "changes.atom"]
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]
# The types a document is offered in, by the media type a client names (application/json and
# application/xml are the usual aliases of JSON-LD and RDF/XML).
DOCUMENT_TYPES = {"text/html": "text/html", "text/turtle": "text/turtle", "application/ld+json": "application/ld+json",
                  "application/json": "application/ld+json", "application/n-triples": "application/n-triples",
                  "application/rdf+xml": "application/rdf+xml", "application/xml": "application/rdf+xml",
                  "application/n-quads": "application/n-quads"}
EXTENSIONS = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
              "nt": "application/n-triples", "rdf": "application/rdf+xml", "nq": "application/n-quads"}
# What a SELECT query's results are offered in.
SOLUTION_TYPES = {"application/sparql-results+json": "application/sparql-results+json",
                  "application/json": "application/sparql-results+json",
                  "application/sparql-results+xml": "application/sparql-results+xml",
                  "text/csv": "text/csv", "text/tab-separated-values": "text/tab-separated-values",
                  "text/html": "text/html"}
NEITHER = ["image/png", "application/pdf", "text/calendar", "video/*", "application/x-unknown"]
Q = st.sampled_from([None, "1", "0.8", "0.5", "0.001", "0", "0.000"])


def accept_lists(offered: dict[str, str]):
    """Accept headers naming exact types, some offered and some not, with or without q."""
    return st.lists(st.tuples(st.sampled_from(sorted(offered) + NEITHER), Q), min_size=1, max_size=5)


def header(parts) -> str:
    return ", ".join(media + ("" if q is None else f";q={q}") for media, q in parts)


def acceptable(parts, offered: dict[str, str]) -> dict[str, float]:
    """RFC 9110 §12.5.1 for exact types: each offered type's highest q; q=0 rules it out."""
    quality: dict[str, float] = {}
    for media, q in parts:
        if media in offered:
            served = offered[media]
            quality[served] = max(quality.get(served, 0.0), 1.0 if q is None else float(q))
    return {media: q for media, q in quality.items() if q > 0}


def media_type(response) -> str:
    return response.headers["Content-Type"].split(";")[0]


ANY_ACCEPT = st.one_of(
    accept_lists(DOCUMENT_TYPES).map(header),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200),  # what HTTP allows
)
PATH = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
QUERY = st.dictionaries(st.sampled_from(["page", "query", "format", "example", "update", "default-graph-uri", "x"]),
                        st.text(max_size=60), max_size=3)
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def url(path: str) -> str:
    return "/" + quote(path.lstrip("/"), safe="/.~-_")  # as a real client sends it


@pytest.fixture(scope="module")
def workers():
    """The query workers start in the background: a busy answer (503) before then is no finding."""
    deadline = time.monotonic() + 120
    while CLIENT.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "text/csv"}).status_code == 503:
        assert time.monotonic() < deadline, "the query workers did not start in 120 s"
        time.sleep(0.5)


def assert_sane(response) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data()[:300])
    assert response.headers.get("Content-Type")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


@settings(FUZZ, max_examples=300)
@given(path=st.one_of(st.sampled_from(KNOWN), PATH), accept=ANY_ACCEPT, query=QUERY, method=st.sampled_from(METHODS))
def test_no_request_gets_a_server_error(workers, path, accept, query, method):
    assert_sane(CLIENT.open(url(path), method=method, headers={"Accept": accept}, query_string=query))


@FUZZ
@given(path=PATH, lang=st.sampled_from(["", "en/"]), accept=ANY_ACCEPT, query=QUERY,
       method=st.sampled_from(["GET", "HEAD"]))
def test_an_unknown_path_is_404_whatever_the_accept_and_query(path, lang, accept, query, method):
    assume(not NOT_A_PATH.search(unquote(url(f"{lang}no-such-thing/{path}"))))  # 400: tests/security/test_paths.py
    response = CLIENT.open(url(f"{lang}no-such-thing/{path}"), method=method, headers={"Accept": accept},
                           query_string=query)
    assert response.status_code == 404
    assert_sane(response)


@FUZZ
@given(path=st.sampled_from(KNOWN + [f"{r}.{e}" for r in RESOURCES for e in EXTENSIONS]),
       method=st.sampled_from(["POST", "PUT", "DELETE", "PATCH"]))
def test_a_method_the_address_does_not_offer_is_405_naming_those_it_does(path, method):
    endpoint = url(path) in ("/sparql", "/en/sparql")
    assume(not (method == "POST" and endpoint))  # the endpoint takes POST
    response = CLIENT.open(url(path), method=method)
    assert response.status_code == 405
    assert_sane(response)
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert {"GET", "HEAD"} | ({"POST"} if endpoint else set()) <= allowed, response.headers.get("Allow")


@FUZZ
@given(path=st.sampled_from(KNOWN), accept=ANY_ACCEPT, query=QUERY)
def test_head_is_answered_as_get_without_the_body(workers, path, accept, query):
    get, head = (CLIENT.open(url(path), method=method, headers={"Accept": accept}, query_string=query)
                 for method in ("GET", "HEAD"))
    assert (head.status_code, head.headers.get("Content-Type")) == (get.status_code, get.headers.get("Content-Type"))
    assert head.get_data() == b""


@FUZZ
@given(path=st.sampled_from(KNOWN))
def test_options_is_answered_as_a_cors_preflight(path):
    response = CLIENT.options(url(path))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


@FUZZ
@given(path=st.sampled_from(RESOURCES), parts=accept_lists(DOCUMENT_TYPES), method=st.sampled_from(["GET", "HEAD"]))
def test_a_resource_is_served_in_the_type_the_client_prefers_or_406(path, parts, method):
    response = CLIENT.open(url(path), method=method, headers={"Accept": header(parts)})
    wanted = acceptable(parts, DOCUMENT_TYPES)
    assert_sane(response)
    if not wanted:
        assert response.status_code == 406
        assert 'rel="alternate"' in response.headers["Link"]  # where the offered types are
    else:
        assert response.status_code == 200
        assert wanted.get(media_type(response)) == max(wanted.values()), (media_type(response), wanted)


@FUZZ
@given(path=st.sampled_from(RESOURCES), accept=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)
                                                        .filter(lambda c: c != "/"), max_size=200))
def test_an_accept_header_naming_no_media_type_is_ignored(path, accept):
    response = CLIENT.get(url(path), headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, "text/html")


@FUZZ
@given(path=st.sampled_from(RESOURCES), extension=st.sampled_from(sorted(EXTENSIONS)), accept=ANY_ACCEPT)
def test_a_document_url_with_a_format_extension_ignores_accept(path, extension, accept):
    response = CLIENT.get(url(f"{path}.{extension}"), headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, EXTENSIONS[extension])


@FUZZ
@given(path=st.sampled_from(RESOURCES[:3]), page=st.text(max_size=8))
def test_page_names_an_existing_page_or_is_404(path, page):
    response = CLIENT.get(url(path), query_string={"page": page})
    first = page.isascii() and page.isdigit() and int(page) == 1  # these documents have one page
    assert response.status_code == (200 if first else 404), page
    assert_sane(response)


NOT_READ_ONLY = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH|SERVICE)\b", re.I)
EMPTY = pyoxigraph.Store()


def is_query(text: str) -> bool:
    try:
        EMPTY.query(text)
        return True
    except SyntaxError:
        return False


@FUZZ
@given(text=st.one_of(st.text(max_size=300), st.text(max_size=100).map(lambda t: "SELECT * WHERE { " + t)),
       parts=accept_lists(SOLUTION_TYPES).filter(lambda p: acceptable(p, SOLUTION_TYPES)))
def test_a_text_that_is_not_a_sparql_query_is_400(workers, text, parts):
    assume(not NOT_READ_ONLY.search(text) and not is_query(text))
    accept = {"Accept": header(parts)}
    for response in (CLIENT.get("/sparql", query_string={"query": text}, headers=accept),
                     CLIENT.post("/sparql", data=text.encode("utf-8", "surrogatepass"),
                                 headers={**accept, "Content-Type": "application/sparql-query"})):
        assert response.status_code == 400, (text, response.get_data()[:300])
        assert_sane(response)


@FUZZ
@given(parts=accept_lists(SOLUTION_TYPES), method=st.sampled_from(["GET", "POST"]))
def test_a_query_is_answered_in_the_type_the_client_prefers_or_406(workers, parts, method):
    query = "SELECT ?s WHERE { ?s a <http://schema.org/Event> } LIMIT 2"
    response = (CLIENT.get("/sparql", query_string={"query": query}, headers={"Accept": header(parts)})
                if method == "GET" else CLIENT.post("/sparql", data={"query": query}, headers={"Accept": header(parts)}))
    wanted = acceptable(parts, SOLUTION_TYPES)
    assert_sane(response)
    if not wanted:
        assert response.status_code == 406
    else:
        assert response.status_code == 200
        assert wanted.get(media_type(response)) == max(wanted.values()), (media_type(response), wanted)


@FUZZ
@given(content_type=st.sampled_from(["text/plain", "application/json", "multipart/form-data; boundary=x",
                                     "application/octet-stream", ""]), body=st.binary(max_size=200))
def test_a_query_posted_in_another_content_type_is_415(content_type, body):
    response = CLIENT.post("/sparql", data=body, headers={"Content-Type": content_type} if content_type else {})
    assert response.status_code == 415
    assert_sane(response)


@pytest.mark.parametrize("request_args", [
    {"method": "POST", "data": "INSERT DATA { <a:b> <a:c> <a:d> }", "content_type": "application/sparql-update"},
    {"method": "POST", "data": {"update": "CLEAR ALL"}},
    {"method": "GET", "query_string": {"query": "ASK {}", "update": ""}},
    {"method": "GET", "query_string": {"query": "DROP ALL"}},
], ids=["update-body", "update-form", "update-parameter", "update-as-query"])
def test_an_update_is_refused_403_as_the_endpoint_is_read_only(request_args):
    assert CLIENT.open("/sparql", **request_args).status_code == 403


@settings(max_examples=50, deadline=None)
@given(size=st.integers(min_value=1, max_value=200_000), name=st.sampled_from(["X-Padding", "Accept", "User-Agent"]))
def test_a_header_line_longer_than_nginx_accepts_is_431(size, name):
    """As nginx (8 KB a header line): the app refuses a longer one before reading it. (The test
    client sends cookies from its own jar, so Cookie is tried on the real server below.)"""
    response = CLIENT.get("/", headers={name: "a" * size})
    line = len(name) + 2 + size + 2  # "Name: value\r\n"
    assert response.status_code == (200 if line <= MAX_HEADER_LINE else 431)
    assert_sane(response)


def test_request_body_and_url_limits_on_the_real_server(server):
    big_body = requests.post(server + "sparql", data=b"query=" + b"x" * (2 * 1024 * 1024),
                             headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert big_body.status_code == 413
    long_query = requests.get(server + "sparql", params={"query": "SELECT * {?s ?p ?o} #" + "x" * 30_000}, timeout=30)
    assert long_query.status_code == 413
    # The app refuses a header line over 8 KB; Granian, before it, one of about half a MB.
    assert requests.get(server, headers={"X-Padding": "a" * 7_000}, timeout=30).status_code == 200
    assert requests.get(server, headers={"Cookie": "a" * 100_000}, timeout=30).status_code == 431
    assert requests.get(server, headers={"X-Padding": "a" * 2_000_000}, timeout=30).status_code == 431
    assert requests.get(server, timeout=30).status_code == 200  # and the server is still there


@pytest.mark.slow  # hundreds of generated requests over HTTP
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
