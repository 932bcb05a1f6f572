"""Resources that left the data: removed ones answer 410 Gone, merged ones 301 to their successor.

Declared in the data, so the app and the static export answer alike (docs/editing.md,
"Removing and merging resources"):

    <event/old> prov:invalidatedAtTime "2026-01-10"^^xsd:date ;   # removed: 410 Gone
        dct:isReplacedBy <event/new> ;                          # optional: what replaced it
        rdfs:comment "Why, in Polish"@pl , "Why, in English"@en .  # optional

    <organization/duplicate> prov:invalidatedAtTime "2026-01-10"^^xsd:date ;
        owl:sameAs <organization/kept> .                        # merged: 301 to <organization/kept>
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

from publisher.namespaces import OWL, PROV
from publisher.addresses import Urls


@dataclass(frozen=True)
class Lifecycle:
    gone: frozenset[URIRef]
    moved: dict[URIRef, URIRef]

    def __contains__(self, iri) -> bool:
        """Whether `iri` left the data (removed or merged)."""
        return iri in self.gone or iri in self.moved


def lifecycle(graph: Graph, base_url: str) -> Lifecycle:
    local = lambda node: isinstance(node, URIRef) and str(node).startswith(base_url)  # noqa: E731
    ended = {s for s in graph.subjects(PROV.invalidatedAtTime) if local(s)}
    moved = {s: o for s in ended for o in graph.objects(s, OWL.sameAs) if local(o)}
    return Lifecycle(gone=frozenset(ended - moved.keys()), moved=moved)


def moved_location(urls: Urls, successor: URIRef, lang: str, extension: str | None) -> str:
    """Where a merged resource's page or document now lives: the same language and format."""
    return urls.in_language(urls.path(successor), lang) + (f".{extension}" if extension else "")
