"""Where each page and document of a resource lives, from the base URL (never a Host header)."""

from __future__ import annotations

import re

from rdflib import URIRef

from publisher.represent import Format

# The only schemes a page links to. Others (javascript:, data:, vbscript:, file:…) would run code
# or open something no reader chose; validation refuses them in the data (publisher.publishable).
LINK_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def linkable(iri: str) -> bool:
    """Whether a page may make `iri` a link (its scheme, in any case, is one of LINK_SCHEMES)."""
    scheme = _SCHEME.match(iri)
    return scheme is not None and scheme.group(1).lower() in LINK_SCHEMES


class Urls:
    def __init__(self, base_url: str, home: URIRef | None, query_page: str | None = None):
        self.base = base_url
        self.home = home
        self.query_page = query_page

    def path(self, iri: URIRef) -> str:
        return str(iri)[len(self.base):]

    def page(self, iri, lang: str) -> str:
        """The HTML page of a resource: the IRI itself in Polish, /en/… in English."""
        if self.home is not None and str(iri) == str(self.home):
            return self.base if lang == "pl" else self.base + "en/"
        return str(iri) if lang == "pl" else f"{self.base}en/{self.path(iri)}"

    def href(self, iri, lang: str) -> str | None:
        """Where a page in `lang` links for `iri`: its page here, else the IRI itself; None
        (shown as text, not linked) for an IRI that is not `linkable`."""
        if self.is_local_text(str(iri)):
            return self.page(iri, lang)
        return str(iri) if linkable(str(iri)) else None

    def document(self, iri: URIRef, fmt: Format) -> str:
        return f"{iri}.{fmt.extension}"

    def localized(self, iri: URIRef, extension: str, lang: str) -> str:
        """A per-language file of a resource: …/x.ics in Polish, /en/…/x.ics in English."""
        return f"{iri}.{extension}" if lang == "pl" else f"{self.base}en/{self.path(iri)}.{extension}"

    def changes(self, lang: str, page: int = 1) -> str:
        """The Atom feed of changes to the data, per language (…/changes.atom, /en/changes.atom)."""
        path = "changes.atom" if lang == "pl" else f"{lang}/changes.atom"
        return self.base + path + (f"?page={page}" if page > 1 else "")

    def static(self, name: str) -> str:
        return f"{self.base}static/{name}"

    def is_local(self, iri) -> bool:
        return isinstance(iri, URIRef) and self.is_local_text(str(iri))

    def is_local_text(self, iri: str) -> bool:
        return iri.startswith(self.base)
