"""A publication of several data files: each file is a dataset of its own in the catalog.

An edition is a file (data/editions/…), so a portal sees which edition changed: each part has
its own modification time (its last commit, see publisher.history) and its own downloads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from publisher.addresses import ROUTES
from publisher.dumps import DumpFile, write_dump
from publisher.formats import PART_FORMATS
from publisher.load import LoadedData, StoredData
from publisher.namespaces import SCHEMA
from publisher.event_kinds import is_main_event, is_series
from publisher.store.terms import to_oxigraph


@dataclass(frozen=True)
class Part:
    name: str  # the file's path below its data folder, without ".ttl": "editions/miejsca-otwarte-2021"
    file: Path
    modified: datetime
    dumps: tuple[DumpFile, ...]
    # The series and main events the file describes, by start date: what the part is about.
    main: tuple[URIRef, ...]


def part_name(file: Path, data_paths) -> str:
    for root in data_paths:
        root = Path(root)
        if root.is_dir() and file.resolve().is_relative_to(root.resolve()):
            return str(file.resolve().relative_to(root.resolve()).with_suffix(""))
    return file.stem


def data_parts(data: LoadedData, data_paths, modified: dict[Path, datetime], directory: Path) -> list[Part]:
    """One part a file, with its triples (those about the subjects it describes) as downloads.

    A publication of one file is one dataset: then there are no parts.
    """
    if len(data.files) < 2:
        return []
    graphs = {file: Graph() for file in data.files}
    for triple in data.graph:
        origin = data.origins.get(triple[0])
        if origin in graphs:
            graphs[origin].add(triple)
    parts = []
    for file in data.files:
        name = part_name(file, data_paths)
        graph = graphs[file]
        dumps = tuple(write_dump(graph, directory, ROUTES["file_dump"].fill({"extension": f"{name}.{fmt.extension}"}), fmt)
                      for fmt in PART_FORMATS)
        main = sorted((str(data.graph.value(s, SCHEMA.startDate) or ""), str(s), s)
                      for s in set(graph.subjects()) if isinstance(s, URIRef)
                      and (is_series(data.graph, s) or is_main_event(data.graph, s)))
        parts.append(Part(name=name, file=file, modified=modified[file], dumps=dumps,
                          main=tuple(s for _start, _iri, s in main)))
    return parts


def file_shares(data: StoredData | LoadedData) -> dict[Path, bytes]:
    """Each file's share of the data as N-Triples: the triples about the subjects it is the first
    to describe, as `data_parts` splits them (a triple in two files, once)."""
    shares: dict[Path, set] = defaultdict(set)
    if isinstance(data, StoredData):  # one graph a file
        origins: dict = {}
        for file in data.files:  # in their order: a subject's first file takes its triples
            for quad in data.stored.quads_for_pattern(None, None, None, ox.NamedNode(file.resolve().as_uri())):
                origins.setdefault(quad.subject, file)
        for quad in data.stored.quads_for_pattern(None, None, None):
            shares[origins[quad.subject]].add(quad.triple)
    else:
        for triple in data.graph:
            shares[data.origins[triple[0]]].add(ox.Triple(*map(to_oxigraph, triple)))
    return {file: ox.serialize(shares[file], format=ox.RdfFormat.N_TRIPLES) or b"" for file in data.files}
