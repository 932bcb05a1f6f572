"""What the app refuses or repairs before anything reads a request: the outermost WSGI layer.

- Header lines longer than nginx accepts (8 KB each, 32 KB together: its
  large_client_header_buffers 4 8k) get 431, before any header is parsed or cached.
- A date in If-Modified-Since or If-Unmodified-Since that does not parse is treated as absent
  (RFC 9110 §13.1.3); an If-Range that is neither an entity tag nor a date is a validator that
  does not match, so the whole representation is sent. (A date with an absurd zone offset made
  Python's date parser overflow: a 500 on every route.)
- An error that escapes the fast paths (Flask answers its own) is a 500 with the security
  headers and the request id, and its trace goes to the log under that id.

Granian's HTTP layer answers a request line of 64 KB or more (414) and about 0.5 MB of headers
(431) itself, before this code, with no way to add headers: bodiless, they have nothing to
protect.
"""

from __future__ import annotations

import logging
import sys

from werkzeug.http import parse_date

from publisher.web.document_fast_path import every_response_headers
from publisher.web.security import request_id

log = logging.getLogger("publisher")

MAX_HEADER_LINE = 8 * 1024  # bytes of one header line, name and value
MAX_HEADERS = 32 * 1024  # bytes of all header lines together
_DATES = ("HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


def is_http_date(value: str) -> bool:
    """Whether `value` is a date the app's conditional requests can compare (werkzeug parses
    it as they do, and nothing overflows)."""
    try:
        return parse_date(value) is not None
    except (OverflowError, ValueError, TypeError):
        return False


def header_bytes(environ) -> tuple[int, int]:
    """The longest header line and all of them together, in bytes, as the client sent them."""
    longest = total = 0
    for key, value in environ.items():
        if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            line = len(key) - (5 if key.startswith("HTTP_") else 0) + 2 + len(value) + 2  # "Name: value\r\n"
            longest, total = max(longest, line), total + line
    return longest, total


class RequestLimits:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        longest, total = header_bytes(environ)
        # One id for the whole request: the fast paths and Flask all answer with it.
        environ["HTTP_X_REQUEST_ID"] = request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        if longest > MAX_HEADER_LINE or total > MAX_HEADERS:
            return _plain(environ, start_response, "431 Request Header Fields Too Large",
                          f"A header line may have at most {MAX_HEADER_LINE} bytes, and all of them together "
                          f"{MAX_HEADERS}.")
        for name in _DATES:
            if name in environ and not is_http_date(environ[name]):
                del environ[name]
        condition = environ.get("HTTP_IF_RANGE")
        if condition is not None and not condition.strip().startswith(('"', "W/")) and not is_http_date(condition):
            environ.pop("HTTP_RANGE", None)
            del environ["HTTP_IF_RANGE"]
        started = []

        def starting(status, headers, exc_info=None):
            started.append(status)
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, starting)
        except Exception:  # noqa: BLE001 — the client gets the id, the log the trace
            rid = environ["HTTP_X_REQUEST_ID"]
            log.exception("request %s: unhandled error on %s %s", rid, environ.get("REQUEST_METHOD"),
                          environ.get("PATH_INFO"))
            # Once a response has begun, the server must end it (PEP 3333: exc_info re-raises).
            return _plain(environ, start_response, "500 Internal Server Error", f"Request id {rid}.",
                          sys.exc_info() if started else None)


def _plain(environ, start_response, status: str, detail: str, exc_info=None):
    body = f"{status}: {detail}\n".encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(status, headers + every_response_headers(environ), exc_info)
    return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]
