"""The vocabularies the data and the publisher use, in one place."""

from functools import lru_cache

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

# schema.org's own JSON-LD context maps terms to http://schema.org/, so the data uses that form.
SCHEMA = Namespace("http://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
PS = Namespace("urn:publisher:shapes:")
DCT = DCTERMS
VOID = Namespace("http://rdfs.org/ns/void#")

PREFIXES = {
    "schema": SCHEMA,
    "dct": DCT,
    "skos": SKOS,
    "xsd": XSD,
    "rdf": RDF,
    "rdfs": RDFS,
    "prov": PROV,
    "owl": OWL,
}

__all__ = ["SCHEMA", "SH", "PS", "DCT", "VOID", "SKOS", "XSD", "RDF", "RDFS", "PROV", "OWL", "PREFIXES", "new_graph"]


def new_graph() -> Graph:
    # No named graphs here: SimpleMemory skips the bookkeeping of contexts. Binding each prefix
    # through rdflib's namespace manager cost ~0.5 ms a graph, half of describing a resource:
    # the store takes the same prefixes, worked out once, directly.
    graph = Graph(store="SimpleMemory", bind_namespaces="none")
    for prefix, namespace in _prefixes():
        graph.store.bind(prefix, namespace)
    return graph


@lru_cache(maxsize=1)
def _prefixes() -> tuple[tuple[str, URIRef], ...]:
    """rdflib's own prefixes with ours over them, in the order a new graph has them."""
    graph = Graph(store="SimpleMemory")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return tuple(graph.namespaces())

