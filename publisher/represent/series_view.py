"""A series page: the series and its editions in date order, read from the graph in one language."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef

from publisher.labels import label, pick_literal
from publisher.namespaces import DCT, SCHEMA
from publisher.represent.dates import date_range
from publisher.represent.event_view import Link, place_text, status_notice
from publisher.addresses import Urls


@dataclass
class Edition:
    iri: str
    name: str
    alternate_name: str | None
    href: str | None
    start: str
    dates: str
    place: str | None
    status: str | None


@dataclass
class SeriesPage:
    iri: str
    name: str
    description: str | None
    editions: list[Edition]
    sources: list[Link]


def editions_of(graph: Graph, series: URIRef) -> list[URIRef]:
    """The series' editions (events naming it as schema:superEvent) by start date."""
    dated = [(str(graph.value(e, SCHEMA.startDate) or ""), str(e), e)
             for e in graph.subjects(SCHEMA.superEvent, series) if isinstance(e, URIRef)]
    return [edition for _start, _iri, edition in sorted(dated)]


def build_series_page(graph: Graph, series: URIRef, urls: Urls, lang: str) -> SeriesPage:
    _ = urls.languages.gettext(lang)

    def text(node, prop) -> str | None:
        literal = pick_literal(graph.objects(node, prop), lang)
        return str(literal) if literal is not None else None

    editions = []
    for event in editions_of(graph, series):
        # Where one goes first, then the broadcast.
        locations = sorted(graph.objects(event, SCHEMA.location),
                           key=lambda p: ((p, RDF.type, SCHEMA.VirtualLocation) in graph, str(p)))
        places = [place_text(graph, p, lang) for p in locations]
        editions.append(Edition(
            iri=str(event), name=label(graph, event, lang) or str(event),
            alternate_name=text(event, SCHEMA.alternateName), href=urls.href(event, lang),
            start=str(graph.value(event, SCHEMA.startDate)), dates=date_range(graph, event, lang),
            place=", ".join(p for p in places if p) or None,
            status=status_notice(graph, event, _),
        ))
    return SeriesPage(iri=str(series), name=label(graph, series, lang) or str(series),
                      description=text(series, SCHEMA.description), editions=editions,
                      sources=[Link(str(source), urls.href(source, lang))
                               for source in sorted(set(graph.objects(series, DCT.source)), key=str)])
