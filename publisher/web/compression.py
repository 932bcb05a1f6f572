"""gzip or Brotli for text responses, when the client asks (Accept-Encoding, RFC 9110 §12.5.3).

WSGI middleware around the whole app, fast paths included. The body is compressed as it is
produced, chunk by chunk, so a large streamed response (a dump, a big SPARQL result) is never
held whole in memory. A compressed response's ETag is weak (W/"…"), as nginx makes it: the
bytes differ from the uncompressed ones, the meaning does not, and If-None-Match compares
weakly, so revalidation still ends in 304. Every compressible response says
`Vary: Accept-Encoding`, compressed or not, so a shared cache keeps the two apart.
"""

from __future__ import annotations

import zlib

try:  # Brotli is optional: without it, gzip alone
    import brotli
except ImportError:  # pragma: no cover - the package is a dependency; a bare install still serves gzip
    brotli = None

from publisher.http_policy import COMPRESSIBLE, SMALLEST  # noqa: E402  (after the optional import)

BUFFERED_MOST = 2 * 1024 * 1024  # bytes: a larger or unknown-length body is compressed as it streams
GZIP_LEVEL, BROTLI_QUALITY = 6, 5  # both ~fast enough for pages rendered per request


def _weights(accept_encoding: str) -> dict[str, float]:
    weights = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name:
            weights[name.strip().lower()] = q
    return weights


def accepts(accept_encoding: str, coding: str) -> bool:
    weights = _weights(accept_encoding)
    return weights.get(coding, weights.get("*", 0.0)) > 0


def chosen_encoding(accept_encoding: str) -> str | None:
    """br when the client takes it and Brotli is installed, else gzip, else none (identity)."""
    for coding in (("br",) if brotli is not None else ()) + ("gzip",):
        if accepts(accept_encoding, coding):
            return coding
    return None


def _compressor(coding: str):
    if coding == "br":
        engine = brotli.Compressor(quality=BROTLI_QUALITY)
        return engine.process, engine.finish
    engine = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: the gzip wrapper
    return engine.compress, engine.flush


_LOOKED_AT = frozenset({"content-type", "content-encoding", "content-length", "vary"})


def _headers(headers: list) -> dict[str, str]:
    """The headers this layer decides by, in one pass (each the first of its name)."""
    found = {}
    for key, value in headers:
        name = key.lower()
        if name in _LOOKED_AT and name not in found:
            found[name] = value
    return found


class Compression:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        # HEAD answers as identity, as nginx does: the headers of a GET that was not compressed.
        coding = None if environ.get("REQUEST_METHOD") == "HEAD" else chosen_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
        decided = {}

        def starting(status, headers, exc_info=None):
            found = _headers(headers)
            textual = found.get("content-type", "").lower().startswith(COMPRESSIBLE)
            if status.startswith("416"):  # a note on a range: it varies as the file asked for does (as nginx)
                textual = _file_type(environ.get("PATH_INFO", "")).startswith(COMPRESSIBLE)
            # A part of a body (206) is a range of its identity bytes: never compressed after the fact.
            compressible = textual and "content-encoding" not in found and not status.startswith("206")
            length = found.get("content-length")
            if textual:
                vary = found.get("vary")
                headers = [(k, v) for k, v in headers if k.lower() != "vary"]
                headers.append(("Vary", f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"))
            small = length is not None and int(length) < SMALLEST
            if compressible and coding and not small and not status.startswith(("204", "304")):
                decided["coding"] = coding
                headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
                headers.append(("Content-Encoding", coding))
            if compressible and coding and (decided or status.startswith("304")):
                headers = [(k, _weak(v) if k.lower() == "etag" else v) for k, v in headers]
            if decided and length is not None and int(length) <= BUFFERED_MOST:
                # Known and modest: compressed whole, so the answer still has its Content-Length.
                decided["later"] = (status, headers, exc_info)
                return lambda data: None  # never used: Flask and the fast paths return their body
            return start_response(status, headers, exc_info)

        body = self.app(environ, starting)
        if "coding" not in decided:
            return body
        if "later" in decided:
            status, headers, exc_info = decided["later"]
            data = b"".join(_compressed(body, decided["coding"]))
            start_response(status, headers + [("Content-Length", str(len(data)))], exc_info)
            return [data]
        return _compressed(body, decided["coding"])


def _file_type(path: str) -> str:
    """The media type of a file of the publication by its extension, as nginx serves it."""
    from publisher.export.nginx import MIME_TYPES  # the one table of them; it imports this module

    return MIME_TYPES.get(path.rsplit(".", 1)[-1], "") if "." in path.rsplit("/", 1)[-1] else ""


def _weak(etag: str) -> str:
    return etag if etag.startswith("W/") else "W/" + etag


def _compressed(body, coding: str):
    compress, finish = _compressor(coding)
    try:
        for chunk in body:
            if chunk:
                out = compress(chunk)
                if out:
                    yield out
        yield finish()
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
