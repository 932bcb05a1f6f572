"""The data as an rdflib Graph read from an on-disk Oxigraph store, for serving.

A serving worker renders documents on demand from small lookups (a resource's triples, the
links to it, labels). Held in rdflib's memory store the data cost ~1 KB a triple in every
worker (4 GiB at 100,000 events); read from Oxigraph's store it costs the pages the lookups
touch. The same rendering code runs on both: this is an rdflib Store, read-only, whose
triples come from pyoxigraph. The static export, which renders every document once, reads an
in-memory copy (`memory_graph`): rdflib's own store answers those lookups ~1.4× faster.

oxrdflib does the same in general but makes an rdflib Graph object for every triple it
returns (the triple's context), which made lookups several times slower.
"""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store

from publisher.store.terms import to_oxigraph, to_rdflib
from publisher.namespaces import PREFIXES

_NO_CONTEXTS = ()


@lru_cache(maxsize=1 << 16)
def _to_rdflib(term):
    # Lookups return the same few predicates, types and labels again and again.
    return to_rdflib(term)


def _pattern(term):
    if term is None:
        return None
    if not isinstance(term, (URIRef, BNode, Literal)):  # a Graph or a path: nothing matches
        raise TypeError(f"not an RDF term: {term!r}")
    return to_oxigraph(term)


class OxigraphReadOnly(Store):
    """The default graph of a pyoxigraph store, as an rdflib Store that cannot be changed."""

    context_aware = False
    formula_aware = False
    transaction_aware = False
    graph_aware = False

    def __init__(self, store: ox.Store):
        super().__init__()
        self.store = store
        self._namespaces: dict[str, URIRef] = {}

    def triples(self, pattern, context=None):
        subject, predicate, obj = pattern
        try:
            found = self.store.quads_for_pattern(_pattern(subject), _pattern(predicate), _pattern(obj),
                                                 ox.DefaultGraph())
        except (TypeError, ValueError):  # e.g. a literal as subject: no triple matches
            return
        for quad in found:
            yield (_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)), iter(_NO_CONTEXTS)

    def __len__(self, context=None) -> int:
        return len(self.store)

    def add(self, triple, context, quoted=False):
        raise TypeError("the served data is read-only")

    def remove(self, triple, context=None):
        raise TypeError("the served data is read-only")

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        self._namespaces[prefix] = URIRef(namespace)

    def namespace(self, prefix: str) -> URIRef | None:
        return self._namespaces.get(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        return next((p for p, n in self._namespaces.items() if n == namespace), None)

    def namespaces(self):
        yield from self._namespaces.items()


def store_of(graph: Graph) -> ox.Store | None:
    """The pyoxigraph store behind a graph made by `store_graph`, else None: whole-graph
    questions (distinct nodes, counts) are then one query in Rust, not a pass in Python."""
    return graph.store.store if isinstance(graph.store, OxigraphReadOnly) else None


def column(store: ox.Store, query: str) -> list:
    """The first variable of every solution, as rdflib terms."""
    return [_to_rdflib(solution[0]) for solution in store.query(query)]


def store_graph(store: ox.Store) -> Graph:
    graph = Graph(store=OxigraphReadOnly(store), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def memory_graph(store: ox.Store, named=ox.DefaultGraph()) -> Graph:
    """The store's default graph (`named`: that graph; None: the union of all) copied into
    rdflib's memory store: the one without contexts (the data has none), whose lookups are ~40%
    faster and copy ~30% faster than the default's."""
    graph = Graph(store="SimpleMemory")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    add = graph.add
    for quad in store.quads_for_pattern(None, None, None, named):
        add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
    return graph
