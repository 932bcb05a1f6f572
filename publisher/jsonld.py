"""Compact, readable JSON-LD with an inline context: it parses offline, with no fetch.

Terms come from schema.org through @vocab; names and descriptions use language maps; IRIs stay
absolute (a relative @base would break deployments under a path).
"""

from __future__ import annotations

import json

from rdflib import Graph
from rdflib.plugins.serializers.jsonld import from_rdf
from rdflib.plugins.shared.jsonld.context import Context

LANGUAGE_MAPPED = ("name", "description", "alternateName", "disambiguatingDescription",
                   "keywords", "roleName", "contactType", "audienceType", "addressLocality")
LINKS = ("location", "organizer", "contributor", "sponsor", "performer", "subEvent", "superEvent",
         "recordedIn", "recordedAt", "address", "containedInPlace", "amenityFeature",
         "parentOrganization", "contactPoint", "valueReference", "hoursAvailable", "audience",
         "about", "subjectOf", "url", "eventStatus", "eventAttendanceMode")
DATES = ("startDate", "endDate", "validFrom", "validThrough")

SCHEMA = "http://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

CONTEXT: dict = {
    "@vocab": SCHEMA,
    "schema": SCHEMA,
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": XSD,
    **{term: {"@id": SCHEMA + term, "@container": "@language"} for term in LANGUAGE_MAPPED},
    **{term: {"@id": SCHEMA + term, "@type": "@id"} for term in LINKS},
    **{term: {"@id": SCHEMA + term, "@type": "xsd:date"} for term in DATES},
}


def _sorted(value):
    """Sort arrays and keys so that equal graphs give equal bytes."""
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


# Parsed once: rdflib would parse the context again for every document (a fifth of its time).
_PARSED_CONTEXT = Context(CONTEXT)


def _nested(value) -> str:
    """`value` as json.dumps(indent=2) writes it one level down (a JSON string holds no newline)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n  ")


# Written once: with indent, json.dumps runs in Python, and the context was most of each document.
_CONTEXT_TEXT = _nested(CONTEXT)


def to_jsonld(graph: Graph) -> bytes:
    # What rdflib's serializer builds, without its text round trip (dumps, then loads here).
    document = from_rdf(graph, _PARSED_CONTEXT, auto_compact=True)
    document.pop("@context", None)
    nodes = document.get("@graph", [document] if document else [])
    return f'{{\n  "@context": {_CONTEXT_TEXT},\n  "@graph": {_nested(_sorted(nodes))}\n}}\n'.encode("utf-8")
