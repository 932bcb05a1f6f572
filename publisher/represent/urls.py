"""Where each page and document of a resource lives, from the base URL (never a Host header)."""

from __future__ import annotations

import re

from rdflib import URIRef

from publisher.assets import fingerprinted
from publisher.formats import Format
from publisher.i18n import Languages

# The only schemes a page links to. Others (javascript:, data:, vbscript:, file:…) would run code
# or open something no reader chose; validation refuses them in the data (publisher.publishing_rules).
LINK_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def linkable(iri: str) -> bool:
    """Whether a page may make `iri` a link (its scheme, in any case, is one of LINK_SCHEMES)."""
    scheme = _SCHEME.match(iri)
    return scheme is not None and scheme.group(1).lower() in LINK_SCHEMES


class Urls:
    def __init__(self, base_url: str, home: URIRef | None, query_page: str | None, languages: Languages):
        self.base = base_url
        self.home = home
        self.query_page = query_page
        self.languages = languages

    def path(self, iri: URIRef) -> str:
        return str(iri)[len(self.base):]

    def in_language(self, path: str, lang: str) -> str:
        """The address of a site-relative path in `lang`: as it is in the default language,
        under /{lang}/ in the others."""
        return self.base + self.languages.prefix(lang) + path

    def page(self, iri, lang: str) -> str:
        """The HTML page of a resource: the IRI itself in the default language, /{lang}/… in others."""
        if self.home is not None and str(iri) == str(self.home):
            return self.in_language("", lang)
        return str(iri) if lang == self.languages.default else self.in_language(self.path(iri), lang)

    def href(self, iri, lang: str) -> str | None:
        """Where a page in `lang` links for `iri`: its page here, else the IRI itself; None
        (shown as text, not linked) for an IRI that is not `linkable`."""
        if self.is_local_text(str(iri)):
            return self.page(iri, lang)
        return str(iri) if linkable(str(iri)) else None

    def document(self, iri: URIRef, fmt: Format) -> str:
        return f"{iri}.{fmt.extension}"

    def localized(self, iri: URIRef, extension: str, lang: str) -> str:
        """A per-language file of a resource: …/x.ics in the default language, /{lang}/…/x.ics in others."""
        return self.in_language(f"{self.path(iri)}.{extension}", lang)

    def changes(self, lang: str, page: int = 1) -> str:
        """The Atom feed of changes to the data, per language (…/changes.atom, /en/changes.atom)."""
        return self.in_language("changes.atom", lang) + (f"?page={page}" if page > 1 else "")

    def query(self, lang: str) -> str | None:
        """Where people query the data from a page in `lang`: this site's query page in that
        language, else the external endpoint, else None."""
        if self.query_page == self.base + "sparql":
            return self.in_language("sparql", lang)
        return self.query_page

    def static(self, name: str) -> str:
        """An asset by its fingerprinted name (publisher.assets): cached for good, never stale."""
        return f"{self.base}static/{fingerprinted(name)}"

    def is_local(self, iri) -> bool:
        return isinstance(iri, URIRef) and self.is_local_text(str(iri))

    def is_local_text(self, iri: str) -> bool:
        return iri.startswith(self.base)
