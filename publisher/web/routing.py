"""The app's rules, from the one route table (publisher.addresses.ROUTES), and the language of a
request: the site's languages are data (publisher.site), so rules name them through a converter
that asks the current snapshot, not a list written in a rule."""

from __future__ import annotations

from flask import request
from werkzeug.routing import BaseConverter, ValidationError

from publisher.addresses import ROUTES, rules
from publisher.web.state import current_snapshot


def route(blueprint, name: str, defaults: dict | None = None, **options):
    """Registers a view at every rule of ROUTES[name]: its path and, for a route per language,
    /{lang}/… too (the view gets `lang`: None in the default language)."""
    plain = {**(defaults or {}), **({"lang": None} if ROUTES[name].per_language else {})}

    def register(view):
        for rule in rules(name):
            in_language = "<other_language:lang>" in rule
            given = {"defaults": plain} if plain and not in_language else {}
            blueprint.add_url_rule(rule, endpoint=f"{name}_in" if in_language else name, view_func=view,
                                   **options, **given)
        return view
    return register


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
