"""The fast path: documents of resources served by a bare WSGI callable, before Flask.

A GET or HEAD of a resource IRI or of one of its explicit format URLs, without a query string,
is answered from the snapshot's rendered bytes with precomputed headers: a set lookup, a
cached negotiation, no routing. Everything else (pages, SPARQL, errors, paging) goes to Flask.
The headers are the same as the Flask routes send; the dereferencing suite checks both.
"""

from __future__ import annotations

from email.utils import format_datetime

from werkzeug.http import parse_date

from publisher.formats import DOCUMENT_FORMATS
from publisher.web.documents import alternates, format_for, link_header, render, resource_iri
from publisher.web.security import request_id
from publisher.http_policy import CORS_HEADERS, SECURITY_HEADERS

ALWAYS = list(CORS_HEADERS.items()) + list(SECURITY_HEADERS.items())


class FastPath:
    def __init__(self, app, state):
        self.app, self.state = app, state
        self._extensions = {f".{fmt.extension}": fmt for fmt in DOCUMENT_FORMATS}

    def lookup(self, snapshot, path: str) -> tuple | None:
        """(IRI, explicit format or None) for a resource's path; computed, not tabled: a table
        of every path of 100,000 events' resources would hold hundreds of MB in each worker."""
        if not path.startswith("/"):
            return None
        iri = resource_iri(snapshot.urls, path[1:])
        if iri is None:
            return None
        if iri in snapshot.resources:
            return iri, None
        stem, dot, extension = path.rpartition(".")
        fmt = self._extensions.get(dot + extension)
        if fmt is not None and "/" not in extension:
            iri = snapshot.urls.at(stem[1:])
            if iri in snapshot.resources:
                return iri, fmt
        return None

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "HEAD") or environ.get("QUERY_STRING"):
            return self.app(environ, start_response)
        rendering = self.state.rendering
        snapshot = rendering.snapshot
        found = self.lookup(snapshot, environ.get("PATH_INFO", ""))
        if found is None:
            return self.app(environ, start_response)
        iri, fmt = found
        negotiate = fmt is None
        if negotiate:
            fmt = format_for(environ.get("HTTP_ACCEPT", ""))
            if fmt is None:  # the 406, with its list of types, is Flask's to write
                return self.app(environ, start_response)
        rendered = render(rendering, iri, fmt, snapshot.site.default_language)
        etag = f'"{rendered.etag}"'
        urls = snapshot.urls
        headers = [("Content-Type", fmt.content_type), ("ETag", etag),
                   ("Last-Modified", format_datetime(snapshot.modified, usegmt=True)),
                   ("Cache-Control", f"public, max-age={snapshot.settings.max_age}")]
        if negotiate:
            headers.append(("Content-Location", urls.document(iri, fmt)))
        headers.append(("Link", link_header(alternates(snapshot, iri, exclude=fmt))))
        if negotiate:
            headers.append(("Vary", "Accept"))
        headers += every_response_headers(environ)
        if not_modified(environ, etag, snapshot.modified):
            start_response("304 NOT MODIFIED", [h for h in headers if h[0] != "Content-Type"])
            return [b""]
        headers.append(("Content-Length", str(len(rendered.body))))
        start_response("200 OK", headers)
        return [b"" if method == "HEAD" else rendered.body]


def every_response_headers(environ) -> list[tuple[str, str]]:
    """What Flask's after_request adds to every response: CORS, security headers, request id."""
    return ALWAYS + [("X-Request-Id", request_id(environ.get("HTTP_X_REQUEST_ID", "")))]


def not_modified(environ, etag: str, modified=None) -> bool:
    """RFC 9110 §13.1: If-None-Match decides when present; else If-Modified-Since."""
    given = environ.get("HTTP_IF_NONE_MATCH")
    if given is not None:
        tags = [tag.strip().removeprefix("W/") for tag in given.split(",")]
        return "*" in tags or etag in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")  # a date that does not parse never gets here (web.limits)
    if since and modified is not None:
        return parse_date(since) >= modified.replace(microsecond=0)
    return False
