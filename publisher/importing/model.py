"""What an importer reads from a source, whatever its format: events, and what it refused."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from publisher.i18n import N_
from publisher.xml_chars import NOT_XML_CHAR

# DEL is allowed by XML but invisible everywhere; the shapes refuse it too (shapes/text.ttl).
UNPUBLISHABLE = re.compile(NOT_XML_CHAR.pattern + "|\x7f")
# An IRI the publisher writes as <...>: http(s), none of the characters Turtle forbids inside.
WEB_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
EMAIL = re.compile(r"^[^\s<>\"@]+@[^\s<>\"@]+$")


class Refused(Exception):
    """One event cannot be imported; `message` is an English msgid (translated when reported)."""

    def __init__(self, message: str, **params):
        super().__init__(message % params)
        self.message, self.params = message, params

    def at(self, uid: str | None, where: str) -> Refusal:
        """The refusal of the event with `uid` at `where`, as the summary lists it."""
        return Refusal(uid, where, self.message, self.params)


@dataclass(frozen=True)
class Refusal:
    uid: str | None
    where: str  # "file:line"
    message: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Organizer:
    name: str | None
    email: str | None


@dataclass(frozen=True)
class ImportedEvent:
    uid: str
    where: str
    slug: str
    names: dict[str, str]  # language → text
    descriptions: dict[str, str]
    start: date | datetime  # a datetime is always timezone-aware
    end: date | datetime  # schema.org's endDate: inclusive for dates
    location: str
    location_lang: str
    geo: tuple[str, str] | None = None  # latitude, longitude as written
    url: str | None = None
    status: str | None = None  # CONFIRMED, CANCELLED or TENTATIVE (RFC 5545's words)
    organizer: Organizer | None = None
    keywords: tuple[str, ...] = ()
    notes: tuple[tuple[str, dict], ...] = ()  # warnings about what was left out: msgid, parameters


def duplicate(uid: str, where: str, seen: dict[str, str]) -> Refusal | None:
    """A refusal when `uid` was seen before (the first stays); else remembers where it is."""
    if uid in seen:
        return Refusal(uid, where, N_("duplicate UID: another event at %(first)s has it"), {"first": seen[uid]})
    seen[uid] = where
    return None


def web_address(value: str | None, what: str) -> tuple[str | None, tuple[tuple[str, dict], ...]]:
    """An http(s) address as is; anything else left out, with a note saying so."""
    if not value or WEB_IRI.match(value):
        return value or None, ()
    return None, ((N_("%(what)s “%(value)s” is not an http(s) address: left out"), {"what": what, "value": value}),)


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII with hyphens; the same text always gives the same slug. Text that is not
    already such a slug gets a short digest of itself, so two texts never share one."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode().lower()
    simple = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:limit].strip("-")
    if simple == text:
        return simple
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{simple}-{digest}" if simple else digest


def checked_text(value: str, what: str) -> str:
    """`value` stripped, or Refused when it holds a character no format can carry."""
    found = UNPUBLISHABLE.search(value)
    if found:
        raise Refused(N_("%(what)s contains the control character U+%(code)04X, which cannot be published"),
                      what=what, code=ord(found.group()))
    return value.strip()


def check_dates(start: date | datetime, end: date | datetime, what: str) -> None:
    if isinstance(start, datetime) != isinstance(end, datetime):
        raise Refused(N_("%(what)s: the start and the end must both be dates or both date-times"), what=what)
    for value in (start, end):
        if isinstance(value, datetime) and value.tzinfo is None:
            raise Refused(N_("%(what)s: the time %(time)s has no time zone (a floating time); give a TZID "
                             "or a UTC time"), what=what, time=value.isoformat())
    if end < start:
        raise Refused(N_("%(what)s: the event ends before it starts"), what=what)


POSTAL_CODE = re.compile(r"^(\d{2}-\d{3}|\d{4,5})\s+(\S.*)$")
# The country as calendar programs write it in Polish and English (Google Calendar adds it).
COUNTRIES = {"polska": "PL", "poland": "PL"}
STREET_PREFIX = re.compile(r"^(ul\.|al\.|pl\.|os\.|ulica|aleja|plac)\s", re.IGNORECASE)


@dataclass(frozen=True)
class Address:
    name: str
    street: str
    postal_code: str | None
    locality: str
    country: str | None = None  # ISO 3166-1 code, when the text names the country


def parse_address(text: str) -> Address:
    """A calendar's location text as calendar programs write it in Poland and much of Europe,
    "Name, Street 1, 00-000 Town[, Country]" (or "Name, ul. Street 1, Town"). Google requires the
    street and town of an event's place; text in which they cannot be told apart is refused
    rather than guessed at."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    for index in range(len(parts) - 1):
        street, town = parts[index], parts[index + 1]
        postal = POSTAL_CODE.match(town)
        if not (re.search(r"\d", street) and re.search(r"[^\W\d_]", street)) or POSTAL_CODE.match(street):
            continue
        locality = postal.group(2) if postal else town
        if (postal or STREET_PREFIX.match(street)) and not re.search(r"\d", locality):
            rest = parts[index + 2:]
            return Address(name=", ".join(parts[:index]) or text, street=street,
                           postal_code=postal.group(1) if postal else None, locality=locality,
                           country=COUNTRIES.get(rest[-1].lower()) if rest else None)
    raise Refused(N_("LOCATION “%(text)s” has no street with a number followed by a postal code and town "
                     "(“Name, Street 1, 00-000 Town”): an event's place needs its address"), text=text)
