"""Errors in the format the client asked for; never a stack trace."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, NotAcceptable, NotFound

from publisher.i18n import N_
from publisher.negotiate import choose
from publisher.represent import ALIASES, FORMATS, HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, Format
from publisher.represent.html import render_error_page
from publisher.web.documents import available_types, link_header
from publisher.web.state import current_snapshot

log = logging.getLogger("publisher")


def negotiated_error(status: int, title: str, detail: str) -> Response:
    """A small error document in the negotiated format; plain text when none fits."""
    fmt = next((f for f in FORMATS if f.media_type == choose(request.headers.get("Accept"),
                                                               available_types(), ALIASES)), None)
    return Response(_error_body(fmt, status, title, detail),
                    status=status, content_type=fmt.content_type if fmt else "text/plain; charset=utf-8")


def _error_body(fmt: Format | None, status: int, title: str, detail: str) -> bytes:
    if fmt is HTML:
        snapshot = current_snapshot()
        lang = "en" if request.path.startswith("/en/") else "pl"
        return render_error_page(snapshot.base_url, lang, status, title, detail)
    comment = f"{status} {title}: {detail}".replace("\n", " ")
    if fmt in (TURTLE, NTRIPLES):
        return f"# {comment}\n".encode("utf-8")
    if fmt is RDFXML:
        safe = comment.replace("--", "- -")
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {safe} -->\n'
                f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n').encode("utf-8")
    if fmt is JSONLD:
        return json.dumps({"@graph": [], "error": {"status": status, "title": title, "detail": detail}},
                          ensure_ascii=False).encode("utf-8")
    return f"{comment}\n".encode("utf-8")


def not_acceptable(alternates: list[tuple[str, Format]] | None = None) -> Response:
    types = ", ".join(available_types() + list(ALIASES))
    response = Response(f"406 Not Acceptable: this resource is available as {types}.\n",
                        status=406, content_type="text/plain; charset=utf-8")
    if alternates:
        response.headers["Link"] = link_header(alternates)
    response.vary.add("Accept")
    return response


def register(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def not_found(_error):
        return negotiated_error(404, N_("Not found"), N_("There is no resource with this address in the dataset."))

    @app.errorhandler(NotAcceptable)
    def unacceptable(_error):
        return not_acceptable()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return Response(f"{error.code} {error.name}\n", status=error.code or 500,
                        content_type="text/plain; charset=utf-8")

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return Response("500 Internal Server Error\n", status=500, content_type="text/plain; charset=utf-8")
