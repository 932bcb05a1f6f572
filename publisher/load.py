"""Data files → one RDF graph, with relative IRIs resolved against the base URL.

Each file is parsed on its own so that a syntax error names its file, line and column, and so
that every resource can be traced back to the file (and line) that describes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax


class DataError(Exception):
    """A data file that cannot be read or parsed, with where it went wrong."""

    def __init__(self, path: Path, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.path, self.message, self.line, self.column = path, message, line, column

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
        path = self.origins.get(node)
        if path is None or not isinstance(node, URIRef):
            return path, None
        return path, line_of_subject(path, node, self.base_url)


def data_files(paths: list[Path] | tuple[Path, ...]) -> list[Path]:
    """Files named directly, and every *.ttl below named folders, in a stable order."""
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
    for path in data_files(paths):
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
