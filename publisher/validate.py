"""The SHACL gate, and a report a city editor can act on.

Each problem names the resource by its label (in the chosen language), the fact (property),
the message from the shape in Polish or English, and the file and line that describe it.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from publisher.load import DataError, LoadedData, StoredData, data_files, load, parse_file
from publisher.store.terms import to_rdflib
from publisher.i18n import translations
from publisher.labels import pick_literal
from publisher.publishing_rules import findings
from publisher.shacl_sparql import TARGETS, Check, Unsupported, compile_shapes, has_subclasses, targeted_shapes
from publisher.namespaces import PREFIXES, PS, SH
from publisher.xml_chars import visible

SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
SEVERITY_ORDER = ["violation", "warning", "info"]

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
        """The report for people, in `lang` (the catalogue shipped in site/translations)."""
        _ = translations(lang).gettext
        words = {"violation": _("ERROR"), "warning": _("WARNING"), "info": _("NOTE")}
        lines: list[str] = []
        for p in self.problems:
            where = f"{p.file}:{p.line}" if p.file and p.line else (p.file or "?")
            lines.append(f"{words[p.severity]}  {where}  {_('“%s”') % p.label} <{p.node}>")
            fact = f"{p.path}: " if p.path else ""
            lines.append(f"    {fact}{p.message}")
            if p.value is not None and p.value != p.node:
                lines.append(f"    {_('value')}: {p.value}")
        lines.append(f"{_('Files checked')}: {', '.join(self.files)}")
        lines.append(_("errors: %(violation)d, warnings: %(warning)d, notes: %(info)d")
                     % {s: self.count(s) for s in SEVERITY_ORDER})
        lines.append(_("The data conforms to the SHACL shapes.") if self.conforms
                     else _("The data does NOT conform to the SHACL shapes — fix the errors above."))
        return "\n".join(lines)


def load_shapes(path: Path, required_languages: tuple[str, ...] | None = None) -> Graph:
    """The shapes; with `required_languages`, a text the shapes require in another language is
    only recommended (a warning), so data in the site's required languages validates."""
    shapes = Graph()
    for file in data_files([path]):
        try:
            shapes += parse_file(file, "urn:publisher:shapes:")
        except DataError as error:
            raise DataError(error.path, f"shapes file: {error.message}", error.line, error.column) from None
    if required_languages is not None:
        _recommend_other_languages(shapes, set(required_languages))
    return shapes


def _recommend_other_languages(shapes: Graph, required: set[str]) -> None:
    for shape, qualified in list(shapes.subject_objects(SH.qualifiedValueShape)):
        languages = shapes.value(qualified, SH.languageIn)
        if (languages is None or (shape, SH.qualifiedMinCount, None) not in shapes
                or required & {str(tag) for tag in Collection(shapes, languages)}):
            continue
        if shapes.value(shape, SH.severity) in (None, SH.Violation):
            shapes.set((shape, SH.severity, SH.Warning))


@lru_cache(maxsize=1024)
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


# Below this many triples one process validates: forking costs more than it saves.
PARALLEL_FROM = 20_000


@dataclass(frozen=True)
class Result:
    """One SHACL result, as plain terms of the data graph (so it can cross processes)."""
    severity: URIRef
    focus: object
    path: object
    messages: tuple
    value: object


def validate(data: LoadedData | StoredData, shapes: Graph, lang: str = "pl", processes: int = 1,
             engine: str = "auto") -> Report:
    """Check the data against the shapes.

    The shapes compiled to SPARQL over a pyoxigraph store (publisher.shacl_sparql) when they
    compile, else pySHACL ("auto"); or either by name. `processes` > 1: the SPARQL checks run
    in that many threads; pySHACL (with enough data) deals the shapes out to forked processes,
    each checking its share over the whole graph, so callers must then be single-threaded (the
    CLI is; a serving worker is not).
    """
    checks = None
    store = data.store()
    if engine != "pyshacl":
        try:
            checks = compile_shapes(shapes, subclasses=has_subclasses(store))
        except Unsupported:
            if engine == "sparql":
                raise
    if checks is not None:
        # What publishing needs beyond the shapes is checked meanwhile (the store answers
        # without the GIL): ~2 s at 10,000 events.
        with ThreadPoolExecutor(1) as side:
            publishing = side.submit(findings, store, data.base_url, _graph(data))
            results = _sparql_results(store, checks, processes)
            found = publishing.result()
    else:
        found = findings(store, data.base_url, _graph(data))  # before pySHACL may fork: no thread then
        if isinstance(data, StoredData):
            data = load(data.files, data.base_url)
        results = _results(data.graph, shapes, processes)
    results += [Result(severity=SH.Violation, focus=f.focus, path=f.path, messages=f.messages, value=f.value)
                for f in found]
    problems = _problems(data, results, lang)
    problems.sort(key=lambda p: (SEVERITY_ORDER.index(p.severity), p.file or "", p.line or 0, p.node, p.path or ""))
    return Report(problems=problems, files=[display_path(f) for f in data.files])


def _graph(data: LoadedData | StoredData) -> Graph | None:
    """The rdflib graph when there is one: it may hold what its store copy could not."""
    return data.graph if isinstance(data, LoadedData) else None


def _sparql_results(store, checks: list[Check], threads: int) -> list[Result]:
    def run(check: Check) -> list[Result]:
        solutions = store.query(check.query, use_default_graph_as_union=True)  # a named graph a file
        has_value = any(v.value == "value" for v in solutions.variables)
        return [Result(severity=check.severity, focus=to_rdflib(row["focus"]), path=check.path,
                       messages=check.messages, value=to_rdflib(row["value"]) if has_value else None)
                for row in solutions]

    # The store evaluates queries without holding the GIL: threads share it, no copies.
    with ThreadPoolExecutor(max(1, threads)) as pool:
        return [result for found in pool.map(run, checks) for result in found]


def _check(graph: Graph, shapes: Graph) -> list[Result]:
    _conforms, results, _text = pyshacl.validate(
        graph, shacl_graph=shapes, inference="none", allow_warnings=True, allow_infos=True
    )
    found = []
    # Top-level results only: sh:node and the logical constraints nest their reasons as sh:detail,
    # which would otherwise be listed again, with pySHACL's own English wording.
    for result in results.objects(None, SH.result):
        path = results.value(result, SH.resultPath)
        if path is None:  # node-level rules (sh:or) name their fact with ps:reportPath
            path = shapes.value(results.value(result, SH.sourceShape), PS.reportPath)
        found.append(Result(severity=results.value(result, SH.resultSeverity),
                            focus=results.value(result, SH.focusNode), path=path,
                            messages=tuple(results.objects(result, SH.resultMessage)),
                            value=results.value(result, SH.value)))
    return found


def deal_shapes(shapes: Graph, count: int) -> list[Graph]:
    """`count` shapes graphs, each with the targets of its share of the shapes only.

    Every targeted shape is checked in exactly one of them, so together they give the results
    of the whole; shares are balanced by the size of each shape's description (a proxy for its
    constraints).
    """
    roots = targeted_shapes(shapes)

    def size(shape) -> int:
        seen, stack = set(), [shape]
        while stack:
            node = stack.pop()
            if node in seen or isinstance(node, Literal):
                continue
            seen.add(node)
            stack.extend(o for _p, o in shapes.predicate_objects(node) if isinstance(o, BNode))
        return len(seen)

    shares: list[list] = [[] for _ in range(count)]
    weights = [0] * count
    for shape in sorted(roots, key=lambda s: (-size(s), str(s))):
        lightest = weights.index(min(weights))
        shares[lightest].append(shape)
        weights[lightest] += size(shape)
    graphs = []
    for share in shares:
        graph = Graph()
        graph += shapes
        for other in set(roots) - set(share):
            for target in TARGETS:
                graph.remove((other, target, None))
        graphs.append(graph)
    return graphs


_DATA: Graph | None = None  # the data graph, for the forked processes


def _check_share(shapes_ntriples: bytes) -> list[Result]:
    return _check(_DATA, Graph().parse(data=shapes_ntriples, format="nt"))


def _results(graph: Graph, shapes: Graph, processes: int) -> list[Result]:
    if processes <= 1 or len(graph) < PARALLEL_FROM:
        return _check(graph, shapes)
    global _DATA
    _DATA = graph
    # Twice as many shares as processes: one that finishes early takes the next share.
    shares = [g.serialize(format="nt", encoding="utf-8") for g in deal_shapes(shapes, 2 * processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return [result for found in pool.map(_check_share, shares, chunksize=1) for result in found]


def _problems(data: LoadedData, results: list[Result], lang: str) -> list[Problem]:
    """Each result as the report shows it. A check's results share its messages and path, and a
    node's its name, label and place in the files: each is worked out once (at 100,000 events
    215,000 notes made this a fifth of validating)."""
    base = data.base_url
    messages, paths, nodes = {}, {}, {}

    def message(found: tuple) -> str:
        # By identity: a check's results share one tuple, whose Literals are costly to hash, and
        # `results` keeps every tuple alive meanwhile.
        key = id(found)
        if key not in messages:
            messages[key] = str(pick_literal(found, lang) or "?")
        return messages[key]

    def path(term) -> str | None:
        if term not in paths:
            paths[term] = visible(_shorten(term, base)) if isinstance(term, URIRef) else None
        return paths[term]

    def node(focus) -> tuple[str, str, str | None, int | None]:
        if focus not in nodes:
            file, line = data.origin_of(focus)
            shown = _shorten(focus, base) if not isinstance(focus, BNode) else "_:" + str(focus)
            # Terms are shown with `visible`: a character the report is about must not stop it printing.
            nodes[focus] = (visible(shown), visible(data.label(focus, lang) or _shorten(focus, base)),
                            display_path(file) if file else None, line)
        return nodes[focus]

    problems = []
    for result in results:
        shown, label, file, line = node(result.focus)
        problems.append(Problem(
            severity=SEVERITY.get(result.severity, "violation"), node=shown, label=label, path=path(result.path),
            message=message(result.messages), file=file, line=line,
            value=visible(_shorten(result.value, base)) if result.value is not None else None))
    return problems
