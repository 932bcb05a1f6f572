"""Rendering a snapshot: one service that owns the caches of everything rendered from it, and the
page-kind registry that decides how each resource's page is rendered.

A `Rendering` belongs to one snapshot and is dropped with it: its caches never outlive the
data they were rendered from. The app keeps one for the snapshot it serves; the static export
makes one for the snapshot it writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache, wraps
from itertools import islice
from pathlib import Path

from rdflib import Graph, URIRef

from publisher.describe import describe, incoming, page_count
from publisher.etag import etag_of
from publisher.event_kinds import as_of, event_last_day, is_series
from publisher.formats import RDF_DOCUMENT_FORMATS, Format
from publisher.labels import site_default
from publisher.represent.calendar import event_calendar
from publisher.represent.event_view import headline, status_notice, with_notice
from publisher.represent.feed import archive_numbers, archived_at, render_feed
from publisher.represent.html import render_event_page, render_page, render_series_page, render_tombstone_page
from publisher.represent.rdf import render_rdf
from publisher.represent.sitemap import pages_per_sitemap, sitemap, sitemap_count, sitemap_index, sitemap_name
from publisher.represent.social_image import social_image
from publisher.snapshot import Snapshot

DOCUMENT_CACHE_SIZE = 65536
# A snapshot of up to this many resources is rendered whole before it is served; a larger one,
# one page of each kind in each language and format (what compiles templates and loads
# catalogues and locales, ~50-100 ms on a cold page).
WARM_EVERYTHING_UP_TO = 300


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str


@dataclass(frozen=True)
class PageKind:
    """A kind of resource page: which resources are of it, and how their page is rendered
    (`render(rendering, iri, lang, page, today)` → bytes; `today`: the day an event's page is
    rendered for, publisher.event_kinds.as_of)."""
    name: str
    applies: Callable[[Snapshot, URIRef], bool]
    render: Callable[["Rendering", URIRef, str, int, date | None], bytes]


# The first kind that applies renders the page: add a kind of page here (and its renderer in
# publisher.represent.html and a template).
PAGE_KINDS: tuple[PageKind, ...] = (
    PageKind("tombstone", lambda snapshot, iri: iri in snapshot.lifecycle.gone,
             lambda r, iri, lang, page, today: render_tombstone_page(r.snapshot.graph, iri, r.snapshot.urls, lang,
                                                              r.snapshot.site)),
    PageKind("event", lambda snapshot, iri: snapshot.is_main_event(iri),
             lambda r, iri, lang, page, today: render_event_page(r.snapshot.graph, iri, r.snapshot.urls, lang,
                                                                 r.snapshot.site, today)),
    PageKind("series", lambda snapshot, iri: is_series(snapshot.graph, iri),
             lambda r, iri, lang, page, today: render_series_page(r.snapshot.graph, iri, r.snapshot.urls, lang,
                                                           r.snapshot.site)),
    PageKind("resource", lambda snapshot, iri: True,
             lambda r, iri, lang, page, today: render_page(r.describe(iri, page), iri, r.snapshot.urls, lang,
                                                           r.snapshot.site, page=page, pages=r.pages(iri),
                                                           whole=r.snapshot.graph)),
)


def page_kind(snapshot: Snapshot, iri: URIRef) -> PageKind:
    return next(kind for kind in PAGE_KINDS if kind.applies(snapshot, iri))


def _single_flight(cached):
    """`cached` (an lru_cache'd renderer) computed once for callers asking for one key at the
    same time: the others wait for that render, then read the cache. Without it, the threads of
    a worker that all ask for one uncached page (after a start or a reload) each render it."""
    pending: dict[tuple, threading.Lock] = {}
    guard = threading.Lock()

    @wraps(cached)
    def call(*args):
        with guard:
            lock = pending.setdefault(args, threading.Lock())
        with lock:
            try:
                return cached(*args)
            finally:
                with guard:
                    if pending.get(args) is lock:
                        del pending[args]
    call.cache_info = cached.cache_info
    return call


def _in_site(render):
    """A renderer of the site's pages: labels missing in the page's language come in the site's
    default language (publisher.labels)."""
    @wraps(render)
    def rendering(self: "Rendering", *args, **kwargs):
        with site_default(self.snapshot.site.default_language):
            return render(self, *args, **kwargs)
    return rendering


class Rendering:
    """Everything rendered from one snapshot, each kind in a bounded cache."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        # Sorted once per resource: every page of a much-linked resource slices the same list.
        self.incoming = lru_cache(maxsize=256)(lambda iri: incoming(snapshot.graph, iri))
        # Each format of a resource renders from one description, so describe once for all.
        self.describe = lru_cache(maxsize=1024)(self._describe)
        self.document = _single_flight(lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(self._document))
        self.cached_html = _single_flight(lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(self._html))
        self._last_day = lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(lambda iri: event_last_day(snapshot.graph, iri))
        self.calendar = lru_cache(maxsize=1024)(self._calendar)
        self.image = lru_cache(maxsize=64)(self._image)
        self.feed = lru_cache(maxsize=256)(self._feed)
        self._sitemaps: dict[int, tuple[Path, str]] | None = None  # written on first use

    def warm(self) -> int:
        """Render before serving (a worker before it accepts connections, a reload before its
        swap), so no request waits for a first render; returns how many resources were rendered."""
        snapshot = self.snapshot
        if len(snapshot.resources) <= WARM_EVERYTHING_UP_TO:
            chosen = sorted(snapshot.resources) + sorted(snapshot.lifecycle.gone)
        else:  # the home event, the publication's own documents, a tombstone
            chosen = [iri for iri in (snapshot.home, snapshot.dataset, snapshot.catalog_iri,
                                      next(iter(sorted(snapshot.lifecycle.gone)), None)) if iri is not None]
        for iri in chosen:  # page 1 given, as requests give it: the caches' keys are the arguments
            for fmt in RDF_DOCUMENT_FORMATS:
                self.document(iri, fmt, 1)
            for lang in snapshot.site.languages:
                self.html(iri, lang, 1)
        return len(chosen)

    def _describe(self, iri: URIRef, page: int = 1) -> Graph:
        """The publication's own documents (dataset, catalog, its parts) come from the meta graphs."""
        snapshot = self.snapshot
        if iri == snapshot.dataset:
            return snapshot.void + snapshot.catalog
        if iri == snapshot.catalog_iri:
            return snapshot.catalog_view(page)
        if iri in snapshot.part_datasets or self._described_by_catalog(iri):
            return describe(snapshot.catalog, iri)
        return describe(snapshot.graph, iri, page, self.incoming(iri))

    def of_the_publication(self, iri: URIRef) -> bool:
        """Whether `iri`'s documents come from the meta graphs (VoID, the catalog: their dates,
        sizes and digests change with any change of the data), not from the data alone."""
        snapshot = self.snapshot
        return (iri in (snapshot.dataset, snapshot.catalog_iri) or iri in snapshot.part_datasets
                or self._described_by_catalog(iri))

    def _described_by_catalog(self, iri: URIRef) -> bool:
        """The catalog's own resources (its publisher, contact): what the data does not describe."""
        return (iri, None, None) in self.snapshot.catalog and (iri, None, None) not in self.snapshot.graph

    def pages(self, iri: URIRef) -> int:
        """How many pages the document of `iri` has (its incoming links, PAGE_SIZE a page)."""
        snapshot = self.snapshot
        if iri == snapshot.catalog_iri:
            return snapshot.catalog_pages()
        if iri == snapshot.dataset or iri in snapshot.part_datasets:
            return 1
        return page_count(self.incoming(iri))

    def _document(self, iri: URIRef, fmt: Format, page: int = 1) -> Rendered:
        body = render_rdf(self.describe(iri, page), fmt, self.snapshot.base_url, self.snapshot.graph_names.get)
        return Rendered(body, etag_of(body))

    def html(self, iri: URIRef, lang: str, page: int = 1) -> Rendered:
        """A resource's page. An event's page depends on the day it is asked for (upcoming as of
        that day, or past): the cached page of yesterday is not served once the event is over."""
        return self.cached_html(iri, lang, page, as_of(self._last_day(iri), date.today()))

    @_in_site
    def _html(self, iri: URIRef, lang: str, page: int = 1, today: date | None = None) -> Rendered:
        body = page_kind(self.snapshot, iri).render(self, iri, lang, page, today)
        return Rendered(body, etag_of(body))

    @_in_site
    def _calendar(self, iri: URIRef, lang: str) -> Rendered:
        snapshot = self.snapshot
        body = event_calendar(snapshot.graph, iri, lang, snapshot.urls.page(iri, lang), snapshot.modified)
        return Rendered(body, etag_of(body))

    @_in_site
    def _image(self, iri: URIRef) -> Rendered:
        """An event's one social image, in the site's default language: every language's page
        shows it (see publisher.represent.social_image)."""
        lang = self.snapshot.site.default_language
        # Only the headline: building the whole page's view would double an event's cost here.
        head = headline(self.snapshot.graph, iri, lang)
        notice = status_notice(self.snapshot.graph, iri, self.snapshot.urls.languages.gettext(lang))
        body = social_image(head.name, with_notice(notice, head.dates), head.place or "")
        return Rendered(body, etag_of(body))

    def feed_archives(self) -> range:
        """The numbers of the feed's archive documents (publisher.represent.feed)."""
        return archive_numbers(self.snapshot.changes)

    def feed_modified(self, archive: int | None = None) -> datetime:
        """When a feed document last changed: a full archive at its newest change (it never
        changes again, nor its date), the others with the data."""
        return (archive and archived_at(self.snapshot.changes, archive)) or self.snapshot.modified

    @_in_site
    def _feed(self, lang: str, archive: int | None = None) -> Rendered:
        """The feed's subscription document, or with `archive`, that archive document."""
        snapshot = self.snapshot
        body = render_feed(snapshot.changes, snapshot.urls, lang, snapshot.site, archive)
        return Rendered(body, etag_of(body))

    def html_pages(self) -> Iterator[dict[str, str]]:
        """Every HTML page, as its language versions, in a fixed order: for the sitemap."""
        urls, languages = self.snapshot.urls, self.snapshot.site.languages
        for iri in sorted(self.snapshot.resources):
            yield {lang: urls.page(iri, lang) for lang in languages}
        if urls.serves_query_page():
            yield {lang: urls.query(lang) for lang in languages}

    def sitemap_count(self) -> int:
        snapshot = self.snapshot
        return sitemap_count(len(snapshot.resources) + snapshot.urls.serves_query_page(), len(snapshot.site.languages))

    def sitemap_numbers(self) -> range:
        """0 is /sitemap.xml: every page, or the index of /sitemap-1.xml … when they are several."""
        count = self.sitemap_count()
        return range(count + 1 if count > 1 else 1)

    def sitemap_file(self, number: int) -> tuple[Path, str] | None:
        """A sitemap's file and ETag by its number; None: no such sitemap."""
        return self._sitemap_files().get(number)

    def sitemap(self, number: int) -> Rendered | None:
        found = self.sitemap_file(number)
        return None if found is None else Rendered(found[0].read_bytes(), found[1])

    def _sitemap_files(self) -> dict[int, tuple[Path, str]]:
        """Every sitemap, written into the snapshot's folder the first time one is asked for, in
        one pass over the pages. Listing them reads the whole resource list (seconds at 100,000
        events): no later request does it again, however a client cycles through the sitemaps."""
        snapshot = self.snapshot
        with snapshot.files_lock:
            if self._sitemaps is None:
                folder = snapshot.directory / "sitemaps"
                folder.mkdir(exist_ok=True)
                numbers = self.sitemap_numbers()
                pages = self.html_pages()
                files = {}
                for number in numbers:
                    if number == 0 and len(numbers) > 1:  # the index of the others
                        body = sitemap_index(snapshot.urls, len(numbers) - 1, snapshot.modified)
                    else:  # the next share of the pages
                        body = sitemap(islice(pages, pages_per_sitemap(len(snapshot.site.languages))), snapshot.modified)
                    path = folder / sitemap_name(number)
                    path.write_bytes(body)
                    files[number] = (path, etag_of(body))
                self._sitemaps = files
            return self._sitemaps
