"""A snapshot: one validated load of the data, and what is read from it as a whole.

A snapshot never changes: the data (in an on-disk Oxigraph store), the resources it serves, its
dumps, VoID and catalog graphs, and which resources were removed or merged. Reloading makes a
new one (publisher.preparing) and swaps it in only if the data is valid, so a broken deployment
never replaces the last good data. What is rendered from it is publisher.rendering's.
"""

from __future__ import annotations

import shutil
import threading
from array import array
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef

from publisher.addresses import Urls
from publisher.catalog import catalog_view, changed_since, part_iri
from publisher.config import Settings
from publisher.describe import resource_iris
from publisher.dumps import DumpFile
from publisher.event_kinds import is_main_event
from publisher.file_datasets import Part
from publisher.history import Change, State, history
from publisher.lifecycle import lifecycle
from publisher.load import LoadedData
from publisher.resource_set import ResourceSet, digests
from publisher.site import Site


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
    copy: Path | None = None  # its data files, when they are a copy of a remote store's (removed with it)
    # The graph of each subject's statements in quads (publisher.quads): none for one data file.
    graph_names: dict[URIRef, str] = field(default_factory=dict)
    # Every resource's description digest (publisher.history.states), when the static export
    # took them to compare with its last build: the history reads them then rather than taking
    # them again. A server does not keep them: a digest a resource, of no use once the feed is made.
    described: State | None = None
    resources: ResourceSet = field(init=False)
    data_digests: InitVar[array | None] = None  # digests of the data's resource_iris, when already known

    def __post_init__(self, data_digests: array | None) -> None:
        # The home page, dumps, endpoint and well-known VoID are named in the meta graphs but
        # served by their own routes.
        self.part_dumps = {dump.name: dump for part in self.parts for dump in part.dumps}
        self.part_datasets = {part_iri(self.base_url, part): part for part in self.parts}
        urls = self.urls
        served_elsewhere = ({urls.at(name) for name in self.dumps | self.part_dumps}
                            | {urls.iri(name) for name in ("sparql", "changes", "void")} | {urls.at("")})
        # Removed and merged resources answer 410 and 301 (publisher.lifecycle), not 200.
        self.lifecycle = lifecycle(self.data.graph, self.base_url)
        self.resources = ResourceSet(digests(self._data_iris()) if data_digests is None else data_digests,
                                     resource_iris(self.void, self.base_url) | resource_iris(self.catalog, self.base_url),
                                     served_elsewhere | self.lifecycle.gone | self.lifecycle.moved.keys(),
                                     self._data_iris)
        # Held while files are written into this snapshot's folder (its sitemaps), so that
        # `discard` never removes a folder being written.
        self.files_lock = threading.Lock()

    def _data_iris(self) -> set[URIRef]:
        return resource_iris(self.data.graph, self.base_url)

    def discard(self) -> None:
        """Remove this snapshot's dumps and store from disk, once nothing serves them any more.

        Not while its sitemaps are being written (seconds at 100,000 events): the request
        writing them gets them whole, and no file lands in a folder being removed."""
        with self.files_lock:
            for folder in (self.directory, self.copy):
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)

    @cached_property
    def changes(self) -> list[Change]:
        """The data's history, newest first (publisher.history); computed on first use."""
        return history(self.settings.data_paths, self.graph, self.base_url, self.modified, self.described)

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    @property
    def graph(self) -> Graph:
        return self.data.graph

    @property
    def dataset(self) -> URIRef:
        return self.urls.dataset

    @property
    def catalog_iri(self) -> URIRef:
        return self.urls.catalog

    def catalog_datasets(self) -> list[tuple[datetime, URIRef]]:
        """Every dataset of the catalog with when it last changed (the whole: when any part did)."""
        return [(self.modified, self.dataset)] + [(part.modified, iri) for iri, part in self.part_datasets.items()]

    def catalog_view(self, page: int = 1, since: datetime | None = None) -> Graph:
        return catalog_view(self.catalog, self.base_url, self.catalog_datasets(), page,
                            self.settings.catalog_page_size, since)

    def catalog_pages(self, since: datetime | None = None) -> int:
        count = len(changed_since(self.catalog_datasets(), since))
        return max(1, -(-count // self.settings.catalog_page_size))

    @cached_property
    def urls(self) -> Urls:
        return Urls(self.base_url, self.home, self.query_page, self.site.languages)

    @property
    def query_page(self) -> str | None:
        """Where people query the data: this server's page, an external endpoint, or nowhere."""
        endpoint = sparql_endpoint(self.settings)
        return None if endpoint is None else str(endpoint)

    def is_main_event(self, iri: URIRef) -> bool:
        return is_main_event(self.graph, iri)


def sparql_endpoint(settings: Settings) -> URIRef | None:
    if settings.serve_sparql:
        return Urls(settings.base_url).iri("sparql")
    return URIRef(settings.external_sparql) if settings.external_sparql else None
