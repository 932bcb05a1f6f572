"""The VoID description of the dataset (W3C VoID §6, served at /.well-known/void)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import XSD

from publisher.dumps import DumpFile
from publisher.addresses import Urls
from publisher.formats import RDF_DOCUMENT_FORMATS
from publisher.links import link_counts
from publisher.store.terms import to_rdflib
from publisher.namespaces import DCT, PREFIXES, SCHEMA, SKOS, VOID, new_graph
from publisher.store.oxigraph_graph import store_of

def _slug(iri: URIRef) -> str:
    """schema.org terms by their name, other vocabularies' with their prefix (rdf-type, dct-type)."""
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(str(namespace)):
            local = text[len(str(namespace)):]
            return local if prefix == "schema" else f"{prefix}-{local}"
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or "x"


@dataclass(frozen=True)
class GraphStats:
    triples: int
    entities: int  # subjects under the base URL
    distinct_subjects: int
    distinct_objects: int
    classes: Counter  # class → typed IRIs
    properties: Counter  # property → triples
    links: Counter = field(default_factory=Counter)  # (link predicate, authority) → triples (publisher.links)


def graph_stats(data: Graph, base_url: str) -> GraphStats:
    """VoID's counts: one query each on a store (publisher.store.oxigraph_graph), a pass in Python else."""
    store = store_of(data)
    if store is None:
        return GraphStats(
            triples=len(data),
            entities=len({s for s in data.subjects() if isinstance(s, URIRef) and str(s).startswith(base_url)}),
            distinct_subjects=len(set(data.subjects())), distinct_objects=len(set(data.objects())),
            classes=Counter(o for s, o in data.subject_objects(RDF.type) if isinstance(s, URIRef)),
            properties=Counter(data.predicates()), links=link_counts(data))

    def count(query: str) -> int:
        return int(next(iter(store.query(query)))[0].value)

    def counter(query: str) -> Counter:
        return Counter({to_rdflib(row[0]): int(row[1].value) for row in store.query(query)})

    return GraphStats(
        triples=count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        entities=count("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
                       f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {ox.Literal(base_url)})) }}"),
        distinct_subjects=count("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        distinct_objects=count("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        classes=counter(f"SELECT ?c (COUNT(*) AS ?n) WHERE {{ ?s <{RDF.type}> ?c FILTER(isIRI(?s)) }} GROUP BY ?c"),
        properties=counter("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"),
        links=link_counts(data))


def build_void(stats: GraphStats, description: Graph, base_url: str, license: str, modified: datetime,
               dumps: dict[str, DumpFile], example: URIRef | None, sparql_endpoint: str | None = None) -> Graph:
    urls = Urls(base_url)
    dataset = urls.dataset
    void = new_graph()
    void.bind("void", VOID)
    # The site description's dataset and publisher; what it says of the catalog stays there.
    void += (triple for triple in description if triple[0] != urls.catalog)
    void.add((dataset, RDF.type, VOID.Dataset))
    void.add((dataset, VOID.triples, Literal(stats.triples)))
    void.add((dataset, VOID.entities, Literal(stats.entities)))
    void.add((dataset, VOID.distinctSubjects, Literal(stats.distinct_subjects)))
    void.add((dataset, VOID.distinctObjects, Literal(stats.distinct_objects)))
    void.add((dataset, VOID.uriSpace, Literal(base_url)))
    void.add((dataset, RDFS.seeAlso, urls.catalog))
    # The change feed (Atom): what was created, changed or removed, and when.
    feed = urls.iri("changes")
    void.add((dataset, RDFS.seeAlso, feed))
    void.add((feed, DCT["format"], Literal("application/atom+xml")))
    void.add((dataset, DCT.license, URIRef(license)))
    void.add((dataset, DCT.modified, Literal(modified.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    for vocabulary in (SCHEMA, DCT, SKOS):
        void.add((dataset, VOID.vocabulary, URIRef(str(vocabulary))))
    for fmt in RDF_DOCUMENT_FORMATS:  # the serialisations its documents come in
        void.add((dataset, VOID.feature, URIRef(fmt.iri)))
    if example is not None:
        void.add((dataset, VOID.exampleResource, example))
    if sparql_endpoint:
        void.add((dataset, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
    for dump in dumps.values():
        void.add((dataset, VOID.dataDump, urls.at(dump.name)))
        void.add((urls.at(dump.name), DCT["format"], Literal(dump.media_type)))

    # Partitions get hash IRIs below the dataset: they dereference with it, and stay stable.
    classes = stats.classes
    void.add((dataset, VOID.classes, Literal(len(classes))))
    for cls, count in sorted(classes.items()):
        partition = URIRef(f"{dataset}#class-{_slug(cls)}")
        void.add((dataset, VOID.classPartition, partition))
        void.add((partition, VOID["class"], cls))
        void.add((partition, VOID.entities, Literal(count)))
    properties = stats.properties
    void.add((dataset, VOID.properties, Literal(len(properties))))
    for prop, count in sorted(properties.items()):
        partition = URIRef(f"{dataset}#property-{_slug(prop)}")
        void.add((dataset, VOID.propertyPartition, partition))
        void.add((partition, VOID.property, prop))
        void.add((partition, VOID.triples, Literal(count)))
    _add_linksets(void, dataset, stats.links)
    return void


def _add_linksets(void: Graph, dataset: URIRef, links: Counter) -> None:
    """One void:Linkset a link predicate and authority, as the LOD cloud's criteria ask, with the
    authority's dataset named as its target."""
    for (predicate, authority), count in sorted(links.items(), key=lambda item: (item[0][1].key, str(item[0][0]))):
        linkset = URIRef(f"{dataset}#linkset-{authority.key}-{_slug(predicate)}")
        target = URIRef(authority.dataset)
        void.add((dataset, VOID.subset, linkset))
        void.add((linkset, RDF.type, VOID.Linkset))
        void.add((linkset, VOID.subjectsTarget, dataset))
        void.add((linkset, VOID.objectsTarget, target))
        void.add((linkset, VOID.linkPredicate, predicate))
        void.add((linkset, VOID.triples, Literal(count)))
        void.add((target, RDF.type, VOID.Dataset))
        void.add((target, DCT.title, Literal(authority.title)))
        void.add((target, VOID.uriSpace, Literal(authority.uri_space)))
