"""Building document responses: negotiation, and the headers every representation carries."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Response, abort, request
from rdflib import URIRef

from publisher.addresses import Urls
from publisher.formats import ALIASES, BY_MEDIA_TYPE, DOCUMENT_FORMATS, HTML, Format
from publisher.negotiate import cached_for_short_headers, choose
from publisher.rendering import Rendered, Rendering
from publisher.snapshot import Snapshot


# Characters no IRI may hold (RFC 3987): a path with one names no resource. Checked before an
# IRI is made, because rdflib warns about each such IRI in the log, with the client's text.
_NOT_IN_AN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


def resource_iri(urls: Urls, path: str) -> URIRef | None:
    """The IRI a path below the base names, or None where no IRI can have that path."""
    return None if _NOT_IN_AN_IRI.search(path) else urls.at(path)


def available_types() -> list[str]:
    return [fmt.media_type for fmt in DOCUMENT_FORMATS]


@cached_for_short_headers
def format_for(accept: str) -> Format | None:
    """The document format an Accept header prefers, or None when none is acceptable.

    Cached: clients send few distinct Accept headers, and the fast path asks on every request.
    """
    chosen = choose(accept, available_types(), ALIASES)
    return BY_MEDIA_TYPE[chosen] if chosen else None


def negotiate() -> Format | None:
    return format_for(request.headers.get("Accept", ""))


def requested_page(pages: int) -> int:
    """?page=N of a paged document (1 when absent); anything but an existing page is a 404."""
    value = request.args.get("page", "1")
    # Longer than the last page's number: not a page (and int() refuses over 4,300 digits).
    # Leading zeros are allowed, as nginx reads the number.
    digits = value.lstrip("0") if value.isascii() and value.isdigit() else ""
    if not digits or len(digits) > len(str(pages)) or not 1 <= int(digits) <= pages:
        abort(404)
    return int(digits)


def render(rendering: Rendering, iri: URIRef, fmt: Format, lang: str, page: int = 1) -> Rendered:
    if fmt is HTML:
        return rendering.html(iri, lang, page)
    return rendering.document(iri, fmt, page)


def alternates(snapshot: Snapshot, iri: URIRef, exclude: Format | None) -> list[tuple[str, Format]]:
    urls = snapshot.urls
    return [(urls.document(iri, fmt), fmt) for fmt in DOCUMENT_FORMATS if fmt is not exclude]


def link_header(links: list[tuple[str, Format]]) -> str:
    return ", ".join(f'<{url}>; rel="alternate"; type="{fmt.media_type}"' for url, fmt in links)


def document_response(snapshot: Snapshot, rendered: Rendered, fmt: Format | None, *, location: str | None,
                      alternates: list[tuple[str, Format]], negotiated: bool,
                      content_type: str | None = None, status: int = 200,
                      modified: datetime | None = None) -> Response:
    """`modified`: when this document last changed, where it is not when the data did."""
    response = Response(rendered.body, status=status, content_type=content_type or fmt.content_type)
    response.set_etag(rendered.etag)
    response.last_modified = modified or snapshot.modified
    response.cache_control.public = True
    response.cache_control.max_age = snapshot.settings.max_age
    if location:
        response.headers["Content-Location"] = location
    if alternates:
        response.headers["Link"] = link_header(alternates)
    if negotiated or status != 200:
        response.vary.add("Accept")
    # Only a 200 has a representation a cache may revalidate (a 410 is final).
    return response.make_conditional(request) if status == 200 else response
