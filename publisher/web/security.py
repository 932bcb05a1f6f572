"""Security headers (publisher.http_policy) on every response, and a request id that ties an
error to its log line."""

from __future__ import annotations

import uuid

from flask import Flask, g, request

from publisher.http_policy import SECURITY_HEADERS

def request_id(given: str) -> str:
    """A caller's id is kept when it is a plain token (a proxy's), else a fresh one."""
    return given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex


def register(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        g.request_id = request_id(request.headers.get("X-Request-Id", ""))

    @app.after_request
    def secure(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["X-Request-Id"] = getattr(g, "request_id", "-")
        return response
