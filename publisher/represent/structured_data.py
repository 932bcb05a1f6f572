"""The JSON-LD a search engine reads in the page: Google's Event shape, built from the graph.

Every required property (name, startDate, location: a Place with its PostalAddress, or a
VirtualLocation with its url) and each recommended one the facts allow; nothing the data does
not say and nothing the page does not show. Left out, for lack of a fact: offers (no price).
Also left out here, though in the linked data: programme parts (no dates: nested events
without startDate are flagged) and recordings (no URL or thumbnail). An event whose location
the data does not give as Google requires gets no Event block at all (`eligible`).
"""

from __future__ import annotations

import json

from rdflib import RDF, Graph, URIRef

from publisher.labels import label, pick_literal
from publisher.namespaces import SCHEMA

SCHEMA_HTTPS = "https://schema.org/"


def _text(graph: Graph, node, prop, lang: str) -> str | None:
    literal = pick_literal(graph.objects(node, prop), lang)
    return str(literal) if literal is not None else None


def _enum(value) -> str:
    return SCHEMA_HTTPS + str(value)[len(str(SCHEMA)):]


def _type(graph: Graph, node) -> str:
    types = sorted(str(t)[len(str(SCHEMA)):] for t in graph.objects(node, RDF.type) if str(t).startswith(str(SCHEMA)))
    return types[0] if types else "Thing"


def _named(graph: Graph, node, lang: str) -> dict:
    entry = {"@type": _type(graph, node), "@id": str(node), "name": label(graph, node, lang) or str(node)}
    url = graph.value(node, SCHEMA.url)
    if url is not None:
        entry["url"] = str(url)
    return entry


def _place(graph: Graph, place, lang: str) -> dict:
    entry = _named(graph, place, lang)
    address = graph.value(place, SCHEMA.address)
    if address is not None:
        postal = {"@type": "PostalAddress", "@id": str(address)}
        for prop in ("streetAddress", "postalCode", "addressLocality", "addressRegion", "addressCountry"):
            value = _text(graph, address, SCHEMA[prop], lang)
            if value is not None:
                postal[prop] = value
        entry["address"] = postal
    features = []
    for feature in sorted(graph.objects(place, SCHEMA.amenityFeature)):
        value = graph.value(feature, SCHEMA.value)
        if not shown_feature(value):
            continue  # the page does not list it, so neither does its markup
        item = {"@type": "LocationFeatureSpecification", "@id": str(feature),
                "name": label(graph, feature, lang) or str(feature)}
        if value is not None:
            item["value"] = value.toPython()
        features.append(item)
    if features:
        entry["amenityFeature"] = features
    return entry


def shown_feature(value) -> bool:
    """Whether a page lists an amenity feature: a feature marked absent is not offered."""
    return value is None or bool(value.toPython())


def _performers(graph: Graph, event) -> set:
    """Who performs at the event or at any of its programme parts (the page shows them all)."""
    found, parts, seen = set(graph.objects(event, SCHEMA.performer)), list(graph.objects(event, SCHEMA.subEvent)), set()
    while parts:
        part = parts.pop()
        if part not in seen:
            seen.add(part)
            found.update(graph.objects(part, SCHEMA.performer))
            parts.extend(graph.objects(part, SCHEMA.subEvent))
    return found


def _roles(graph: Graph, event, prop, lang: str) -> list:
    """Partners and patrons as the graph has them: a schema:Role naming the organisation."""
    roles = []
    for role in sorted(graph.objects(event, prop)):
        member = graph.value(role, prop)
        if member is None:
            continue
        entry = {"@type": "Role", "@id": str(role)}
        name = _text(graph, role, SCHEMA.roleName, lang)
        if name:
            entry["roleName"] = name
        entry[str(prop)[len(str(SCHEMA)):]] = _named(graph, member, lang)
        roles.append(entry)
    return roles


def eligible(data: dict) -> bool:
    """Whether an Event block has what Google requires: a name, a start and a location that is a
    Place with an address or a VirtualLocation with a url."""
    locations = data.get("location")
    locations = locations if isinstance(locations, list) else [locations] if locations else []
    return bool(data.get("name") and data.get("startDate")) and any(
        "address" in place or (place["@type"] == "VirtualLocation" and "url" in place) for place in locations)


def event_structured_data(graph: Graph, event: URIRef, lang: str, page_url: str, image_url: str | None) -> dict:
    data: dict = {
        "@context": "https://schema.org",
        "@type": _type(graph, event),
        "@id": str(event),
        "name": label(graph, event, lang),
    }
    description = _text(graph, event, SCHEMA.description, lang)
    if description:
        data["description"] = description
    for prop in ("startDate", "endDate", "previousStartDate"):
        values = sorted(str(v) for v in graph.objects(event, SCHEMA[prop]))
        if values:
            data[prop] = values[0] if len(values) == 1 else values
    for prop in ("eventStatus", "eventAttendanceMode"):
        value = graph.value(event, SCHEMA[prop])
        if value is not None:
            data[prop] = _enum(value)
    locations = []
    for location in sorted(graph.objects(event, SCHEMA.location)):
        if (location, RDF.type, SCHEMA.Place) in graph or (location, RDF.type, SCHEMA.City) in graph:
            locations.insert(0, _place(graph, location, lang))
        elif graph.value(location, SCHEMA.url) is not None:
            # Google rejects a VirtualLocation without its url; the RDF keeps the broadcast anyway.
            locations.append(_named(graph, location, lang))
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    if image_url:
        data["image"] = [image_url]
    languages = sorted(str(code) for code in graph.objects(event, SCHEMA.inLanguage))
    if languages:
        data["inLanguage"] = languages
    organisers = [_named(graph, o, lang) for o in sorted(graph.objects(event, SCHEMA.organizer))]
    if organisers:
        data["organizer"] = organisers
    performers = [_named(graph, p, lang) for p in sorted(_performers(graph, event))]
    if performers:
        data["performer"] = performers
    for prop in (SCHEMA.contributor, SCHEMA.sponsor):
        roles = _roles(graph, event, prop, lang)
        if roles:
            data[str(prop)[len(str(SCHEMA)):]] = roles
    series = [_named(graph, s, lang) for s in sorted(graph.objects(event, SCHEMA.superEvent))
              if (s, RDF.type, SCHEMA.EventSeries) in graph]
    if series:
        data["superEvent"] = series[0]
    website = graph.value(event, SCHEMA.url)
    data["url"] = str(website) if website is not None else page_url
    return data


def series_structured_data(graph: Graph, series: URIRef, editions: list, lang: str, page_url: str,
                           edition_url) -> dict:
    """The series with its editions (each with its own page): for every schema.org consumer."""
    data: dict = {"@context": "https://schema.org", "@type": "EventSeries", "@id": str(series),
                  "name": label(graph, series, lang), "url": page_url}
    description = _text(graph, series, SCHEMA.description, lang)
    if description:
        data["description"] = description
    data["subEvent"] = []
    for edition in editions:
        entry = {"@type": _type(graph, edition), "@id": str(edition), "name": label(graph, edition, lang)}
        for prop in ("startDate", "endDate"):
            value = graph.value(edition, SCHEMA[prop])
            if value is not None:
                entry[prop] = str(value)
        status = graph.value(edition, SCHEMA.eventStatus)
        if status is not None:
            entry["eventStatus"] = _enum(status)
        entry["url"] = edition_url(edition)
        data["subEvent"].append(entry)
    return data


def script_json(data: dict) -> str:
    """JSON safe inside <script>: no literal can close the element or start a comment."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text
