"""What kind of event a resource is: a main event (its own page), a programme part, a series."""

from __future__ import annotations

from rdflib import RDF, Graph

from publisher.namespaces import SCHEMA


def is_main_event(graph: Graph, iri) -> bool:
    """An event with a date that is not part of another event (an edition of a series is one):
    it gets the full event page."""
    return graph.value(iri, SCHEMA.startDate) is not None and not any(
        (parent, RDF.type, SCHEMA.Event) in graph for parent in graph.objects(iri, SCHEMA.superEvent))


def is_series(graph: Graph, iri) -> bool:
    return (iri, RDF.type, SCHEMA.EventSeries) in graph
