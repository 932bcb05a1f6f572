"""Compact, readable JSON-LD with an inline context: it parses offline, with no fetch.

Terms come from schema.org through @vocab; names and descriptions use language maps; IRIs stay
absolute (a relative @base would break deployments under a path).
"""

from __future__ import annotations

import json

from rdflib import Graph

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


def to_jsonld(graph: Graph) -> bytes:
    document = json.loads(graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True))
    if "@graph" not in document:
        document = {"@context": document.pop("@context"), "@graph": [document] if document else []}
    document["@graph"] = _sorted(document["@graph"])
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"
