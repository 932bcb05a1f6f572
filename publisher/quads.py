"""The graphs of quads (N-Quads, TriG): a statement is in the graph of the dataset of the data
file that describes its subject, the catalog's dataset of that file, whose own download holds
exactly that graph's statements. A publication of one file has no such datasets: its
statements are in the default graph.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from publisher.catalog import part_iri
from publisher.file_datasets import Part
from publisher.formats import NTRIPLES


def named_graph_files(parts: list[Part], base_url: str) -> list[tuple[str, Path]]:
    """(graph IRI, the N-Triples download of its statements) for each data file's dataset."""
    return [(str(part_iri(base_url, part)), next(dump.path for dump in part.dumps if dump.format is NTRIPLES))
            for part in parts]


def graph_names(parts: list[Part], origins: dict[URIRef, Path], base_url: str) -> dict[URIRef, str]:
    """Each subject's graph: the dataset of the first file that describes it (`origins`, noted
    when the files were loaded: publisher.load.load_into_store)."""
    if not parts:
        return {}
    datasets = {part.file: str(part_iri(base_url, part)) for part in parts}
    return {subject: datasets[file] for subject, file in origins.items() if file in datasets}
