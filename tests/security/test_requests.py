"""Requests: limits and malformed input. Sent as an attacker sends them (raw bytes where a client
library would tidy the request); each gets a clear answer, with the security headers, and the
server keeps serving."""

from __future__ import annotations

import io
import logging
import socket
import subprocess
import sys

import pytest
from werkzeug.test import Client

from conftest import ROOT
from publisher.negotiate import CACHE_SIZE, CACHED_HEADER_LENGTH
from publisher.web import create_app
from publisher.web.documents import format_for
from publisher.web.limits import RequestLimits
from publisher.http_policy import SECURITY_HEADERS
from publisher.web.sparql import result_format
from publisher.web.wsgi import OneRecordALine
from servers import free_port, publisher_server

OVERFLOWING_DATE = "Mon, 01 Jan 2024 00:00:00 +99999999999999999999"
EVENT = "/event/miejsca-otwarte-2017"


@pytest.fixture(scope="module")
def server(server):
    """The session's server (conftest), its base URL without the final slash."""
    return server.rstrip("/")


def send(base: str, target: str, *headers: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request, byte for byte as given; the status, headers (lower-case names) and body."""
    host, port = base.removeprefix("http://").split(":")
    request = "\r\n".join([f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", *headers, "Connection: close", "", ""])
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        connection.sendall(request.encode("latin-1"))
        answer = b""
        while chunk := connection.recv(1 << 16):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    return int(status_line.split()[1]), {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}, body


def assert_secured(headers: dict[str, str]) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, name
    assert headers.get("x-request-id", "").isalnum()


ROUTES = ["/", "/en/", EVENT, f"{EVENT}.ttl", f"/en{EVENT}", "/dump.nt", "/sitemap.xml", "/catalog",
          "/changes.atom", "/sparql", "/sparql?query=ASK%7B%7D&format=json"]


@pytest.mark.parametrize("path", ROUTES)
def test_an_unparsable_conditional_date_is_ignored(server, path):
    for header in ("If-Modified-Since", "If-Unmodified-Since"):
        status, headers, body = send(server, path, f"{header}: {OVERFLOWING_DATE}")
        assert status == 200 and body, (header, status)
        assert_secured(headers)


def test_an_unparsable_if_range_sends_the_whole_representation(server):
    status, headers, body = send(server, "/dump.nt", "Range: bytes=0-9", f"If-Range: {OVERFLOWING_DATE}")
    whole = send(server, "/dump.nt")[2]
    assert status == 200 and body == whole and len(body) > 10
    assert_secured(headers)


@pytest.mark.parametrize("path", [EVENT, "/catalog", "/changes.atom"])
def test_a_page_number_of_5000_digits_is_not_found(server, path):
    status, headers, _ = send(server, f"{path}?page={'9' * 5000}")
    assert status == 404
    assert_secured(headers)


@pytest.mark.parametrize("path", ["/sparql", "/en/sparql", "/sparql?query=ASK%7B%7D&format=csv", "/", EVENT])
def test_head_answers_as_get_without_a_body(server, path):
    got_status, got, _ = send(server, path)
    status, headers, body = send(server, path, method="HEAD")
    assert (status, headers["content-type"]) == (got_status, got["content-type"]) and got_status == 200
    assert body == b""
    assert_secured(headers)


@pytest.mark.parametrize("headers", [
    [f"Accept: {'text/html,' * 40_000}"],  # 400 KB
    [f"Accept: {'a' * 8200}"],  # one line over 8 KB
    [f"X-Filler-{n}: {'a' * 7000}" for n in range(5)],  # each line fits, together over 32 KB
], ids=["400 KB Accept", "9 KB line", "35 KB of 7 KB lines"])
def test_oversized_headers_get_431_before_anything_reads_them(server, headers):
    status, answer, body = send(server, EVENT, *headers)
    assert status == 431 and b"at most 8192 bytes" in body
    assert_secured(answer)
    assert send(server, EVENT, f"Accept: text/turtle,{'x/y,' * 1700}")[0] == 200  # 7 KB: within the limit


def test_granian_answers_a_request_line_of_64_kb_itself_and_the_server_keeps_serving(server):
    """Before any of our code runs (docs/security.md): a bodiless 414."""
    status, _, body = send(server, "/" + "a" * 65_535)
    assert status == 414 and body == b""
    assert send(server, EVENT)[0] == 200


def test_an_error_in_a_fast_path_is_a_500_with_the_security_headers_and_the_request_id(caplog):
    app = create_app()
    rendering = app.extensions["publisher"].rendering

    def broken(*_args):
        raise RuntimeError("injected failure")

    rendering.document = broken  # the fast path renders Turtle straight from the snapshot's rendering
    with caplog.at_level(logging.ERROR, logger="publisher"):
        response = app.test_client().get(f"{EVENT}.ttl", headers={"X-Request-Id": "abc123"})
    assert response.status_code == 500 and response.headers["X-Request-Id"] == "abc123"
    assert response.get_data(as_text=True) == "500 Internal Server Error: Request id abc123.\n"
    assert_secured({name.lower(): value for name, value in response.headers.items()})
    assert "request abc123" in caplog.text and "injected failure" in caplog.text


def test_request_data_cannot_forge_a_log_line():
    """A path with %0a (and %0d) reaches the log inside its record (here: an error injected
    behind the outermost layer, which logs the path): every line after the first is indented,
    control characters are escaped."""

    def failing(_environ, _start_response):
        raise RuntimeError("injected failure")

    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(OneRecordALine("[%(levelname)s] publisher: %(message)s"))
    logger = logging.getLogger("publisher")
    logger.addHandler(handler)
    try:
        response = Client(RequestLimits(failing)).get("/x%0a[ERROR] publisher: forged%0d[INFO] publisher: hidden")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 500
    lines = written.getvalue().splitlines()
    assert "[ERROR] publisher: forged" in written.getvalue() and "\\x0d[INFO]" in written.getvalue()
    starts = [line for line in lines if line.startswith("[")]
    assert len(starts) == 1 and starts[0].startswith("[ERROR] publisher: request ")
    assert not any("\r" in line for line in lines)


def test_the_negotiation_caches_never_keep_a_long_header():
    """1,000 distinct 7 KB Accept headers leave both caches as they were; short ones fill them
    up to CACHE_SIZE entries, so their keys hold at most CACHE_SIZE × CACHED_HEADER_LENGTH bytes."""
    for cache in (format_for, result_format):
        cache.cache_clear()
    for n in range(1000):
        accept = f"text/turtle;q=0.{n % 9 + 1},{'x/y,' * 1750}z/{n}"
        assert len(accept) > 7000
        assert format_for(accept).media_type == "text/turtle"
        assert result_format("", accept, True) is not None
    assert format_for.cache_info().currsize == 0 and result_format.cache_info().currsize == 0
    for n in range(CACHE_SIZE + 500):
        format_for(f"text/x-{n}, text/turtle")
    assert format_for.cache_info().currsize == CACHE_SIZE
    assert len(f"text/x-{CACHE_SIZE + 500}, text/turtle") <= CACHED_HEADER_LENGTH


def test_serve_refuses_a_port_another_server_listens_on():
    port = free_port()
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        result = subprocess.run([sys.executable, "-m", "publisher", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"Not serving: 127.0.0.1:{port} is already in use" in result.stderr and "Traceback" not in result.stderr


def test_a_second_serve_on_the_same_port_refuses_to_start(server):
    port = int(server.rsplit(":", 1)[1])
    result = subprocess.run([sys.executable, "-m", "publisher", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "is already in use" in result.stderr
    assert send(server, EVENT)[0] == 200


@pytest.mark.slow  # a real serve of its own
def test_a_path_no_iri_can_have_is_404_and_writes_nothing_of_the_client_into_the_server_log(tmp_path):
    """rdflib warns about every invalid IRI it is given, in the client's words: such a path is
    answered (404) without making an IRI of it, so a real server's log gets no forged line."""
    log = tmp_path / "serve.log"
    with publisher_server("--workers", "1", log=log) as base:
        for target in ("/x%0a[CRITICAL]%20publisher:%20forged", "/x%0d%0a[CRITICAL]%20publisher:%20forged",
                       "/organization/dom%20kultury", "/x%3Cy%3E.ttl", "/en/x%0a[CRITICAL]%20forged"):
            status, headers, _body = send(base.rstrip("/"), target)
            assert status == 404 and headers["x-content-type-options"] == "nosniff", target
        assert send(base.rstrip("/"), EVENT)[0] == 200
    written = log.read_text(encoding="utf-8", errors="replace")
    assert "forged" not in written and "does not look like a valid URI" not in written, written[-2000:]
