"""The SPARQL fast path: protocol queries answered by a bare WSGI callable, before Flask.

A GET or POST of one query to /sparql or /{lang}/sparql that asks for results formats (not the
HTML page) passes the same cheap checks as the Flask route, runs as one job in a query worker
(which parses and checks it first), and is written with the same headers. Everything else (the
query page, the service description, malformed requests) goes to Flask, which explains it.
Flask's request handling cost ~0.6 ms of a ~1.5 ms millisecond query (bench/results/REPORT.md):
most of the distance to `oxigraph serve`.

Every SPARQL request (a POST, or a GET or HEAD with a query) holds one of a bounded number of places
for the whole of its handling, taken before a POST body is read: a client that never sends its
body, or a flood of costly queries, can hold at most that share of the server's threads, and
pages keep the rest. Beyond it the answer is 503 with Retry-After, at once.
"""

from __future__ import annotations

import io
import threading
from urllib.parse import parse_qs

from werkzeug.http import http_date

from publisher.addresses import ROUTES
from publisher.etag import etag_of
from publisher.sparql import QueryError, is_graph_form
from publisher.sparql.formats import HTML
from publisher.sparql.guard import precheck
from publisher.web.document_fast_path import every_response_headers, not_modified
from publisher.http_policy import MAX_REQUEST_BODY
from publisher.web.sparql import plain_error, result_format, run_on

BUSY = "The endpoint is answering as many SPARQL requests as it takes at once; try again shortly."


class SparqlFastPath:
    def __init__(self, app, state):
        self.app, self.state = app, state
        self._places = threading.BoundedSemaphore(max(1, state.settings.sparql_requests))

    def _is_endpoint(self, path: str) -> bool:
        """/sparql, or its page in another of the site's languages (/en/sparql)."""
        return path.startswith("/") and self.state.snapshot.site.languages.of_path(path[1:])[1] == ROUTES["sparql"].path

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        # The query string is parsed once, here: twice was a quarter of a repeated query's time.
        given = _query_string(environ) if method in ("GET", "HEAD") else None
        asks = method == "POST" or given is not None and any(given[0].get("query", ()))
        if not asks or not self._is_endpoint(environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)  # not a query: a page, the description, a preflight
        if not self._places.acquire(blocking=False):
            return _plain(start_response, environ, 503, BUSY)
        try:
            return self._answer(environ, start_response, given)
        finally:
            self._places.release()

    def _answer(self, environ, start_response, given):
        params = given[1] if environ["REQUEST_METHOD"] == "GET" else self._parameters(environ)
        query = _single_query(params)
        if query is None:
            return self.app(environ, start_response)
        settings = self.state.snapshot.settings
        try:
            precheck(query, settings.max_query_length)
        except QueryError:  # the route explains it, as a page or as text
            return self.app(environ, start_response)
        solution_fmt, graph_fmt = (result_format(_first(params, "format"), environ.get("HTTP_ACCEPT"), is_graph)
                                   for is_graph in (False, True))
        if HTML in (solution_fmt, graph_fmt):
            return self.app(environ, start_response)
        try:
            answer = run_on(self.state, query, solution_fmt and solution_fmt.key, graph_fmt and graph_fmt.key)
        except QueryError as failed:
            return _plain(start_response, environ, failed.status, failed.message)
        fmt = graph_fmt if is_graph_form(answer.form) else solution_fmt
        body = answer.body
        etag = f'"{etag_of(body)}"'
        headers = [("Content-Type", fmt.content_type), ("ETag", etag), ("Vary", "Accept"),
                   ("Cache-Control", f"public, max-age={settings.max_age}")] + every_response_headers(environ)
        if environ["REQUEST_METHOD"] == "GET":  # as Flask's make_conditional does
            headers.append(("Date", http_date()))
        if not_modified(environ, etag):
            start_response("304 NOT MODIFIED", [h for h in headers if h[0] != "Content-Type"])
            return [b""]
        start_response("200 OK", headers + [("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def _parameters(environ) -> dict[str, list[str]] | None:
        """A POST's (or HEAD's) protocol parameters, or None for anything the Flask route should look at.

        A POST body read here is put back, so the route can read it again."""
        try:
            params = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True, errors="strict")
            media_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            length = int(environ.get("CONTENT_LENGTH") or -1)
            if media_type not in ("application/x-www-form-urlencoded", "application/sparql-query") \
                    or not 0 <= length <= MAX_REQUEST_BODY:  # a larger body is Flask's to refuse
                return None
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            text = body.decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        if media_type == "application/sparql-query":
            return {**params, "query": [text]}
        try:
            return parse_qs(text, keep_blank_values=True, errors="strict")
        except (ValueError, UnicodeDecodeError):
            return None


def _query_string(environ) -> tuple[dict[str, list[str]], dict[str, list[str]] | None]:
    """A GET's parameters as any reader decodes them (bytes that are not UTF-8 replaced), and as
    the protocol reads them: None when they do not decode."""
    text = environ.get("QUERY_STRING", "")
    try:
        strict = parse_qs(text, keep_blank_values=True, errors="strict")
        return strict, strict
    except (ValueError, UnicodeDecodeError):
        return parse_qs(text, keep_blank_values=True), None


def _first(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name)
    return values[0] if values else ""


def _single_query(params: dict[str, list[str]] | None) -> str | None:
    """The one query of a plain protocol request; None when the route must decide (no query,
    several, an update, or a dataset the endpoint does not offer)."""
    if params is None or "update" in params or len(params.get("query", ())) != 1:
        return None
    if _first(params, "default-graph-uri") or _first(params, "named-graph-uri"):
        return None
    return params["query"][0]


def _plain(start_response, environ, status: int, message: str):
    """A failed query (time-out, syntax, too many rows, busy): the route's plain-text error."""
    response = plain_error(status, message)
    response.headers.extend(every_response_headers(environ))
    return response(environ, start_response)
