"""A snapshot: one validated load of the data, with everything served from it.

A snapshot never changes. Reloading builds a new one and swaps it in only if the data is
valid, so a broken deployment never replaces the last good data.
"""

from __future__ import annotations

import multiprocessing
import shutil
import threading
from array import array
from collections.abc import Iterator
from dataclasses import InitVar, dataclass, field, replace
from datetime import date, datetime, timezone
from functools import cached_property, lru_cache, wraps
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from publisher.catalog import build_catalog, catalog_view, changed_since, part_iri
from publisher.config import Settings
from publisher.describe import describe, incoming, page_count, resource_iris
from publisher.dumps import DumpFile, write_dumps
from publisher.etag import etag_of
from publisher.event_kinds import as_of, event_last_day, is_main_event, is_series
from publisher.history import Change, file_modified, history
from publisher.labels import site_default
from publisher.lifecycle import lifecycle
from publisher.load import (LoadedData, StoredData, data_files, fingerprint, load_into_store, load_stored,
                            release_freed_memory, subject_origins)
from publisher.formats import Format
from publisher.namespaces import SCHEMA
from publisher.file_datasets import Part, data_parts
from publisher.resource_set import ResourceSet, digests
from publisher.working_dirs import scratch_dir
from publisher.site import Site, read_site
from publisher.store.oxigraph_graph import memory_graph, store_graph
from publisher.represent.calendar import event_calendar
from publisher.represent.event_view import headline, status_notice, with_notice
from publisher.represent.feed import feed_pages, render_feed
from publisher.represent.html import render_event_page, render_page, render_series_page, render_tombstone_page
from publisher.represent.social_image import social_image
from publisher.represent.rdf import render_rdf
from publisher.represent.sitemap import pages_per_sitemap, sitemap, sitemap_count, sitemap_index, sitemap_name
from publisher.represent.urls import Urls
from publisher.validate import Report, load_shapes, validate
from publisher.void import build_void, dataset_iri, graph_stats

DOCUMENT_CACHE_SIZE = 65536


class InvalidData(Exception):
    """The data does not conform to the shapes; `report` says why."""

    def __init__(self, report: Report):
        super().__init__("the data does not conform to the SHACL shapes")
        self.report = report


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str


def _in_site(render):
    """A renderer of the site's pages: labels missing in the page's language come in the site's
    default language (publisher.labels)."""
    @wraps(render)
    def rendering(self: "Snapshot", *args, **kwargs):
        with site_default(self.site.default_language):
            return render(self, *args, **kwargs)
    return rendering


@dataclass
class Snapshot:
    settings: Settings
    data: LoadedData
    void: Graph
    catalog: Graph
    dumps: dict[str, DumpFile]
    modified: datetime
    home: URIRef | None
    store_path: Path | None
    site: Site
    parts: list[Part] = field(default_factory=list)
    directory: Path | None = None  # dumps and store written for this snapshot alone
    resources: ResourceSet = field(init=False)
    data_digests: InitVar[array | None] = None  # digests of the data's resource_iris, when already known

    def __post_init__(self, data_digests: array | None) -> None:
        # The home page, dumps, endpoint and well-known VoID are named in the meta graphs but
        # served by their own routes.
        self.part_dumps = {dump.name: dump for part in self.parts for dump in part.dumps}
        self.part_datasets = {part_iri(self.base_url, part): part for part in self.parts}
        served_elsewhere = ({URIRef(self.base_url + name) for name in self.dumps | self.part_dumps}
                            | {URIRef(self.base_url + "sparql"), URIRef(self.base_url),
                               URIRef(self.base_url + "changes.atom"),
                               URIRef(self.base_url + ".well-known/void")})
        # Removed and merged resources answer 410 and 301 (publisher.lifecycle), not 200.
        self.lifecycle = lifecycle(self.data.graph, self.base_url)
        self.resources = ResourceSet(digests(self._data_iris()) if data_digests is None else data_digests,
                                     resource_iris(self.void, self.base_url) | resource_iris(self.catalog, self.base_url),
                                     served_elsewhere | self.lifecycle.gone | self.lifecycle.moved.keys(),
                                     self._data_iris)
        # Sorted once per resource: every page of a much-linked resource slices the same list.
        self.incoming = lru_cache(maxsize=256)(lambda iri: incoming(self.graph, iri))
        # Each format of a resource renders from one description, so describe once for all.
        self.describe = lru_cache(maxsize=1024)(self._describe)
        self.render = lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(self._render)
        self._cached_html = lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(self._render_html)
        self._last_day = lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(lambda iri: event_last_day(self.graph, iri))
        self.render_calendar = lru_cache(maxsize=1024)(self._render_calendar)
        self.render_image = lru_cache(maxsize=64)(self._render_image)
        self.render_feed = lru_cache(maxsize=256)(self._render_feed)
        self._sitemaps: dict[int, tuple[Path, str]] | None = None  # written on first use
        self._sitemaps_lock = threading.Lock()

    def _data_iris(self) -> set[URIRef]:
        return resource_iris(self.data.graph, self.base_url)

    def discard(self) -> None:
        """Remove this snapshot's dumps and store from disk, once nothing serves them any more.

        Not while its sitemaps are being written (seconds at 100,000 events): the request
        writing them gets them whole, and no file lands in a folder being removed."""
        with self._sitemaps_lock:
            if self.directory is not None:
                shutil.rmtree(self.directory, ignore_errors=True)

    @cached_property
    def changes(self) -> list[Change]:
        """The data's history, newest first (publisher.history); computed on first use."""
        return history(self.settings.data_paths, self.graph, self.base_url, self.modified)

    def feed_pages(self) -> int:
        return feed_pages(self.changes)

    @_in_site
    def _render_feed(self, lang: str, page: int = 1) -> Rendered:
        body = render_feed(self.changes, self.graph, self.urls(), lang, self.site, page)
        return Rendered(body, etag_of(body))

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    @property
    def graph(self) -> Graph:
        return self.data.graph

    @property
    def dataset(self) -> URIRef:
        return dataset_iri(self.base_url)

    @property
    def catalog_iri(self) -> URIRef:
        return URIRef(self.base_url + "catalog")

    def _describe(self, iri: URIRef, page: int = 1) -> Graph:
        """The publication's own documents (dataset, catalog, its parts) come from the meta graphs."""
        if iri == self.dataset:
            return self.void + self.catalog
        if iri == self.catalog_iri:
            return self.catalog_view(page)
        if iri in self.part_datasets or self._described_by_catalog(iri):
            return describe(self.catalog, iri)
        return describe(self.graph, iri, page, self.incoming(iri))

    def _described_by_catalog(self, iri: URIRef) -> bool:
        """The catalog's own resources (its publisher, contact): what the data does not describe."""
        return (iri, None, None) in self.catalog and (iri, None, None) not in self.graph

    def catalog_datasets(self) -> list[tuple[datetime, URIRef]]:
        """Every dataset of the catalog with when it last changed (the whole: when any part did)."""
        return [(self.modified, self.dataset)] + [(part.modified, iri) for iri, part in self.part_datasets.items()]

    def catalog_view(self, page: int = 1, since: datetime | None = None) -> Graph:
        return catalog_view(self.catalog, self.base_url, self.catalog_datasets(), page,
                            self.settings.catalog_page_size, since)

    def catalog_pages(self, since: datetime | None = None) -> int:
        count = len(changed_since(self.catalog_datasets(), since))
        return max(1, -(-count // self.settings.catalog_page_size))

    def pages(self, iri: URIRef) -> int:
        """How many pages the document of `iri` has (its incoming links, PAGE_SIZE a page)."""
        if iri == self.catalog_iri:
            return self.catalog_pages()
        if iri == self.dataset or iri in self.part_datasets:
            return 1
        return page_count(self.incoming(iri))

    def _render(self, iri: URIRef, fmt: Format, page: int = 1) -> Rendered:
        body = render_rdf(self.describe(iri, page), fmt, self.base_url)
        return Rendered(body, etag_of(body))

    def html_pages(self) -> Iterator[dict[str, str]]:
        """Every HTML page, as its language versions, in a fixed order: for the sitemap."""
        urls = self.urls()
        for iri in sorted(self.resources):
            yield {lang: urls.page(iri, lang) for lang in self.site.languages}
        if self._query_page_here():
            yield {lang: urls.query(lang) for lang in self.site.languages}

    def _query_page_here(self) -> bool:
        return self.query_page == self.base_url + "sparql"  # served here, or by the app behind nginx

    def sitemap_count(self) -> int:
        return sitemap_count(len(self.resources) + self._query_page_here(), len(self.site.languages))

    def sitemap_numbers(self) -> range:
        """0 is /sitemap.xml: every page, or the index of /sitemap-1.xml … when they are several."""
        count = self.sitemap_count()
        return range(count + 1 if count > 1 else 1)

    def sitemap_file(self, number: int) -> tuple[Path, str] | None:
        """A sitemap's file and ETag by its number; None: no such sitemap."""
        return self._sitemap_files().get(number)

    def render_sitemap(self, number: int) -> Rendered | None:
        found = self.sitemap_file(number)
        return None if found is None else Rendered(found[0].read_bytes(), found[1])

    def _sitemap_files(self) -> dict[int, tuple[Path, str]]:
        """Every sitemap, written into this snapshot's folder the first time one is asked for, in
        one pass over the pages. Listing them reads the whole resource list (seconds at 100,000
        events): no later request does it again, however a client cycles through the sitemaps."""
        with self._sitemaps_lock:
            if self._sitemaps is None:
                folder = self.directory / "sitemaps"
                folder.mkdir(exist_ok=True)
                numbers = self.sitemap_numbers()
                pages = self.html_pages()
                files = {}
                for number in numbers:
                    if number == 0 and len(numbers) > 1:  # the index of the others
                        body = sitemap_index(self.base_url, len(numbers) - 1, self.modified)
                    else:  # the next share of the pages
                        body = sitemap(islice(pages, pages_per_sitemap(len(self.site.languages))), self.modified)
                    path = folder / sitemap_name(number)
                    path.write_bytes(body)
                    files[number] = (path, etag_of(body))
                self._sitemaps = files
            return self._sitemaps

    def urls(self) -> Urls:
        return Urls(self.base_url, self.home, self.query_page, self.site.languages)

    @property
    def query_page(self) -> str | None:
        """Where people query the data: this server's page, an external endpoint, or nowhere."""
        if self.settings.serve_sparql:
            return self.base_url + "sparql"
        return self.settings.external_sparql

    def is_main_event(self, iri: URIRef) -> bool:
        return is_main_event(self.graph, iri)

    def render_html(self, iri: URIRef, lang: str, page: int = 1) -> Rendered:
        """A resource's page. An event's page depends on the day it is asked for (upcoming as of
        that day, or past): the cached page of yesterday is not served once the event is over."""
        return self._cached_html(iri, lang, page, as_of(self._last_day(iri), date.today()))

    @_in_site
    def _render_html(self, iri: URIRef, lang: str, page: int = 1, today: date | None = None) -> Rendered:
        if iri in self.lifecycle.gone:
            body = render_tombstone_page(self.graph, iri, self.urls(), lang, self.site)
        elif self.is_main_event(iri):
            body = render_event_page(self.graph, iri, self.urls(), lang, self.site, today)
        elif is_series(self.graph, iri):
            body = render_series_page(self.graph, iri, self.urls(), lang, self.site)
        else:
            body = render_page(self.describe(iri, page), iri, self.urls(), lang, self.site,
                               page=page, pages=self.pages(iri), whole=self.graph)
        return Rendered(body, etag_of(body))

    @_in_site
    def _render_calendar(self, iri: URIRef, lang: str) -> Rendered:
        body = event_calendar(self.graph, iri, lang, self.urls().page(iri, lang), self.modified)
        return Rendered(body, etag_of(body))

    @_in_site
    def _render_image(self, iri: URIRef, lang: str) -> Rendered:
        # Only the headline: building the whole page's view would double an event's cost here.
        head = headline(self.graph, iri, lang)
        notice = status_notice(self.graph, iri, self.urls().languages.gettext(lang))
        body = social_image(head.name, with_notice(notice, head.dates), head.place or "")
        return Rendered(body, etag_of(body))


def _home_event(graph: Graph) -> URIRef | None:
    """The earliest main event: the home page shows it."""
    candidates = [(str(start), str(event), event) for event, start in graph.subject_objects(SCHEMA.startDate)
                  if isinstance(event, URIRef) and is_main_event(graph, event)]
    return min(candidates)[2] if candidates else None


def check_data(settings: Settings, lang: str = "en", processes: int = 1) -> StoredData | LoadedData | None:
    """Validate the data files; raises DataError or InvalidData (with its report in `lang`).

    Returns the data as validation read it, or None when files whose fingerprint the serving
    master has just validated are not validated again.
    """
    if settings.validated is not None and settings.validated == fingerprint(settings.data_paths):
        return None
    data = load_stored(settings.data_paths, settings.base_url)
    report = validate(data, load_shapes(settings.shapes_path), lang=lang, processes=processes)
    if not report.conforms:
        raise InvalidData(report)
    return data


@dataclass(frozen=True)
class Prepared:
    """What the whole-graph work on a snapshot's new store yields: small enough to hand over."""
    files: list[Path]
    modified: datetime
    dumps: dict[str, DumpFile]
    parts: list[Part]
    home: URIRef | None
    site: Site
    void: Graph
    catalog: Graph
    digests: array  # of the data's resource IRIs (publisher.resource_set)


def prepare(settings: Settings, directory: Path) -> Prepared:
    """Load the data files into a new store in `directory` and do everything that reads the
    whole graph: the dumps, the parts, the home event, VoID and the catalog, the resources."""
    files = load_into_store(settings.data_paths, settings.base_url, directory / "oxigraph")
    store = ox.Store.read_only(str(directory / "oxigraph"))
    graph = store_graph(store)
    data = LoadedData(graph=graph, files=files, base_url=settings.base_url,
                      origins=subject_origins(files, settings.base_url) if len(files) > 1 else {})
    file_times = file_modified(files)
    modified = (datetime.fromtimestamp(settings.data_modified, tz=timezone.utc) if settings.data_modified
                else max(file_times.values()))
    dumps = write_dumps(store, directory)
    parts = data_parts(data, settings.data_paths, file_times, directory)
    home = _home_event(graph)
    site, description = read_site(settings.site_description, settings.base_url, settings.license)
    endpoint = sparql_endpoint(settings)
    void = build_void(graph_stats(graph, settings.base_url), description, settings.base_url, site.licence,
                      modified, dumps, home, sparql_endpoint=endpoint)
    catalog = build_catalog(graph, description, settings.base_url, site, modified, dumps, home,
                            sparql_endpoint=endpoint, parts=parts,
                            page_of=lambda iri: Urls(settings.base_url, home, None, site.languages).page(
                                iri, site.default_language))
    return Prepared(files=files, modified=modified, dumps=dumps, parts=parts, home=home, site=site, void=void,
                    catalog=catalog, digests=digests(resource_iris(graph, settings.base_url)))


# Data files larger than this are prepared in a child process: what the whole-graph work leaves
# in a process (the store's caches, freed memory kept for reuse) is then returned when it ends,
# and a serving worker at 100,000 events holds ~200 MB instead of ~450 MB.
PREPARE_ELSEWHERE_BYTES = 8 * 1024 * 1024


class _PreparedHere:
    """Small data: prepared in this process, when its result is asked for."""

    def __init__(self, settings: Settings, directory: Path):
        self.settings, self.directory = settings, directory

    def result(self) -> Prepared:
        return prepare(self.settings, self.directory)

    def stop(self) -> None:
        pass


class _PreparingElsewhere:
    """The whole-graph work in a child process, running from the moment this is made.

    A plain process and a pipe: no helper threads in this process, which may fork to validate.
    """

    def __init__(self, settings: Settings, directory: Path):
        context = multiprocessing.get_context("spawn")
        self._answer, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_prepare_elsewhere, args=(sender, settings, directory),
                                        name="publisher-prepare", daemon=True)
        self._process.start()
        sender.close()

    def result(self) -> Prepared:
        try:
            outcome = self._answer.recv()
        except EOFError:
            raise RuntimeError("preparing the data ended unexpectedly (out of memory?)") from None
        finally:
            self._process.join()
        if isinstance(outcome, BaseException):
            raise outcome
        prepared, (void_prefixes, catalog_prefixes) = outcome
        return replace(prepared, void=_with_prefixes(prepared.void, void_prefixes),
                       catalog=_with_prefixes(prepared.catalog, catalog_prefixes))

    def stop(self) -> None:
        self._process.kill()
        self._process.join()


def _preparing(settings: Settings, directory: Path) -> _PreparedHere | _PreparingElsewhere:
    size = sum(f.stat().st_size for f in data_files(settings.data_paths) if f.exists())
    return (_PreparedHere if size <= PREPARE_ELSEWHERE_BYTES else _PreparingElsewhere)(settings, directory)


def _with_prefixes(graph: Graph, prefixes: list) -> Graph:
    """A pickled rdflib graph comes back with rdflib's default prefixes, not its own; documents
    declare the prefixes they use, so the graph gets exactly its own back."""
    restored = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes:
        restored.bind(prefix, namespace, override=True, replace=True)
    restored += graph
    return restored


def _prepare_elsewhere(sender, settings: Settings, directory: Path) -> None:
    try:
        prepared = prepare(settings, directory)
        outcome = prepared, (list(prepared.void.namespaces()), list(prepared.catalog.namespaces()))
    except Exception as error:  # handed over, raised where the result is asked for
        outcome = error
    try:
        sender.send(outcome)
    except Exception as error:  # an error that cannot cross processes: its words can
        sender.send(RuntimeError(f"preparing the data failed: {outcome if isinstance(outcome, Exception) else error}"))


def build_snapshot(settings: Settings, lang: str = "en", processes: int = 1, in_memory: bool = False) -> Snapshot:
    """Load, validate and prepare the data; raises DataError or InvalidData (report in `lang`).

    The data goes into an on-disk Oxigraph store that documents are rendered from (and queries
    answered from); `in_memory`: render from an rdflib copy instead, faster when rendering
    everything (the static export). `processes`: as `validate` takes it (pySHACL forks: only
    from a single-threaded caller).
    """
    directory = scratch_dir("dumps")
    preparing = None
    try:
        # The export starts the whole-graph work at once, beside validation and the rdflib copy
        # (a core each; at 10,000 events ~9 s sooner), and drops it if the data is refused.
        if in_memory:
            preparing = _preparing(settings, directory)
        checked = check_data(settings, lang, processes)
        preparing = preparing or _preparing(settings, directory)
        copy = memory_graph(checked.stored, None) if in_memory and isinstance(checked, StoredData) else None
        prepared = preparing.result()
    except BaseException:
        if preparing is not None:
            preparing.stop()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    store_path = directory / "oxigraph"
    store = ox.Store.read_only(str(store_path))
    if in_memory and copy is None:
        copy = memory_graph(store)
    data = LoadedData(graph=copy if in_memory else store_graph(store), files=prepared.files,
                      base_url=settings.base_url)
    embedded = settings.serve_sparql and not settings.store_url
    snapshot = Snapshot(settings=settings, data=data, void=prepared.void, catalog=prepared.catalog,
                        dumps=prepared.dumps, modified=prepared.modified, home=prepared.home,
                        store_path=store_path if embedded else None, site=prepared.site, parts=prepared.parts, directory=directory,
                        data_digests=prepared.digests)
    release_freed_memory()
    return snapshot


def sparql_endpoint(settings: Settings) -> URIRef | None:
    if settings.serve_sparql:
        return URIRef(settings.base_url + "sparql")
    return URIRef(settings.external_sparql) if settings.external_sparql else None
