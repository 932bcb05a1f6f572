"""What the document of one resource holds.

Its concise bounded description (every triple about it, following blank nodes), the links that
point at it, and the types and labels (pl/en) of every resource on either side, so a person
or crawler following links never reaches a dead end. A schema:Role means nothing apart from
the resource that plays it, so roles on either side are described in full.

A resource's parts are in its document in full too, as a CBD follows blank nodes: a part is a
resource whose IRI is under the owner's path (<place/x/address> of <place/x>) that the owner's
description links to, or that links to the owner; the parts of a part are followed in turn. So
a client reads a venue's street address from the venue's own document.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, BNode, Graph, URIRef

from publisher.addresses import paged
from publisher.namespaces import SCHEMA, SKOS, new_graph
from publisher.store.oxigraph_graph import column, store_of

# Links pointing at a resource are listed this many to a page (a venue of thousands of events).
PAGE_SIZE = 100

LABELS = (RDF.type, SCHEMA.name, SKOS.prefLabel, SCHEMA.roleName)


def _add_bounded(source: Graph, node, into: Graph) -> None:
    seen = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for triple in source.triples((current, None, None)):
            into.add(triple)
            if isinstance(triple[2], BNode):
                stack.append(triple[2])


def _add_labels(source: Graph, node, into: Graph) -> None:
    for predicate in LABELS:
        for obj in source.objects(node, predicate):
            into.add((node, predicate, obj))


def incoming(source: Graph, iri: URIRef) -> list[tuple]:
    """The links pointing at `iri`, in a fixed order, so that pages are stable."""
    return sorted(source.subject_predicates(iri), key=lambda link: (str(link[1]), str(link[0])))


def page_count(links: list) -> int:
    return max(1, -(-len(links) // PAGE_SIZE))


def page_iri(iri: URIRef, page: int) -> URIRef:
    return URIRef(paged(str(iri), page))


def describe(source: Graph, iri: URIRef, page: int = 1, links: list | None = None) -> Graph:
    """Page `page` of the document: the whole description, and that page of incoming links.

    When there is a next page, rdfs:seeAlso names it, so a crawler can follow every link.
    `links` is incoming(source, iri), when the caller already has it.
    """
    document = new_graph()
    _add_bounded(source, iri, document)
    links = incoming(source, iri) if links is None else links
    for subject, predicate in links[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
        document.add((subject, predicate, iri))
    if len(links) > page * PAGE_SIZE:
        document.add((iri, RDFS.seeAlso, page_iri(iri, page + 1)))
    # From every incoming link, not this page's: each page holds the same parts.
    _add_parts(source, iri, document, [subject for subject, _predicate in links])
    for role in _linked(document, iri):
        if (role, RDF.type, SCHEMA.Role) in source:
            _add_bounded(source, role, document)
            for subject, predicate in source.subject_predicates(role):
                document.add((subject, predicate, role))
    for node in _linked(document, iri):
        _add_labels(source, node, document)
    return document


def _add_parts(source: Graph, iri: URIRef, into: Graph, linking: list) -> None:
    prefix = f"{iri}/"
    parts = [node for node in (*into.objects(iri), *linking) if isinstance(node, URIRef) and node.startswith(prefix)]
    seen = set()
    while parts:
        part = parts.pop()
        if part in seen:
            continue
        seen.add(part)
        _add_bounded(source, part, into)
        parts.extend(o for o in into.objects(part) if isinstance(o, URIRef) and o.startswith(prefix))


def _linked(document: Graph, iri: URIRef) -> set[URIRef]:
    nodes = {o for o in document.objects() if isinstance(o, URIRef)}
    nodes |= {s for s in document.subjects() if isinstance(s, URIRef)}
    return nodes - {iri}


def resource_iris(graph: Graph, base_url: str) -> set[URIRef]:
    """Every IRI of the graph under the base URL, without its #fragment: each must dereference."""
    store = store_of(graph)
    if store is not None:
        nodes = set(column(store, "SELECT DISTINCT ?n WHERE { { ?n ?p ?o } UNION { ?s ?p ?n } FILTER(isIRI(?n)) }"))
    else:
        nodes = set(graph.subjects()) | set(graph.objects())
    return {URIRef(str(n).split("#", 1)[0]) for n in nodes
            if isinstance(n, URIRef) and str(n).startswith(base_url)}
