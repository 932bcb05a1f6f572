"""Whole-graph dumps, written once per snapshot to files that are then streamed.

The dumps of the whole data are written by pyoxigraph straight from the snapshot's store, in the
store's order (by subject, the same in every process for the same data): nothing the size of the
data is held in Python, which at 100,000 events would be gigabytes. JSON-LD dumps are expanded
JSON-LD (what a streaming writer can write); documents keep their compact form with a context.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from publisher.addresses import ROUTES
from publisher.etag import etag_hasher
from publisher.formats import DUMP_FORMATS, Format
from publisher.namespaces import PREFIXES
from publisher.represent.rdf import SERIALIZERS

GZIP = "application/gzip"
CHUNK = 1 << 20


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
    return ROUTES["dump"].fill({"extension": fmt.extension + (".gz" if compressed else "")})


def _described(path: Path, name: str, fmt: Format, compressed: bool) -> DumpFile:
    """The file's size, ETag and SHA-256, read in chunks."""
    sha256, etag = hashlib.sha256(), etag_hasher()
    with path.open("rb") as body:
        while chunk := body.read(CHUNK):
            sha256.update(chunk)
            etag.update(chunk)
    return DumpFile(name=name, path=path, media_type=GZIP if compressed else fmt.media_type, format=fmt,
                    compressed=compressed, size=path.stat().st_size, etag=etag.hexdigest(),
                    sha256=sha256.hexdigest())


def _prefixes() -> dict[str, str]:
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def write_dump(graph: Graph, directory: Path, name: str, fmt: Format) -> DumpFile:
    """One uncompressed dump of a small graph (a part of the publication), at `name` below the
    base URL (e.g. data/x.nt): written as documents are, declaring every prefix."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(SERIALIZERS[fmt.key].write(graph, fmt, _prefixes()))
    return _described(path, name, fmt, compressed=False)


def write_dumps(store: ox.Store, directory: Path, named: list[tuple[str, Path]] = ()) -> dict[str, DumpFile]:
    """The store's default graph in every dump format, plain and gzipped; with `named` (graph IRI,
    N-Triples file of its statements), the formats of quads name those graphs instead.

    One thread a format: pyoxigraph writes without the GIL, and decoding the store's terms is
    most of the time (~20 s a format at 100,000 events)."""
    directory.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(len(DUMP_FORMATS)) as pool:
        written = list(pool.map(lambda fmt: _write_dump(store, directory, fmt, named), DUMP_FORMATS))
    return {dump.name: dump for pair in written for dump in pair}


def _write_dump(store: ox.Store, directory: Path, fmt: Format, named: list[tuple[str, Path]]) -> tuple[DumpFile, DumpFile]:
    path = directory / dump_name(fmt, False)
    if named and fmt.quads:
        ox.serialize(_named_quads(named), str(path), format=fmt.oxigraph, prefixes=_prefixes())
    else:
        # Formats without prefixes (N-Triples) ignore them.
        store.dump(str(path), format=fmt.oxigraph, from_graph=ox.DefaultGraph(), prefixes=_prefixes())
    packed = directory / dump_name(fmt, True)
    # mtime=0 keeps the gzip bytes (and so the ETag) stable across runs; level 6 is ~3x
    # faster than 9 on hundreds of megabytes, for files a few per cent larger.
    with path.open("rb") as plain, gzip.GzipFile(packed, "wb", compresslevel=6, mtime=0) as out:
        shutil.copyfileobj(plain, out, CHUNK)
    return _described(path, path.name, fmt, compressed=False), _described(packed, packed.name, fmt, compressed=True)


def _named_quads(named: list[tuple[str, Path]]):
    """Each file's statements in its graph, graph after graph (TriG writes each graph once)."""
    for graph, path in named:
        name = ox.NamedNode(graph)
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, name)
