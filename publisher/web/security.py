"""Security headers on every response, and a request id that ties an error to its log line.

The Content-Security-Policy allows no inline script or style: the only inline <script> is the
JSON-LD data block, which browsers never execute. The same headers are written into the nginx
config of the static export.
"""

from __future__ import annotations

import uuid

from flask import Flask, g, request

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
# The data is public and read-only: any origin may read it (CORS).
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Link, Content-Location, Last-Modified, Vary",
}
MAX_REQUEST_BODY = 1024 * 1024  # bytes; a larger body is refused with 413


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
