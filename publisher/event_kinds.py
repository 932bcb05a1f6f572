"""What kind of event a resource is: a main event (its own page), a programme part, a series."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rdflib import RDF, Graph

from publisher.namespaces import SCHEMA


def is_main_event(graph: Graph, iri) -> bool:
    """An event with a date that is not part of another event (an edition of a series is one):
    it gets the full event page."""
    return graph.value(iri, SCHEMA.startDate) is not None and not any(
        (parent, RDF.type, SCHEMA.Event) in graph for parent in graph.objects(iri, SCHEMA.superEvent))


def is_series(graph: Graph, iri) -> bool:
    return (iri, RDF.type, SCHEMA.EventSeries) in graph


def event_last_day(graph: Graph, iri) -> date | None:
    """The last day of a main event (its end, else its start); None for anything else."""
    if not is_main_event(graph, iri):
        return None
    value = (graph.value(iri, SCHEMA.endDate) or graph.value(iri, SCHEMA.startDate)).toPython()
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def as_of(last_day: date | None, today: date) -> date | None:
    """The day an event's page is rendered for: `today` while the event is upcoming or on; once
    over, always the day after its last (every later day renders the same "took place" page, so
    one cached copy and one ETag serve them all); None for pages that do not change with the day."""
    if last_day is None:
        return None
    return today if today <= last_day else last_day + timedelta(days=1)

