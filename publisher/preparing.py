"""Making a snapshot: load the data files, validate them, and prepare everything read from the
whole graph (store, dumps, VoID, catalog, the resource set) — or refuse the data with its report.

A snapshot is made whole or not at all: the caller keeps serving the last one until a new one
is returned (publisher.snapshot).
"""

from __future__ import annotations

import multiprocessing
import shutil
from array import array
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph, URIRef

from publisher.addresses import Urls
from publisher.catalog import build_catalog
from publisher.config import Handover, Settings
from publisher.describe import resource_iris
from publisher.dumps import DumpFile, write_dumps
from publisher.event_kinds import is_main_event
from publisher.file_datasets import Part, data_parts, file_shares, part_name
from publisher.history import file_modified
from publisher.load import (DataError, LoadedData, StoredData, data_files, fingerprint, load_into_store, load_stored,
                            release_freed_memory)
from publisher.namespaces import SCHEMA
from publisher.quads import graph_names, named_graph_files
from publisher.resource_set import digests
from publisher.site import Site, read_site, required_languages
from publisher.snapshot import Snapshot, sparql_endpoint
from publisher.store.oxigraph_graph import memory_graph, store_graph
from publisher.store.remote import Publication, RemoteStore
from publisher.validate import Report, load_shapes, validate
from publisher.void import build_void, graph_stats
from publisher.working_dirs import scratch_dir


T = TypeVar("T")


class InvalidData(Exception):
    """The data does not conform to the shapes; `report` says why."""

    def __init__(self, report: Report):
        super().__init__("the data does not conform to the SHACL shapes")
        self.report = report


def _home_event(graph: Graph) -> URIRef | None:
    """The earliest main event: the home page shows it."""
    candidates = [(str(start), str(event), event) for event, start in graph.subject_objects(SCHEMA.startDate)
                  if isinstance(event, URIRef) and is_main_event(graph, event)]
    return min(candidates)[2] if candidates else None


def check_data(settings: Settings, lang: str = "en", processes: int = 1,
               handover: Handover = Handover()) -> StoredData | LoadedData | None:
    """Validate the data files; raises DataError or InvalidData (with its report in `lang`).

    Returns the data as validation read it, or None when files whose fingerprint the serving
    master has just validated are not validated again.
    """
    if handover.validated is not None and handover.validated == fingerprint(settings.data_paths):
        return None
    data = load_stored(settings.data_paths, settings.base_url)
    shapes = load_shapes(settings.shapes_path, required_languages(settings.site_description, settings.base_url))
    report = validate(data, shapes, lang=lang, processes=processes)
    if not report.conforms:
        raise InvalidData(report)
    return data


@dataclass(frozen=True)
class Refused:
    """Data that was not taken, and why, in words for its editor: the validation report, or
    where a file could not be read or parsed (`unreadable`)."""
    text: str
    unreadable: bool


def unless_refused(make: Callable[[], T], lang: str = "en") -> T | Refused:
    """`make()` (a validation, a snapshot, the site description), or why its data was refused.

    The one place that decides what bad data is: the command line ends with the report, a
    reload and the watcher log it and keep serving the last valid snapshot."""
    try:
        return make()
    except DataError as error:
        return Refused(str(error), unreadable=True)
    except InvalidData as refused:
        return Refused(refused.report.to_text(lang), unreadable=False)


def publish_to_store(settings: Settings, data: StoredData | LoadedData) -> Publication:
    """Validated data into the remote store that `serve --store` names, one graph a data file
    (its part of the publication), with the file's name and time: what the workers copy.
    Raises StoreError (publisher.store.remote), and then the store serves what it served."""
    modified, shares = file_modified(data.files), file_shares(data)
    return RemoteStore.from_settings(settings).publish(
        [(part_name(file, settings.data_paths), modified[file].timestamp(), shares[file]) for file in data.files])


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
    graph_names: dict[URIRef, str]  # publisher.quads


def prepare(settings: Settings, handover: Handover, directory: Path) -> Prepared:
    """Load the data files into a new store in `directory` and do everything that reads the
    whole graph: the dumps, the parts, the home event, VoID and the catalog, the resources."""
    files, origins = load_into_store(settings.data_paths, settings.base_url, directory / "oxigraph")
    store = ox.Store.read_only(str(directory / "oxigraph"))
    graph = store_graph(store)
    data = LoadedData(graph=graph, files=files, base_url=settings.base_url, origins=origins)
    file_times = file_modified(files)
    modified = max(file_times.values())  # a copy from a remote store has its files' times
    parts = data_parts(data, settings.data_paths, file_times, directory)
    dumps = write_dumps(store, directory, named_graph_files(parts, settings.base_url))
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
                    catalog=catalog, digests=digests(resource_iris(graph, settings.base_url)),
                    graph_names=graph_names(parts, origins, settings.base_url))


# Data files larger than this are prepared in a child process: what the whole-graph work leaves
# in a process (the store's caches, freed memory kept for reuse) is then returned when it ends,
# and a serving worker at 100,000 events holds ~200 MB instead of ~450 MB.
PREPARE_ELSEWHERE_BYTES = 8 * 1024 * 1024


class _PreparedHere:
    """Small data: prepared in this process, when its result is asked for."""

    def __init__(self, settings: Settings, handover: Handover, directory: Path):
        self.settings, self.handover, self.directory = settings, handover, directory

    def result(self) -> Prepared:
        return prepare(self.settings, self.handover, self.directory)

    def stop(self) -> None:
        pass


class _PreparingElsewhere:
    """The whole-graph work in a child process, running from the moment this is made.

    A plain process and a pipe: no helper threads in this process, which may fork to validate.
    """

    def __init__(self, settings: Settings, handover: Handover, directory: Path):
        context = multiprocessing.get_context("spawn")
        self._answer, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_prepare_elsewhere, args=(sender, settings, handover, directory),
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


def _preparing(settings: Settings, handover: Handover, directory: Path) -> _PreparedHere | _PreparingElsewhere:
    size = sum(f.stat().st_size for f in data_files(settings.data_paths) if f.exists())
    return (_PreparedHere if size <= PREPARE_ELSEWHERE_BYTES else _PreparingElsewhere)(settings, handover, directory)


def _with_prefixes(graph: Graph, prefixes: list) -> Graph:
    """A pickled rdflib graph comes back with rdflib's default prefixes, not its own; documents
    declare the prefixes they use, so the graph gets exactly its own back."""
    restored = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes:
        restored.bind(prefix, namespace, override=True, replace=True)
    restored += graph
    return restored


def _prepare_elsewhere(sender, settings: Settings, handover: Handover, directory: Path) -> None:
    try:
        prepared = prepare(settings, handover, directory)
        outcome = prepared, (list(prepared.void.namespaces()), list(prepared.catalog.namespaces()))
    except Exception as error:  # handed over, raised where the result is asked for
        outcome = error
    try:
        sender.send(outcome)
    except Exception as error:  # an error that cannot cross processes: its words can
        sender.send(RuntimeError(f"preparing the data failed: {outcome if isinstance(outcome, Exception) else error}"))


def build_snapshot(settings: Settings, lang: str = "en", processes: int = 1, in_memory: bool = False,
                   handover: Handover = Handover()) -> Snapshot:
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
            preparing = _preparing(settings, handover, directory)
        checked = check_data(settings, lang, processes, handover)
        preparing = preparing or _preparing(settings, handover, directory)
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
                        data_digests=prepared.digests, graph_names=prepared.graph_names)
    release_freed_memory()
    return snapshot
