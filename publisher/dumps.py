"""Whole-graph dumps, written once per snapshot to files that are then streamed."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from publisher.etag import etag_of
from publisher.namespaces import PREFIXES
from publisher.represent import JSONLD, NTRIPLES, TURTLE, Format
from publisher.represent.rdf import ntriples, ordered_quads, render_rdf, turtle

DUMP_FORMATS = (TURTLE, NTRIPLES, JSONLD)
GZIP = "application/gzip"


@dataclass(frozen=True)
class DumpFile:
    name: str
    path: Path
    media_type: str
    format: Format
    compressed: bool
    size: int
    etag: str
    sha256: str


def dump_name(fmt: Format, compressed: bool) -> str:
    return f"dump.{fmt.extension}" + (".gz" if compressed else "")


def _write(directory: Path, name: str, content: bytes, fmt: Format, compressed: bool) -> DumpFile:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return DumpFile(name=name, path=path, media_type=GZIP if compressed else fmt.media_type, format=fmt,
                    compressed=compressed, size=len(content), etag=etag_of(content),
                    sha256=hashlib.sha256(content).hexdigest())


class _Dump:
    """A whole graph to write in several formats; Turtle and N-Triples share one conversion of
    the graph to pyoxigraph's terms (publisher.represent.rdf)."""

    def __init__(self, graph: Graph, base_url: str):
        self.graph, self.base_url, self._quads = graph, base_url, None

    def render(self, fmt: Format) -> bytes:
        if fmt not in (TURTLE, NTRIPLES):
            return render_rdf(self.graph, fmt, self.base_url)
        if self._quads is None:
            self._quads = ordered_quads(self.graph)
        if fmt is NTRIPLES:
            return ntriples(self._quads)
        return turtle(self._quads, {prefix: str(namespace) for prefix, namespace in PREFIXES.items()})


def write_dump(graph: Graph, base_url: str, directory: Path, name: str, fmt: Format) -> DumpFile:
    """One uncompressed dump of `graph`, at `name` below the base URL (e.g. data/x.nt)."""
    return _write(directory, name, _Dump(graph, base_url).render(fmt), fmt, compressed=False)


def write_dumps(graph: Graph, base_url: str, directory: Path) -> dict[str, DumpFile]:
    directory.mkdir(parents=True, exist_ok=True)
    dumps = {}
    whole = _Dump(graph, base_url)
    for fmt in DUMP_FORMATS:
        body = whole.render(fmt)
        # mtime=0 keeps the gzip bytes (and so the ETag) stable across runs.
        for compressed, content in ((False, body), (True, gzip.compress(body, compresslevel=9, mtime=0))):
            name = dump_name(fmt, compressed)
            dumps[name] = _write(directory, name, content, fmt, compressed)
    return dumps
