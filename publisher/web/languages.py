"""The language of a request: the site's languages are data (publisher.site), so routes name
them through a converter that asks the current snapshot, not a list written in a rule."""

from __future__ import annotations

from flask import request
from werkzeug.routing import BaseConverter, ValidationError

from publisher.web.state import current_snapshot


class OtherLanguage(BaseConverter):
    """A path segment naming one of the site's languages other than the default (`/en/…`).
    Any other segment does not match, so the request goes on to the next rule."""

    def to_python(self, value: str) -> str:
        if value not in current_snapshot().site.languages.others:
            raise ValidationError()
        return value


def request_language() -> str:
    """The language of the page asked for: its path's prefix, else the site's default."""
    return current_snapshot().site.languages.of_path(request.path[1:])[0]
