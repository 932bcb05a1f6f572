"""A resource's document graph → what an HTML page shows, in one language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import XSD

from publisher.i18n import N_
from publisher.labels import label, pick_literal
from publisher.namespaces import DCT, PREFIXES, SCHEMA, SKOS
from publisher.formats import RDF_DOCUMENT_FORMATS
from publisher.represent.dates import date_range, format_date_literal
from publisher.represent.catalog_labels import CATALOG_PROPERTY_LABELS, CATALOG_TYPE_LABELS
from publisher.addresses import Urls

PROPERTY_LABELS = {
    SCHEMA.alternateName: N_("Also known as"),
    SCHEMA.disambiguatingDescription: N_("In short"),
    SCHEMA.startDate: N_("Starts"),
    SCHEMA.endDate: N_("Ends"),
    SCHEMA.eventStatus: N_("Status"),
    SCHEMA.eventAttendanceMode: N_("Attendance"),
    SCHEMA.location: N_("Location"),
    SCHEMA.inLanguage: N_("Languages"),
    SCHEMA.organizer: N_("Organisers"),
    SCHEMA.contributor: N_("Contributors"),
    SCHEMA.sponsor: N_("Patrons"),
    SCHEMA.performer: N_("Speakers and moderators"),
    SCHEMA.audience: N_("Audience"),
    SCHEMA.audienceType: N_("Who it is for"),
    SCHEMA.subEvent: N_("Programme"),
    SCHEMA.superEvent: N_("Part of"),
    SCHEMA.recordedIn: N_("Recordings"),
    SCHEMA.recordedAt: N_("Recorded at"),
    SCHEMA.temporalCoverage: N_("Date recorded"),
    SCHEMA.url: N_("Website"),
    SCHEMA.subjectOf: N_("News"),
    SCHEMA.keywords: N_("Keywords"),
    SCHEMA.address: N_("Address"),
    SCHEMA.streetAddress: N_("Street"),
    SCHEMA.addressLocality: N_("Town"),
    SCHEMA.addressCountry: N_("Country"),
    SCHEMA.containedInPlace: N_("Within"),
    SCHEMA.amenityFeature: N_("Accessibility and amenities"),
    SCHEMA.value: N_("Available"),
    SCHEMA.validFrom: N_("From"),
    SCHEMA.validThrough: N_("Until"),
    SCHEMA.valueReference: N_("How to ask"),
    SCHEMA.contactPoint: N_("Contact"),
    SCHEMA.contactType: N_("For"),
    SCHEMA.telephone: N_("Phone"),
    SCHEMA.email: N_("E-mail"),
    SCHEMA.availableLanguage: N_("Language"),
    SCHEMA.hoursAvailable: N_("When"),
    SCHEMA.parentOrganization: N_("Part of"),
    SCHEMA.roleName: N_("Role"),
    SCHEMA.about: N_("About"),
    SKOS.prefLabel: N_("Label"),
    SKOS.definition: N_("Definition"),
    DCT.type: N_("Kind of role"),
    DCT.source: N_("Sources"),
    DCT.language: N_("Languages (ISO 639-3)"),
    SCHEMA.sameAs: N_("Also described by"),
    SCHEMA.identifier: N_("Register numbers"),
    SCHEMA.propertyID: N_("Register"),
    RDF.subject: N_("Link from"),
    RDF.predicate: N_("Kind of link"),
    RDF.object: N_("Link to"),
    **CATALOG_PROPERTY_LABELS,
}
# A link read backwards, on the page it points at: the recording's page says "Recording of" the
# event, not "Recordings: <the event>".
INVERSE_LABELS = {
    SCHEMA.organizer: N_("Organiser of"),
    SCHEMA.contributor: N_("Contributor to"),
    SCHEMA.sponsor: N_("Patron of"),
    SCHEMA.performer: N_("Speaker or moderator at"),
    SCHEMA.location: N_("Venue of"),
    SCHEMA.subEvent: N_("Part of"),
    SCHEMA.superEvent: N_("Programme"),
    SCHEMA.recordedIn: N_("Recording of"),
    SCHEMA.recordedAt: N_("Recordings"),
    SCHEMA.containedInPlace: N_("Includes"),
    SCHEMA.address: N_("Address of"),
    SCHEMA.amenityFeature: N_("Offered at"),
    SCHEMA.valueReference: N_("Contact for"),
    SCHEMA.audience: N_("Audience of"),
    SCHEMA.subjectOf: N_("News about"),
    SCHEMA.parentOrganization: N_("Units"),
    SCHEMA.about: N_("Described by"),
    DCT.type: N_("Roles of this kind"),
    DCT.publisher: N_("Publisher of"),
}
# Where a property means something else on a kind of resource: a register entry's value is its number.
TYPE_PROPERTY_LABELS = {(SCHEMA.PropertyValue, SCHEMA.value): N_("Number")}
TYPE_LABELS = {
    SCHEMA.Event: N_("Event"),
    SCHEMA.Organization: N_("Organisation"),
    SCHEMA.GovernmentOrganization: N_("Public body"),
    SCHEMA.Person: N_("Person"),
    SCHEMA.Place: N_("Place"),
    SCHEMA.PostalAddress: N_("Postal address"),
    SCHEMA.AdministrativeArea: N_("District"),
    SCHEMA.City: N_("City"),
    SCHEMA.VirtualLocation: N_("Online"),
    SCHEMA.LocationFeatureSpecification: N_("Accessibility feature"),
    SCHEMA.ContactPoint: N_("Contact point"),
    SCHEMA.OpeningHoursSpecification: N_("Deadline"),
    SCHEMA.VideoObject: N_("Recording"),
    SCHEMA.Role: N_("Role"),
    SCHEMA.Audience: N_("Audience"),
    SCHEMA.WebPage: N_("Web page"),
    SKOS.Concept: N_("Role concept"),
    SCHEMA.PropertyValue: N_("Register entry"),
    RDF.Statement: N_("Link to an authority, with its source"),
    **CATALOG_TYPE_LABELS,
}
VALUE_LABELS = {
    SCHEMA.EventScheduled: N_("As scheduled"),
    SCHEMA.EventCancelled: N_("Cancelled"),
    SCHEMA.EventPostponed: N_("Postponed"),
    SCHEMA.EventRescheduled: N_("Rescheduled"),
    SCHEMA.EventMovedOnline: N_("Moved online"),
    SCHEMA.OfflineEventAttendanceMode: N_("In person"),
    SCHEMA.OnlineEventAttendanceMode: N_("Online"),
    SCHEMA.MixedEventAttendanceMode: N_("In person and broadcast online"),
}
LANGUAGE_NAMES = {"pl": N_("Polish"), "pso": N_("Polish Sign Language (PJM)"), "en": N_("English")}
# Facts in the order a reader looks for them; the rest follow alphabetically.
ORDER = [SCHEMA.disambiguatingDescription, SCHEMA.alternateName, SCHEMA.startDate, SCHEMA.endDate,
         SCHEMA.eventStatus, SCHEMA.eventAttendanceMode, SCHEMA.location, SCHEMA.address,
         SCHEMA.inLanguage, SCHEMA.organizer, SCHEMA.contributor, SCHEMA.sponsor, SCHEMA.performer,
         SCHEMA.subEvent, SCHEMA.superEvent, SCHEMA.recordedIn, SCHEMA.amenityFeature]
# Files with one address in every language (dumps, documents, the feed, the well-known VoID): a
# page links to them as they are, never under /en/.
FILE_PATH = re.compile(r"(\.well-known/.*|[^?#]*\.(%s|atom|ics|png|xml)(\.gz)?)" % "|".join(
    re.escape(fmt.extension) for fmt in RDF_DOCUMENT_FORMATS))
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
HIDDEN = {RDF.type, SCHEMA.name, SCHEMA.description, SCHEMA.keywords, DCT.title, DCT.description}


@dataclass
class Value:
    text: str
    href: str | None = None
    lang: str | None = None
    external: bool = False


@dataclass
class Fact:
    label: str
    values: list[Value]
    property: str


@dataclass
class PageView:
    lang: str
    iri: str
    title: str
    kind: str
    summary: str | None
    facts: list[Fact] = field(default_factory=list)
    incoming: list[Fact] = field(default_factory=list)


def compact(iri: URIRef) -> str:
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)):]}"
    return text


class ViewBuilder:
    def __init__(self, document: Graph, urls: Urls, lang: str, whole: Graph | None = None):
        """`whole`: the whole graph, for what a page says beyond its document (a programme
        part's dates are its event's)."""
        self.graph, self.urls, self.lang, self.whole = document, urls, lang, whole
        self.gettext = urls.languages.gettext(lang)

    def _(self, message: str) -> str:
        return self.gettext(message)

    def node_label(self, node) -> str:
        found = label(self.graph, node, self.lang)
        if found:
            return found
        if self.urls.is_local(node):
            return self.urls.path(node) or self._("Home page")  # the base IRI: the site itself
        return str(node)

    def local_href(self, iri: URIRef) -> str:
        return str(iri) if FILE_PATH.fullmatch(self.urls.path(iri)) else self.urls.page(iri, self.lang)

    def value(self, prop: URIRef, obj) -> Value:
        if isinstance(obj, URIRef):
            if obj in VALUE_LABELS:
                return Value(self._(VALUE_LABELS[obj]))
            if self.urls.is_local(obj):
                return Value(self.node_label(obj), href=self.local_href(obj))
            return Value(label(self.graph, obj, self.lang) or str(obj), href=self.urls.href(obj, self.lang),
                         external=True)
        literal: Literal = obj
        if literal.datatype in (XSD.date, XSD.dateTime):
            return Value(format_date_literal(literal, self.lang))
        if literal.datatype == XSD.boolean:
            return Value(self._("Yes") if literal.toPython() else self._("No"))
        text = str(literal)
        if prop == SCHEMA.telephone:
            return Value(text, href="tel:" + re.sub(r"[^+0-9]", "", text))
        if prop == SCHEMA.email:
            return Value(text, href="mailto:" + text)
        if prop == SCHEMA.temporalCoverage and ISO_DAY.fullmatch(text):
            return Value(format_date_literal(Literal(text, datatype=XSD.date), self.lang))
        if prop in (SCHEMA.inLanguage, SCHEMA.availableLanguage) and text in LANGUAGE_NAMES:
            return Value(self._(LANGUAGE_NAMES[text]))
        return Value(text, lang=literal.language)

    def values(self, prop: URIRef, objects) -> list[Value]:
        objects = list(objects)
        tagged = [o for o in objects if isinstance(o, Literal) and o.language]
        if tagged:  # one language at a time: the reader's, or the other if that is all there is
            chosen = pick_literal(tagged, self.lang)
            objects = [o for o in objects if not (isinstance(o, Literal) and o.language)
                       or o.language == chosen.language]
        values = [self.value(prop, o) for o in objects]
        return sorted(values, key=lambda v: (v.text.casefold(), v.href or "", v.text))

    def property_label(self, prop: URIRef, types=()) -> str:
        special = next((TYPE_PROPERTY_LABELS[t, prop] for t in types if (t, prop) in TYPE_PROPERTY_LABELS), None)
        if special is not None:
            return self._(special)
        return self._(PROPERTY_LABELS[prop]) if prop in PROPERTY_LABELS else compact(prop)

    def title(self, iri: URIRef) -> str:
        """A role is named by what it is, where and who: "Moderacja: Panel A — Dawid Zmuda", not
        "moderacja" as a dozen other roles are; a venue's feature by the feature and the venue."""
        own = self.node_label(iri)
        place = self.graph.value(None, SCHEMA.amenityFeature, iri)
        if place is not None:  # "Step-free access" is said of many venues: which one's
            return f"{own} — {self.node_label(place)}"
        if (iri, RDF.type, SCHEMA.Role) not in self.graph:
            return own
        for prop in (SCHEMA.contributor, SCHEMA.sponsor, SCHEMA.performer, SCHEMA.organizer):
            member, event = self.graph.value(iri, prop), self.graph.value(None, prop, iri)
            if member is not None and event is not None:
                return f"{own[:1].upper()}{own[1:]}: {self.node_label(event)} — {self.node_label(member)}"
        return own

    def build(self, iri: URIRef) -> PageView:
        graph = self.graph
        types = set(graph.objects(iri, RDF.type))
        kinds = [self._(TYPE_LABELS[t]) if t in TYPE_LABELS else compact(t) for t in types]
        summary = pick_literal(list(graph.objects(iri, SCHEMA.description)) + list(graph.objects(iri, DCT.description)),
                               self.lang)
        page = PageView(lang=self.lang, iri=str(iri), title=self.title(iri), kind=", ".join(sorted(set(kinds))),
                        summary=str(summary) if summary is not None else None)
        props = {p for p in graph.predicates(iri, None) if p not in HIDDEN}
        ordered = [p for p in ORDER if p in props] + sorted(props - set(ORDER), key=compact)
        for prop in ordered:
            page.facts.append(Fact(self.property_label(prop, types), self.values(prop, graph.objects(iri, prop)),
                                   compact(prop)))
        incoming: dict[URIRef, list] = {}
        for subject, prop in graph.subject_predicates(iri):
            if isinstance(subject, URIRef):
                incoming.setdefault(prop, []).append(subject)
        within = self.within(iri)
        if within is not None:  # a programme part: when, and within which events, first
            chain, dates = within
            outer = [Value(label(self.whole, e, self.lang) or self.node_label(e), href=self.local_href(e)) for e in chain]
            page.facts = [Fact(self._("When"), [Value(dates)], "schema:startDate"),
                          Fact(self.property_label(SCHEMA.superEvent), outer, "schema:superEvent")] + [
                f for f in page.facts if f.property != "schema:superEvent"]
            if chain[0] in incoming.get(SCHEMA.subEvent, []):
                incoming[SCHEMA.subEvent].remove(chain[0])  # said above
        for prop in sorted(incoming, key=compact):
            if incoming[prop]:
                heading = self._(INVERSE_LABELS[prop]) if prop in INVERSE_LABELS else self.property_label(prop)
                page.incoming.append(Fact(heading, self.values(prop, incoming[prop]), compact(prop)))
        return page

    def within(self, iri: URIRef):
        """A programme part without dates of its own: the events it is part of, innermost first,
        up to the first with dates (the conference), and that one's dates."""
        graph = self.whole
        if graph is None or (iri, RDF.type, SCHEMA.Event) not in graph or graph.value(iri, SCHEMA.startDate) is not None:
            return None
        chain, current = [], iri
        while len(chain) < 5:
            current = graph.value(current, SCHEMA.superEvent) or graph.value(None, SCHEMA.subEvent, current)
            if current is None or current in chain:
                return None
            chain.append(current)
            if graph.value(current, SCHEMA.startDate) is not None:
                return chain, date_range(graph, current, self.lang)
        return None
