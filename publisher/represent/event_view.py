"""The main event's page: everything a visitor needs, read from the graph in one language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from datetime import date

from babel.dates import format_date
from rdflib import RDF, Graph, URIRef

from publisher.event_kinds import event_last_day
from publisher.i18n import babel_locale
from publisher.labels import label, pick_literal
from publisher.namespaces import DCT, SCHEMA, SKOS
from publisher.addresses import Urls
from publisher.represent.dates import date_range, format_date_literal
from publisher.represent.resource_view import LANGUAGE_NAMES, VALUE_LABELS


# The order of the project's role concepts (data/event.ttl) on a page: who invites, who shapes
# the programme, who gives patronage; any other role follows by name.
ROLE_ORDER = ("inviting-party", "content-partner", "media-patron")


@dataclass
class Link:
    text: str
    href: str | None  # None: not linkable (publisher.addresses), shown as text


@dataclass
class Part:
    name: str
    href: str | None
    description: str | None
    contributors: list["RoleGroup"]
    parts: list["Part"]
    website: str | None
    performers: list[Link] = field(default_factory=list)  # those no role of the part names already


@dataclass
class Contact:
    name: str
    phone: str | None
    tel: str | None
    email: str | None
    deadline: str | None
    href: str | None


@dataclass
class Feature:
    name: str
    description: str | None
    href: str | None
    contact: Contact | None


@dataclass
class RoleGroup:
    role: str
    members: list[Link]


@dataclass
class EventPage:
    iri: str
    name: str
    alternate_name: str | None
    tagline: str | None
    description: str | None
    dates: str
    status: str | None
    attendance: str | None
    languages: list[str]
    venue: Link | None
    place: str | None
    address: str | None
    area: list[Link]
    online: str | None
    organisers: list[Link]
    roles: list[RoleGroup]
    programme: list[Part]
    accessibility: list[Feature]
    recordings: list[Link]
    website: Link | None
    news: Link | None
    audience: str | None
    series: Link | None = None
    # Cancelled, postponed, rescheduled or moved online: said first, with the date it had before.
    notice: str | None = None
    previous_dates: list[str] = field(default_factory=list)
    sources: list[Link] = field(default_factory=list)
    past: bool = False  # over on the day the page is rendered for
    cancelled: bool = False
    as_of: str | None = None  # that day, said on an upcoming event's page


def address_text(graph: Graph, address, lang: str) -> str | None:
    if address is None:
        return None
    parts = [graph.value(address, SCHEMA.streetAddress), pick_literal(graph.objects(address, SCHEMA.postalCode), lang),
             pick_literal(graph.objects(address, SCHEMA.addressLocality), lang)]
    return ", ".join(str(p) for p in parts if p is not None) or None


def place_text(graph: Graph, place, lang: str) -> str:
    """A place's name with the parts of its address the name does not already say."""
    name = label(graph, place, lang) or ""
    address = address_text(graph, graph.value(place, SCHEMA.address), lang) or ""
    extra = [part for part in address.split(", ") if part and part not in name]
    return ", ".join([name] + extra) if name else address


def online_name(name: str | None, attendance: str) -> str | None:
    """The online location's name, unless it says no more than the attendance ("Online
    (Konferencja online)")."""
    if not name or (attendance and attendance.casefold() in name.casefold()):
        return None
    return name


def status_notice(graph: Graph, event, gettext) -> str | None:
    """The event's status in words when it is not simply as scheduled (cancelled, postponed…)."""
    status = graph.value(event, SCHEMA.eventStatus)
    return gettext(VALUE_LABELS[status]) if status in VALUE_LABELS and status != SCHEMA.EventScheduled else None


def with_notice(notice: str | None, dates: str) -> str:
    """The dates as a social image and its alt text say them: a cancelled event says so first."""
    return f"{notice} · {dates}" if notice else dates


def venue_of(graph: Graph, event: URIRef):
    return next((p for p in sorted(graph.objects(event, SCHEMA.location)) if (p, None, SCHEMA.Place) in graph), None)


@dataclass(frozen=True)
class Headline:
    """What an event is called, when and where: the page's heading and its social image."""
    name: str
    dates: str
    place: str | None
    venue: URIRef | None  # the Place that `place` names


def headline(graph: Graph, event: URIRef, lang: str) -> Headline:
    venue = venue_of(graph, event)
    return Headline(name=label(graph, event, lang) or str(event), dates=date_range(graph, event, lang),
                    place=place_text(graph, venue, lang) if venue is not None else None, venue=venue)


class EventPageBuilder:
    def __init__(self, graph: Graph, urls: Urls, lang: str):
        self.graph, self.urls, self.lang = graph, urls, lang
        self._ = urls.languages.gettext(lang)

    def text(self, node, prop) -> str | None:
        literal = pick_literal(self.graph.objects(node, prop), self.lang)
        return str(literal) if literal is not None else None

    def link(self, node) -> Link:
        text = label(self.graph, node, self.lang) or str(node)
        return Link(text, self.urls.href(node, self.lang))

    def links(self, nodes) -> list[Link]:
        return sorted((self.link(n) for n in nodes), key=lambda l: (l.text.casefold(), l.href or ""))

    def external(self, iri) -> Link:
        """An external address (a website, a source), shown as itself."""
        return Link(str(iri), self.urls.href(iri, self.lang))

    def role_groups(self, node) -> list["RoleGroup"]:
        """Who plays which role (schema:Role under contributor or sponsor), grouped by role: the
        inviting party first, then partners, then patrons, then any other role by name. A group
        of several is named by the role's plural (its skos:altLabel) where the data gives one."""
        g = self.graph
        groups: dict[object, list] = {}
        for prop in (SCHEMA.contributor, SCHEMA.sponsor):
            for role in g.objects(node, prop):
                member = g.value(role, prop)
                concept = g.value(role, DCT.type)
                if member is not None:
                    groups.setdefault(concept if concept is not None else role, []).append(member)
        named = []
        for key, members in groups.items():
            singular = (pick_literal(g.objects(key, SKOS.prefLabel), self.lang)
                        or pick_literal(g.objects(key, SCHEMA.roleName), self.lang))
            plural = pick_literal(g.objects(key, SKOS.altLabel), self.lang) if len(members) > 1 else None
            if singular is not None:
                rank = next((i for i, name in enumerate(ROLE_ORDER) if str(key).endswith("/" + name)), len(ROLE_ORDER))
                named.append((rank, str(singular), RoleGroup(str(plural or singular), self.links(members))))
        return [group for _rank, _name, group in sorted(named, key=lambda item: item[:2])]

    def part(self, node) -> Part:
        g = self.graph
        contributors = self.role_groups(node)
        named = {member.href or member.text for group in contributors for member in group.members}
        return Part(
            name=label(g, node, self.lang) or str(node),
            href=self.urls.href(node, self.lang),
            description=self.text(node, SCHEMA.description),
            contributors=contributors,
            parts=self.parts(node),
            website=str(g.value(node, SCHEMA.url)) if g.value(node, SCHEMA.url) else None,
            performers=[p for p in self.links(g.objects(node, SCHEMA.performer)) if (p.href or p.text) not in named],
        )

    def parts(self, node) -> list[Part]:
        return sorted((self.part(p) for p in self.graph.objects(node, SCHEMA.subEvent)),
                      key=lambda p: (p.name, p.href or ""))

    def contact(self, node) -> Contact | None:
        g = self.graph
        if node is None or (node, None, SCHEMA.ContactPoint) not in g and not list(g.objects(node, SCHEMA.telephone)):
            return None
        phone = g.value(node, SCHEMA.telephone)
        deadline = None
        for hours in g.objects(node, SCHEMA.hoursAvailable):
            until = g.value(hours, SCHEMA.validThrough)
            if until is not None:
                deadline = format_date_literal(until, self.lang)
        email = g.value(node, SCHEMA.email)
        return Contact(
            name=label(g, node, self.lang) or "",
            phone=str(phone) if phone else None,
            tel="tel:" + re.sub(r"[^+0-9]", "", str(phone)) if phone else None,
            email=str(email) if email else None,
            deadline=deadline,
            href=self.urls.href(node, self.lang),
        )

    def features(self, places) -> list[Feature]:
        g = self.graph
        features = []
        for place in places:
            for feature in g.objects(place, SCHEMA.amenityFeature):
                if g.value(feature, SCHEMA.value) is not None and not g.value(feature, SCHEMA.value).toPython():
                    continue  # a feature marked absent is not offered
                features.append(Feature(
                    name=label(g, feature, self.lang) or str(feature),
                    description=self.text(feature, SCHEMA.description),
                    href=self.urls.href(feature, self.lang),
                    contact=self.contact(g.value(feature, SCHEMA.valueReference)),
                ))
        # Lasting features of the venue first, then what is offered on request.
        return sorted(features, key=lambda f: (f.contact is not None, f.name.casefold(), f.href or ""))

    def build(self, event: URIRef, today: date | None = None) -> EventPage:
        """The page as of `today` (default: the real today): a past event says it took place."""
        g, _ = self.graph, self._
        today = today or date.today()
        last_day = event_last_day(g, event)
        past = last_day is not None and today > last_day
        places = [p for p in g.objects(event, SCHEMA.location) if (p, None, SCHEMA.Place) in g]
        online = [p for p in g.objects(event, SCHEMA.location) if (p, None, SCHEMA.VirtualLocation) in g]
        head = headline(g, event, self.lang)
        venue = head.venue
        area, current = [], g.value(venue, SCHEMA.containedInPlace) if venue is not None else None
        while current is not None and len(area) < 5:
            area.append(self.link(current))
            current = g.value(current, SCHEMA.containedInPlace)
        status = g.value(event, SCHEMA.eventStatus)
        if past and status == SCHEMA.EventScheduled:
            status = None  # "as scheduled" is news only before; the page says it took place
        attendance = g.value(event, SCHEMA.eventAttendanceMode)
        news = g.value(event, SCHEMA.subjectOf)
        audience = g.value(event, SCHEMA.audience)
        series = next((s for s in sorted(g.objects(event, SCHEMA.superEvent))
                       if (s, RDF.type, SCHEMA.EventSeries) in g), None)
        return EventPage(
            iri=str(event),
            name=head.name,
            alternate_name=self.text(event, SCHEMA.alternateName),
            tagline=self.text(event, SCHEMA.disambiguatingDescription),
            description=self.text(event, SCHEMA.description),
            dates=head.dates,
            status=_(VALUE_LABELS[status]) if status in VALUE_LABELS else None,
            attendance=_(VALUE_LABELS[attendance]) if attendance in VALUE_LABELS else None,
            languages=[_(LANGUAGE_NAMES.get(str(code), str(code))) for code in sorted(g.objects(event, SCHEMA.inLanguage))],
            venue=self.link(venue) if venue is not None else None,
            # The areas follow the place: a town its address names is said once, by them.
            place=", ".join(part for part in (head.place or "").split(", ")
                            if part not in {a.text for a in area}) or head.place,
            address=address_text(g, g.value(venue, SCHEMA.address), self.lang) if venue is not None else None,
            area=area,
            online=online_name(label(g, online[0], self.lang),
                                                        _(VALUE_LABELS[attendance]) if attendance in VALUE_LABELS else "") if online else None,
            organisers=self.links(g.objects(event, SCHEMA.organizer)),
            roles=self.role_groups(event),
            programme=self.parts(event),
            accessibility=self.features(places),
            recordings=[self.link(r) for r in sorted(g.objects(event, SCHEMA.recordedIn),
                                                     key=lambda r: (str(g.value(r, SCHEMA.temporalCoverage) or ""), str(r)))],
            website=self.external(g.value(event, SCHEMA.url)) if g.value(event, SCHEMA.url) else None,
            news=self.link(news) if news is not None else None,
            audience=self.text(audience, SCHEMA.audienceType) if audience is not None else None,
            series=self.link(series) if series is not None else None,
            notice=status_notice(g, event, _),
            previous_dates=[format_date_literal(d, self.lang) for d in sorted(g.objects(event, SCHEMA.previousStartDate))],
            sources=[self.external(s) for s in sorted(set(g.objects(event, DCT.source)), key=str)],
            past=past,
            cancelled=g.value(event, SCHEMA.eventStatus) == SCHEMA.EventCancelled,
            as_of=None if past else format_date(today, "long", locale=babel_locale(self.lang)),
        )
