"""The address book: every address of the site is made here, from the base URL (never a Host header).

A resource's addresses follow from its IRI (its page per language, its documents per format).
The site's own addresses (dataset, catalog, endpoint, feed, dumps, sitemaps…) are the entries
of ROUTES, one table read by everyone who needs them: `Urls` makes them, the Flask app registers
its rules from them (`rules`), the static export writes its files at them, nginx's locations are
written from them, and validation keeps resources off them (publisher.publishing_rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

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


@dataclass(frozen=True)
class Route:
    """One of the site's own addresses. `path` is relative to the base URL, in Flask's rule syntax
    where a part varies (`sitemap-<int:number>.xml`); `per_language`: also under /{lang}/ in each
    other language (the page's strings differ); `resource`: an IRI the data's graphs describe,
    served as any resource (negotiated), not by a route of its own; `plain_file`: below."""
    path: str
    per_language: bool = False
    resource: bool = False
    # A file served as it is, with the site's common headers and nothing else (no Link to
    # documents in other formats): nginx gets an exact location for it.
    plain_file: bool = False

    def fill(self, values: dict) -> str:
        return _VARIABLE.sub(lambda part: str(values[part.group(2)]), self.path)

    @property
    def folder(self) -> str:
        """The fixed start of a variable path: `_errors/` of `_errors/<path:name>`."""
        return self.path.split("<")[0]

    def template(self) -> str:
        """The path as a URI template's level 1 (RFC 6570) and OpenAPI write it: `sitemap-{number}.xml`."""
        return _VARIABLE.sub(r"{\2}", self.path)

    def pattern(self) -> str:
        """A regular expression of the paths this route answers (a fragment never included)."""
        parts = _VARIABLE.split(self.path)
        # split() yields text, converter, name, text, …: the texts escaped, each variable by its kind
        return "".join(re.escape(part) if i % 3 == 0 else _KINDS.get(part, "[^/#]+")
                       for i, part in enumerate(parts) if i % 3 != 2)


_VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")
_KINDS = {"int": "[0-9]+", "path": "[^#]+"}

ROUTES: dict[str, Route] = {
    "dataset": Route("dataset", resource=True),  # VoID and the catalog's dataset
    "catalog": Route("catalog", resource=True),
    "void": Route(".well-known/void"),  # VoID §6: the dataset's description, negotiated
    "sparql": Route("sparql", per_language=True),
    "changes": Route("changes.atom", per_language=True),  # the feed's subscription document
    "changes_archive": Route("changes-<int:number>.atom", per_language=True),  # its archive documents
    "sitemap": Route("sitemap.xml"),
    "sitemap_part": Route("sitemap-<int:number>.xml"),
    "robots": Route("robots.txt", plain_file=True),
    "openapi": Route("openapi.json"),
    "event_calendar": Route("event.ics"),  # the main event's calendar entry, a short address
    "dump": Route("dump.<path:extension>"),
    "file_dump": Route("data/<path:extension>"),  # each data file's own downloads
    "file_dataset": Route("dataset/<path:name>", resource=True),  # each data file as a dataset of the catalog
    "static": Route("static/<path:filename>"),
    # Files of the static export that nginx answers with but never serves at their own address.
    "tombstones": Route("_gone/<path:path>"),
    "error_documents": Route("_errors/<path:name>"),
}


def paged(address: str, page: int) -> str:
    """Page `page` of a paged address (a document's incoming links): page 1 is the address itself."""
    return address if page == 1 else f"{address}?page={page}"


def rules(name: str) -> list[str]:
    """The Flask rules of a route: its path, and /<other_language:lang>/… when it is per language."""
    route = ROUTES[name]
    found = ["/" + route.path]
    if route.per_language:
        found.append("/<other_language:lang>/" + route.path)
    return found


def reserved_patterns() -> tuple[str, ...]:
    """Regular expressions of the paths that no resource of the data may take."""
    return tuple(route.pattern() for route in ROUTES.values())


def reserved_segments() -> tuple[str, ...]:
    """First path segments under which routes, not resources, live (static/, data/, .well-known/)."""
    return tuple(sorted({route.path.split("/")[0] for route in ROUTES.values() if "/" in route.path}))


class Urls:
    def __init__(self, base_url: str, home: URIRef | None = None, query_page: str | None = None,
                 languages: Languages | None = None):
        self.base = base_url
        self.home = home
        self.query_page = query_page
        self.languages = languages

    def site(self, route: str, lang: str | None = None, **values) -> str:
        """One of the site's own addresses (ROUTES[route]), in `lang` when it has one per language."""
        path = ROUTES[route].fill(values)
        if lang is None or not ROUTES[route].per_language:
            return self.base + path
        return self.in_language(path, lang)

    def iri(self, route: str, **values) -> URIRef:
        return URIRef(self.site(route, **values))

    @property
    def dataset(self) -> URIRef:
        return self.iri("dataset")

    @property
    def catalog(self) -> URIRef:
        return self.iri("catalog")

    def at(self, path: str) -> URIRef:
        """The address of a site-relative path (a resource's IRI, a dump's file)."""
        return URIRef(self.base + path)

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

    def social_image(self, iri: URIRef) -> str:
        """An event's social image: one for every language (…/x.png), its text in the default one."""
        return self.localized(iri, "png", self.languages.default)

    def changes(self, lang: str) -> str:
        """The Atom feed of changes to the data, per language (…/changes.atom, /en/changes.atom)."""
        return self.site("changes", lang)

    def changes_archive(self, lang: str, number: int) -> str:
        """An archive document of the feed (…/changes-1.atom holds the oldest changes)."""
        return self.site("changes_archive", lang, number=number)

    def serves_query_page(self) -> bool:
        """Whether people query the data on this site's own page (served here, or by the app behind nginx)."""
        return self.query_page == self.site("sparql")

    def query(self, lang: str) -> str | None:
        """Where people query the data from a page in `lang`: this site's query page in that
        language, else the external endpoint, else None."""
        if self.serves_query_page():
            return self.site("sparql", lang)
        return self.query_page

    def describe_query(self, iri, lang: str) -> str | None:
        """The query page asking DESCRIBE of `iri`, run and shown (Trifid's "query this");
        None when the publication names no endpoint."""
        page = self.query(lang)
        if page is None:
            return None
        return page + ("&" if "?" in page else "?") + urlencode({"query": f"DESCRIBE <{iri}>"})

    def static(self, name: str) -> str:
        """An asset by its fingerprinted name (publisher.assets): cached for good, never stale."""
        return self.site("static", filename=fingerprinted(name))

    def is_local(self, iri) -> bool:
        return isinstance(iri, URIRef) and self.is_local_text(str(iri))

    def is_local_text(self, iri: str) -> bool:
        return iri.startswith(self.base)
