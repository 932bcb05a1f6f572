"""The tombstone of a removed resource, in one language: when, why, what replaced it."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

from publisher.labels import label, pick_literal
from publisher.namespaces import DCT, PROV, RDFS
from publisher.addresses import Urls
from publisher.represent.dates import format_date_literal


@dataclass
class Tombstone:
    iri: str
    removed: str | None
    replaced_by: list[tuple[str, str | None]]
    reason: str | None


def tombstone(graph: Graph, iri: URIRef, urls: Urls, lang: str) -> Tombstone:
    when = graph.value(iri, PROV.invalidatedAtTime)
    reason = pick_literal(graph.objects(iri, RDFS.comment), lang)
    replaced = [(label(graph, new, lang) or str(new), urls.href(new, lang))
                for new in sorted(graph.objects(iri, DCT.isReplacedBy))]
    return Tombstone(iri=str(iri), removed=format_date_literal(when, lang) if when is not None else None,
                     replaced_by=replaced, reason=str(reason) if reason is not None else None)
