"""The SHACL gate, and a report a city editor can act on.

Each problem names the resource by its label (in the chosen language), the fact (property),
the message from the shape in Polish or English, and the file and line that describe it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, URIRef

from publisher.load import DataError, LoadedData, data_files, parse_file
from publisher.labels import label, pick_literal
from publisher.namespaces import PREFIXES, PS, SH

SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
SEVERITY_ORDER = ["violation", "warning", "info"]

WORDS = {
    "pl": {
        "violation": "BŁĄD", "warning": "OSTRZEŻENIE", "info": "UWAGA",
        "ok": "Dane są zgodne z kształtami SHACL.",
        "bad": "Dane NIE są zgodne z kształtami SHACL — popraw błędy powyżej.",
        "summary": "błędy: {violation}, ostrzeżenia: {warning}, uwagi: {info}",
        "value": "wartość",
        "quote": "„{}”",
        "files": "Sprawdzone pliki",
    },
    "en": {
        "violation": "ERROR", "warning": "WARNING", "info": "NOTE",
        "ok": "The data conforms to the SHACL shapes.",
        "bad": "The data does NOT conform to the SHACL shapes — fix the errors above.",
        "summary": "errors: {violation}, warnings: {warning}, notes: {info}",
        "value": "value",
        "quote": "“{}”",
        "files": "Files checked",
    },
}


@dataclass
class Problem:
    severity: str
    node: str
    label: str
    path: str | None
    message: str
    file: str | None
    line: int | None
    value: str | None


@dataclass
class Report:
    problems: list[Problem]
    files: list[str]

    @property
    def conforms(self) -> bool:
        return not any(p.severity == "violation" for p in self.problems)

    def count(self, severity: str) -> int:
        return sum(p.severity == severity for p in self.problems)

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "counts": {s: self.count(s) for s in SEVERITY_ORDER},
                "files": self.files,
                "problems": [asdict(p) for p in self.problems],
            },
            ensure_ascii=False,
            indent=2,
        )

    def to_text(self, lang: str = "pl") -> str:
        words = WORDS[lang]
        lines: list[str] = []
        for p in self.problems:
            where = f"{p.file}:{p.line}" if p.file and p.line else (p.file or "?")
            lines.append(f"{words[p.severity]}  {where}  {words['quote'].format(p.label)} <{p.node}>")
            fact = f"{p.path}: " if p.path else ""
            lines.append(f"    {fact}{p.message}")
            if p.value is not None and p.value != p.node:
                lines.append(f"    {words['value']}: {p.value}")
        lines.append(f"{words['files']}: {', '.join(self.files)}")
        lines.append(words["summary"].format(**{s: self.count(s) for s in SEVERITY_ORDER}))
        lines.append(words["ok"] if self.conforms else words["bad"])
        return "\n".join(lines)


def load_shapes(path: Path) -> Graph:
    shapes = Graph()
    for file in data_files([path]):
        try:
            shapes += parse_file(file, "urn:publisher:shapes:")
        except DataError as error:
            raise DataError(error.path, f"shapes file: {error.message}", error.line, error.column) from None
    return shapes


def display_path(path: Path) -> str:
    """Paths below the working directory are shown relative: shorter, and what the editor typed."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def _shorten(term, base_url: str) -> str:
    text = str(term)
    if isinstance(term, URIRef):
        if text.startswith(base_url):
            return text[len(base_url):]
        for prefix, namespace in PREFIXES.items():
            if text.startswith(str(namespace)):
                return f"{prefix}:{text[len(str(namespace)):]}"
    return text


def validate(data: LoadedData, shapes: Graph, lang: str = "pl") -> Report:
    _conforms, results, _text = pyshacl.validate(
        data.graph, shacl_graph=shapes, inference="none", allow_warnings=True, allow_infos=True
    )
    problems = []
    for result in results.subjects(SH.resultSeverity, None):
        problems.append(_problem(data, shapes, results, result, lang))
    problems.sort(key=lambda p: (SEVERITY_ORDER.index(p.severity), p.file or "", p.line or 0, p.node, p.path or ""))
    return Report(problems=problems, files=[display_path(f) for f in data.files])


def _problem(data: LoadedData, shapes: Graph, results: Graph, result, lang: str) -> Problem:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    if path is None:  # node-level rules (sh:or) name their fact with ps:reportPath
        path = shapes.value(results.value(result, SH.sourceShape), PS.reportPath)
    message = str(pick_literal(results.objects(result, SH.resultMessage), lang) or "?")
    value = results.value(result, SH.value)
    file, line = data.origin_of(focus)
    base = data.base_url
    return Problem(
        severity=SEVERITY.get(results.value(result, SH.resultSeverity), "violation"),
        node=_shorten(focus, base) if not isinstance(focus, BNode) else "_:" + str(focus),
        label=label(data.graph, focus, lang) or _shorten(focus, base),
        path=_shorten(path, base) if isinstance(path, URIRef) else None,
        message=message,
        file=display_path(file) if file else None,
        line=line,
        value=_shorten(value, base) if value is not None else None,
    )
