"""Data files → one RDF graph, with relative IRIs resolved against the base URL.

Each file is parsed on its own so that a syntax error names its file, line and column, and so
that every resource can be traced back to the file (and line) that describes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from publisher.labels import LABEL_PROPERTIES, label, pick_literal
from publisher.store.terms import to_oxigraph, to_rdflib
from publisher.xml_chars import NOT_XML_CHAR


class DataError(Exception):
    """A data file that cannot be read or parsed, with where it went wrong."""

    def __init__(self, path: Path, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.path, self.message, self.line, self.column = path, message, line, column

    def __reduce__(self):  # it crosses from the process that prepares the data
        return DataError, (self.path, self.message, self.line, self.column)

    def location(self) -> str:
        parts = [str(self.path)] + [str(n) for n in (self.line, self.column) if n is not None]
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


@dataclass
class LoadedData:
    graph: Graph
    files: list[Path]
    base_url: str
    # The file that describes each subject: the report names it to the editor.
    origins: dict[URIRef, Path] = field(default_factory=dict)

    def origin_of(self, node) -> tuple[Path | None, int | None]:
        return _with_line(self.origins.get(node), node, self.base_url)

    def label(self, node, lang: str) -> str | None:
        return label(self.graph, node, lang)

    def triple_count(self) -> int:
        return len(self.graph)

    def ntriples(self) -> bytes:
        return self.graph.serialize(format="nt", encoding="utf-8")

    def store(self) -> ox.Store:
        """The graph in an in-memory pyoxigraph store, for the SPARQL validator.

        Characters XML cannot carry, which pyoxigraph may refuse, are replaced by U+FFFD in
        literals, and a triple with such an IRI is left out: validation reports them from the
        graph itself (publisher.publishing_rules), so the rest of the data is still checked."""
        store = ox.Store()
        store.bulk_extend(_holdable_quads(self.graph))
        return store


@dataclass
class StoredData:
    """The data files parsed by pyoxigraph into a store, one named graph a file: what `validate`
    reads without building an rdflib graph (Rust parses millions of triples a second)."""
    stored: ox.Store
    files: list[Path]
    base_url: str

    def store(self) -> ox.Store:
        return self.stored

    def triple_count(self) -> int:
        return int(next(iter(self.stored.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")))["n"].value)

    def ntriples(self) -> bytes:
        """Every file's triples as one N-Triples document (a triple in two files, twice)."""
        quads = (ox.Quad(q.subject, q.predicate, q.object) for q in self.stored.quads_for_pattern(None, None, None))
        return ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES) or b""

    def __post_init__(self) -> None:
        self._graphs = {ox.NamedNode(f.resolve().as_uri()): f for f in self.files}
        self._order = {f: n for n, f in enumerate(self.files)}  # one file an event: thousands of files
        self._origins: dict = {}
        self._labels: dict = {}

    def origin_of(self, node) -> tuple[Path | None, int | None]:
        if isinstance(node, Literal):  # a literal focus node (sh:targetObjectsOf) is described nowhere
            return None, None
        if node not in self._origins:  # a node with several problems is looked up once
            self._origins[node] = _with_line(self._file_of(to_oxigraph(node)), node, self.base_url)
        return self._origins[node]

    def _file_of(self, subject) -> Path | None:
        if len(self.files) == 1:
            return self.files[0] if next(self.stored.quads_for_pattern(subject, None, None), None) else None
        found = {self._graphs[row["g"]] for row in self.stored.query(
            "SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }", substitutions={ox.Variable("s"): subject})}
        return min(found, key=self._order.__getitem__, default=None)  # the first file, as `load` names it

    def label(self, node, lang: str) -> str | None:
        if isinstance(node, Literal):
            return None
        if (node, lang) not in self._labels:
            self._labels[node, lang] = self._label(to_oxigraph(node), lang)
        return self._labels[node, lang]

    def _label(self, subject, lang: str) -> str | None:
        for predicate in LABEL_PROPERTIES:
            literal = pick_literal([q.object for q in self.stored.quads_for_pattern(
                subject, ox.NamedNode(str(predicate)), None)], lang)
            if literal is not None:
                return literal.value
        return None


def _with_line(path: Path | None, node, base_url: str) -> tuple[Path | None, int | None]:
    if path is None or not isinstance(node, URIRef):
        return path, None
    return path, line_of_subject(path, node, base_url)


def _holdable_quads(graph: Graph):
    for triple in graph:
        subject, predicate, obj = triple
        if isinstance(obj, Literal) and NOT_XML_CHAR.search(obj):
            obj = Literal(NOT_XML_CHAR.sub("\ufffd", obj), lang=obj.language, datatype=obj.datatype)
        try:
            yield ox.Quad(to_oxigraph(subject), to_oxigraph(predicate), to_oxigraph(obj))
        except (ValueError, UnicodeEncodeError):
            if not any(NOT_XML_CHAR.search(term) for term in triple):
                raise
            # else: an IRI validation reports


def load_stored(paths, base_url: str) -> StoredData | LoadedData:
    """The files in a pyoxigraph store; if pyoxigraph refuses one, rdflib reads them all as
    `load` does (and its error, with file, line and hint, is the one an editor sees).

    If rdflib reads them, they hold what rdflib lets through and pyoxigraph does not: characters
    XML cannot carry, which validation reports resource by resource, or else an error that
    would stop `serve` and `build` too, so it is pyoxigraph's, here."""
    files = data_files(paths)
    store = ox.Store()
    for path in files:
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base_url,
                            to_graph=ox.NamedNode(path.resolve().as_uri()))
        except (SyntaxError, OSError, ValueError) as error:
            data = load(paths, base_url)
            if not any(NOT_XML_CHAR.search(term) for triple in data.graph for term in triple):
                raise _refused(path, error) from None
            return data
    if not files:
        return load(paths, base_url)
    return StoredData(stored=store, files=files, base_url=base_url)


def load_into_store(paths, base_url: str, path: Path) -> tuple[list[Path], dict[URIRef, Path]]:
    """Every data file into the default graph of a new on-disk store at `path`, compacted for
    read-only use; returns the files and, when they are several, the first file that describes
    each subject (for the parts of the publication), found in the same single parse. A file
    pyoxigraph refuses raises DataError (rdflib's message when rdflib refuses it too: it names
    line and column, with a hint)."""
    files = data_files(paths)
    if not files:
        raise DataError(Path(", ".join(str(p) for p in paths)), "no data files (*.ttl) found")
    store = ox.Store(str(path))
    origins: dict[URIRef, Path] = {}
    for file in files:
        try:
            if len(files) == 1:  # no parts: the whole file in Rust, never a quad in Python
                store.bulk_load(path=str(file), format=ox.RdfFormat.TURTLE, base_iri=base_url)
            else:
                store.bulk_extend(_noting_origins(file, base_url, origins))
        except (SyntaxError, OSError, ValueError) as error:
            parse_file(file, base_url)  # raises DataError with rdflib's explanation, if it has one
            raise _refused(file, error) from None
    # A bulk load leaves many unsorted files; read-only readers never compact them, and at
    # 100,000 events queries ran 2-3x slower than on a compacted store (bench/results).
    store.optimize()
    store.flush()
    del store
    release_freed_memory()
    return files, origins


def _noting_origins(file: Path, base_url: str, origins: dict[URIRef, Path]):
    for quad in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE, base_iri=base_url):
        origins.setdefault(to_rdflib(quad.subject), file)
        yield quad


def _refused(file: Path, error: Exception) -> DataError:
    return DataError(file, f"cannot parse the file: {error}")


def release_freed_memory() -> None:
    """Give freed memory back to the system: glibc keeps it for reuse, and after a bulk load
    and the whole-graph queries of a snapshot, a serving worker at 100,000 events kept
    hundreds of MB it never used again."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def data_files(paths: list[Path] | tuple[Path, ...]) -> list[Path]:
    """Files named directly, and every *.ttl below named folders, in a stable order. One that is
    there but not a plain file (a named pipe would block its reader for good) is refused."""
    files = _listed(paths)
    for file in files:
        if file.exists() and not file.is_file():
            raise DataError(file, "not a plain file (a folder, named pipe, socket or device): "
                                  "a data file must be a regular file")
    return files


def _listed(paths) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.ttl")))
        else:
            files.append(path)
    return files


def fingerprint(paths) -> str:
    """Which files, at which size and modification time: equal fingerprints, same data."""
    import hashlib

    parts = []
    for path in _listed(paths):  # stat only: never opens a file
        try:
            stat = path.stat()
            parts.append(f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{path}\0missing")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _syntax_error(path: Path, error: BadSyntax) -> DataError:
    # rdflib keeps the source as bytes but its offset counts decoded characters.
    source = error._str.decode("utf-8", "replace") if isinstance(error._str, bytes) else str(error._str)
    offset = min(error._i, len(source))
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    hint = " — is a ';' or '.' missing at the end of the line before?" if "expected '.'" in error._why else ""
    return DataError(path, f"Turtle syntax error: {error._why}{hint}", line, column)


def parse_file(path: Path, base_url: str) -> Graph:
    graph = Graph()
    try:
        text = path.read_bytes()
    except OSError as error:
        raise DataError(path, f"cannot read the file: {error.strerror or error}") from None
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as error:
        line = text.count(b"\n", 0, error.start) + 1
        raise DataError(path, "the file is not UTF-8 text", line) from None
    try:
        graph.parse(data=text, format="turtle", publicID=base_url)
    except BadSyntax as error:
        raise _syntax_error(path, error) from None
    except Exception as error:  # rdflib raises several types for bad terms; all are data errors
        raise DataError(path, f"cannot parse the file: {error}") from None
    return graph


def load(paths, base_url: str) -> LoadedData:
    files = data_files(paths)
    if not files:
        raise DataError(Path(", ".join(str(p) for p in paths)), "no data files (*.ttl) found")
    merged = Graph()
    origins: dict[URIRef, Path] = {}
    for path in files:
        graph = parse_file(path, base_url)
        for subject in graph.subjects(unique=True):
            origins.setdefault(subject, path)
        merged += graph
    return LoadedData(graph=merged, files=files, base_url=base_url, origins=origins)


def line_of_subject(path: Path, iri: URIRef, base_url: str) -> int | None:
    """The line where the file starts describing `iri` (written relative or absolute)."""
    try:
        index = _subject_lines(path, path.stat().st_mtime_ns)
    except OSError:
        return None
    text = str(iri)
    relative = text[len(base_url):] if text.startswith(base_url) else None
    for form in (relative, text):
        if form is None:
            continue
        for margin in (True, False):  # a description starts at the left margin; indented is a fallback
            line = index.get((form, margin))
            if line is not None:
                return line
    return None


_IRI_AT_START = re.compile(r"^(\s*)<([^>\s]*)>\s")


@lru_cache(maxsize=64)
def _subject_lines(path: Path, _mtime_ns: int) -> dict[tuple[str, bool], int]:
    """For each IRI that starts a line: the first line, at the margin and indented (read once per version)."""
    index: dict[tuple[str, bool], int] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return index
    for number, text in enumerate(lines, start=1):
        match = _IRI_AT_START.match(text)
        if match:
            index.setdefault((match.group(2), match.group(1) == ""), number)
    return index
