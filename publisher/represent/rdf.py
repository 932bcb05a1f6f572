"""RDF serialisations of a document graph, as deterministic UTF-8 bytes.

Determinism matters: the static export and the app must produce byte-identical bodies, and an
ETag must not change when the data does not.

Turtle and N-Triples are written by pyoxigraph from the triples in a fixed order (rdf:type first
in each subject, then sorted). rdflib's Turtle writer made up a prefix for every folder of IRIs
and looked each IRI up among them: ~3× slower on a document, minutes on a whole-graph dump.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from publisher.load import to_oxigraph_quads
from publisher.represent import JSONLD, NTRIPLES, RDFXML, TURTLE, Format
from publisher.represent.jsonld import to_jsonld
from publisher.represent.rdfxml import to_rdfxml

# An IRI's namespace: everything up to its last / or #, when what follows can be a local name.
_NAMESPACE = re.compile(r"^(.*[/#])[A-Za-z_][\w.-]*$")


def render_rdf(graph: Graph, fmt: Format, base_url: str) -> bytes:
    if fmt is TURTLE:
        return turtle(ordered_quads(graph), used_prefixes(graph))
    if fmt is NTRIPLES:  # its lines are sorted: the triples need no order of their own
        return ntriples(list(to_oxigraph_quads(graph)))
    if fmt is RDFXML:
        return to_rdfxml(graph)
    if fmt is JSONLD:
        return to_jsonld(graph)
    raise ValueError(f"not an RDF format: {fmt.key}")


def ordered_quads(graph: Graph) -> list[ox.Quad]:
    """The triples as pyoxigraph quads, each subject's rdf:type first, then sorted."""
    return list(to_oxigraph_quads(sorted(graph, key=lambda t: (t[0], t[1] != RDF.type, t[1], t[2]))))


def turtle(quads: list[ox.Quad], prefixes: dict[str, str]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""


def ntriples(quads: list[ox.Quad]) -> bytes:
    """One line a triple, sorted: the same bytes for the same triples, whatever their order."""
    return b"".join(sorted((ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES) or b"").splitlines(keepends=True)))


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
