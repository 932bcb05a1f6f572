"""What every HTTP answer of the site follows, the app's and the static export's nginx alike:
the security and CORS headers, the request body limit, the paths refused, the plain error
texts, what is compressed.

Neither Flask's nor nginx's: both read it (publisher.web, publisher.export.nginx), so they cannot
drift apart. The Content-Security-Policy allows no inline script or style: the only inline
<script> is the JSON-LD data block, which browsers never execute.
"""

from __future__ import annotations

import re

from werkzeug.exceptions import HTTPException

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
# Types compressed when the client accepts it (publisher.web.compression, and nginx's gzip).
COMPRESSIBLE = ("text/", "application/ld+json", "application/json", "application/n-triples", "application/n-quads",
                "application/rdf+xml", "application/xml", "application/atom+xml", "application/sparql-results",
                "application/trig", "application/javascript", "image/svg+xml")
SMALLEST = 512  # bytes: below this a compressed body is hardly smaller, and costs a round of work

# A dot segment, an empty segment or a NUL byte in the decoded path: no published IRI has one.
# nginx would resolve the dot segments and serve where they lead (or refuse some itself); the
# app and the export both refuse such a path with 400, in the same words (publisher build
# writes them for nginx, whose own 400s say the same).
NOT_A_PATH = re.compile(r"(?:^|/)\.\.?(?:/|$)|//|\x00")
BAD_PATH = ("400 Bad Request: this request cannot name anything here. A path is written as published: "
            "no . or .. segments, no empty segments (//), no NUL bytes.\n")


def plain_error_body(error: HTTPException) -> str:
    """The text of an HTTP error without a document of its own (the export writes nginx's from it)."""
    return f"{error.code} {error.name}\n"
