"""The authorities the data links to, and how many links go to each (VoID's linksets).

A link is a triple whose predicate is a link predicate and whose object is an IRI in an
authority's URI space; shapes/links.ttl checks each IRI's exact form (docs/linking.md).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import Graph, URIRef

from publisher.namespaces import DCT, SCHEMA


@dataclass(frozen=True)
class Authority:
    key: str  # names its linkset: <dataset#linkset-{key}>
    title: str
    dataset: str  # the IRI the authority's dataset goes by (its home page, as the LOD cloud lists it)
    uri_space: str  # the start of every IRI of its entities


AUTHORITIES = (
    Authority("wikidata", "Wikidata", "https://www.wikidata.org/", "http://www.wikidata.org/entity/"),
    Authority("geonames", "GeoNames", "https://www.geonames.org/", "https://sws.geonames.org/"),
    Authority("lexvo", "Lexvo.org", "http://lexvo.org/", "http://lexvo.org/id/"),
)
# schema:sameAs for places and organisations (docs/linking.md says why not owl:sameAs),
# dct:language for the languages of an event.
LINK_PREDICATES = (SCHEMA.sameAs, DCT.language)


def authority_of(iri) -> Authority | None:
    return next((a for a in AUTHORITIES if isinstance(iri, URIRef) and iri.startswith(a.uri_space)), None)


def link_counts(graph: Graph) -> Counter:
    """(predicate, authority) → how many links: one pattern lookup a predicate."""
    counts = Counter()
    for predicate in LINK_PREDICATES:
        for obj in graph.objects(None, predicate):
            authority = authority_of(obj)
            if authority is not None:
                counts[predicate, authority] += 1
    return counts
