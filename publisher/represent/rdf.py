"""RDF serialisations of a document graph, as deterministic UTF-8 bytes: one serializer a format.

Determinism matters: the static export and the app must produce byte-identical bodies, and an
ETag must not change when the data does not.

Turtle and N-Triples are written by pyoxigraph from the triples in a fixed order (rdf:type first
in each subject, then sorted). rdflib's Turtle writer made up a prefix for every folder of IRIs
and looked each IRI up among them: ~3× slower on a document, minutes on a whole-graph dump.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from publisher.formats import Format
from publisher.store.terms import to_oxigraph_quads
from publisher.jsonld import to_jsonld
from publisher.represent.rdfxml import to_rdfxml

# An IRI's namespace: everything up to its last / or #, when what follows can be a local name.
_NAMESPACE = re.compile(r"^(.*[/#])[A-Za-z_][\w.-]*$")


# The graph name of a subject's statements (None: the default graph).
GraphOf = Callable[[object], str | None]


@dataclass(frozen=True)
class Serializer:
    """How a format writes a graph, and a document with no triples that says what went wrong."""
    # (graph, format, prefixes): the prefixes to declare where the format has any; None: the
    # ones the graph uses (a document), else those given (a data file's download declares all).
    # A format of quads also takes a GraphOf, fourth (render_rdf).
    write: Callable[..., bytes]
    error: Callable[[int, str, str], bytes]  # (status, title, detail)


def render_rdf(graph: Graph, fmt: Format, base_url: str, graph_of: GraphOf | None = None) -> bytes:
    """`graph_of` names the graph of a subject's statements in a format of quads (N-Quads, TriG)."""
    if graph_of is not None and fmt.quads:
        return SERIALIZERS[fmt.key].write(graph, fmt, None, graph_of)
    return SERIALIZERS[fmt.key].write(graph, fmt, None)


def error_document(fmt: Format, status: int, title: str, detail: str) -> bytes:
    return SERIALIZERS[fmt.key].error(status, title, detail)


def ordered_quads(graph: Graph, graph_of: GraphOf | None = None) -> list[ox.Quad]:
    """The triples as pyoxigraph quads, each subject's rdf:type first, then sorted; with
    `graph_of`, in the graph it names for the subject (None: the default graph), graph by graph."""
    ordered = sorted(graph, key=lambda t: (t[0], t[1] != RDF.type, t[1], t[2]))
    if graph_of is None:
        return list(to_oxigraph_quads(ordered))
    names = {subject: graph_of(subject) or "" for subject in {t[0] for t in ordered}}
    ordered.sort(key=lambda t: names[t[0]])  # stable: each graph keeps the order above
    return [ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(names[t[0]])) if names[t[0]] else quad
            for t, quad in zip(ordered, to_oxigraph_quads(ordered))]


def _turtle(graph: Graph, fmt: Format, prefixes: dict[str, str] | None, graph_of: GraphOf | None = None) -> bytes:
    """Turtle, and TriG (Turtle's statements in graphs)."""
    return ox.serialize(ordered_quads(graph, graph_of), format=fmt.oxigraph,
                        prefixes=used_prefixes(graph) if prefixes is None else prefixes) or b""


def _sorted_lines(graph: Graph, fmt: Format, _prefixes, graph_of: GraphOf | None = None) -> bytes:
    """One line a statement, sorted: the same bytes for the same triples, whatever their order
    (the triples need no order of their own)."""
    quads = ordered_quads(graph, graph_of) if graph_of is not None else list(to_oxigraph_quads(graph))
    return b"".join(sorted((ox.serialize(quads, format=fmt.oxigraph) or b"").splitlines(keepends=True)))


def used_prefixes(graph: Graph) -> dict[str, str]:
    """The graph's bound prefixes that its IRIs (predicates, types and other objects, datatypes)
    use, sorted by name: a document declares only what it needs (rdf:type is written `a`)."""
    bound = {str(namespace): prefix for prefix, namespace in graph.namespaces()}
    used = {}
    for _, predicate, obj in graph:
        named = obj if isinstance(obj, URIRef) else getattr(obj, "datatype", None)  # or a literal's datatype
        for iri in (predicate if predicate != RDF.type else None, named):
            namespace = _namespace(iri) if iri is not None else None
            if namespace in bound:
                used[bound[namespace]] = namespace
    return dict(sorted(used.items()))


@lru_cache(maxsize=65536)
def _namespace(iri: str) -> str | None:
    match = _NAMESPACE.match(iri)
    return match.group(1) if match else None


def error_line(status: int, title: str, detail: str) -> str:
    return f"{status} {title}: {detail}".replace("\n", " ")


def _comment_error(status: int, title: str, detail: str) -> bytes:
    return f"# {error_line(status, title, detail)}\n".encode("utf-8")


def _rdfxml_error(status: int, title: str, detail: str) -> bytes:
    safe = error_line(status, title, detail).replace("--", "- -")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {safe} -->\n'
            f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n').encode("utf-8")


def _jsonld_error(status: int, title: str, detail: str) -> bytes:
    return json.dumps({"@graph": [], "error": {"status": status, "title": title, "detail": detail}},
                      ensure_ascii=False).encode("utf-8")


# By the format's key (publisher.formats): each RDF format has its entry here.
SERIALIZERS = {
    "turtle": Serializer(_turtle, _comment_error),
    "jsonld": Serializer(lambda graph, _fmt, _prefixes: to_jsonld(graph), _jsonld_error),
    "ntriples": Serializer(_sorted_lines, _comment_error),
    "rdfxml": Serializer(lambda graph, _fmt, _prefixes: to_rdfxml(graph), _rdfxml_error),
    "nquads": Serializer(_sorted_lines, _comment_error),
    "trig": Serializer(_turtle, _comment_error),
}
