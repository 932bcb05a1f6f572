"""Errors in the format the client asked for; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, NotAcceptable, NotFound

from publisher.formats import Format
from publisher.http_policy import plain_error_body
from publisher.represent.errors import NOT_FOUND, error_body, not_acceptable_body
from publisher.web.documents import link_header, negotiate
from publisher.web.routing import request_language
from publisher.web.state import current_snapshot

log = logging.getLogger("publisher")


def negotiated_error(status: int, title: str, detail: str) -> Response:
    """A small error document in the negotiated format; plain text when none fits."""
    fmt = negotiate()
    body = error_body(fmt, status, title, detail, current_snapshot().urls, request_language())
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
        # The error's own headers stay (a 416's Content-Range, a 405's Allow); the body is text.
        headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
        return Response(plain_error_body(error), status=error.code or 500, headers=headers,
                        content_type="text/plain; charset=utf-8")

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        # The trace goes to the log, under the request id; the client gets the id only.
        request_id = getattr(g, "request_id", "-")
        log.exception("request %s: unhandled error on %s %s", request_id, request.method, request.path)
        return Response(f"500 Internal Server Error (request id {request_id})\n", status=500,
                        content_type="text/plain; charset=utf-8")
