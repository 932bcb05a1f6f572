"""RDF serialisations of a document graph, as deterministic UTF-8 bytes.

Determinism matters: the static export and the app must produce byte-identical bodies, and an
ETag must not change when the data does not.
"""

from __future__ import annotations

from rdflib import Graph

from publisher.represent import JSONLD, NTRIPLES, RDFXML, TURTLE, Format
from publisher.represent.jsonld import to_jsonld
from publisher.represent.rdfxml import to_rdfxml


def render_rdf(graph: Graph, fmt: Format, base_url: str) -> bytes:
    if fmt is TURTLE:
        return graph.serialize(format="turtle", encoding="utf-8")
    if fmt is NTRIPLES:
        lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
        return b"".join(sorted(line for line in lines if line.strip()))
    if fmt is RDFXML:
        return to_rdfxml(graph)
    if fmt is JSONLD:
        return to_jsonld(graph)
    raise ValueError(f"not an RDF format: {fmt.key}")
