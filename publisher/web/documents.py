"""Building document responses: headers every representation carries."""

from __future__ import annotations

from flask import Response, request

from publisher.represent import FORMATS, Format
from publisher.snapshot import Rendered, Snapshot


def link_header(alternates: list[tuple[str, Format]]) -> str:
    return ", ".join(f'<{url}>; rel="alternate"; type="{fmt.media_type}"' for url, fmt in alternates)


def document_response(snapshot: Snapshot, rendered: Rendered, fmt: Format | None, *, location: str | None,
                      alternates: list[tuple[str, Format]], negotiated: bool,
                      content_type: str | None = None) -> Response:
    response = Response(rendered.body, content_type=content_type or fmt.content_type)
    response.set_etag(rendered.etag)
    response.last_modified = snapshot.modified
    response.cache_control.public = True
    response.cache_control.max_age = snapshot.settings.max_age
    if location:
        response.headers["Content-Location"] = location
    if alternates:
        response.headers["Link"] = link_header(alternates)
    if negotiated:
        response.vary.add("Accept")
    return response.make_conditional(request)


def available_types() -> list[str]:
    return [fmt.media_type for fmt in FORMATS]
