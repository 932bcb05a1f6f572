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


def register(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        # A caller's id is kept when it is a plain token (a proxy's), else a fresh one.
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex

    @app.after_request
    def secure(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["X-Request-Id"] = getattr(g, "request_id", "-")
        return response
