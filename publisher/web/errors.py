"""Errors in the format the client asked for; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, NotAcceptable, NotFound

from publisher.represent import Format
from publisher.represent.errors import NOT_FOUND, error_body, not_acceptable_body
from publisher.web.documents import link_header, negotiate
from publisher.web.state import current_snapshot

log = logging.getLogger("publisher")


def negotiated_error(status: int, title: str, detail: str) -> Response:
    """A small error document in the negotiated format; plain text when none fits."""
    fmt = negotiate()
    lang = "en" if request.path.startswith("/en/") else "pl"
    body = error_body(fmt, status, title, detail, current_snapshot().base_url, lang)
    response = Response(body, status=status, content_type=fmt.content_type if fmt else "text/plain; charset=utf-8")
    response.vary.add("Accept")
    return response


def not_acceptable(alternates: list[tuple[str, Format]] | None = None) -> Response:
    response = Response(not_acceptable_body(), status=406, content_type="text/plain; charset=utf-8")
    if alternates:
        response.headers["Link"] = link_header(alternates)
    response.vary.add("Accept")
    return response


def register(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def not_found(_error):
        return negotiated_error(*NOT_FOUND)

    @app.errorhandler(NotAcceptable)
    def unacceptable(_error):
        return not_acceptable()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = Response(f"{error.code} {error.name}\n", status=error.code or 500,
                            content_type="text/plain; charset=utf-8")
        if getattr(error, "valid_methods", None):  # a 405 names the methods that work (RFC 9110 §15.5.6)
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        # The trace goes to the log, under the request id; the client gets the id only.
        request_id = getattr(g, "request_id", "-")
        log.exception("request %s: unhandled error on %s %s", request_id, request.method, request.path)
        return Response(f"500 Internal Server Error (request id {request_id})\n", status=500,
                        content_type="text/plain; charset=utf-8")
