"""An iCalendar feed (RFC 5545) → imported events, read with the icalendar library.

A recurring event (RRULE, RDATE, with EXDATE and moved occurrences) becomes one event an
occurrence inside the import's window, expanded by recurring_ical_events: what Google's Event
rich result and every calendar reader understand (schema:eventSchedule is read by neither).
"""

from __future__ import annotations

import re
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

import icalendar
import recurring_ical_events
import x_wr_timezone

from publisher.i18n import N_
from publisher.importing.model import (EMAIL, ImportedEvent, Organizer, Refusal, Refused, check_dates, checked_text,
                                       duplicate, slug, web_address)
from publisher.importing.writer import ImportRefused


def read_source(source: str, max_bytes: int) -> bytes:
    """The bytes of a file or of an http(s) URL, refused beyond `max_bytes` (a file unread). The
    import is the only command that fetches anything."""
    too_large = ImportRefused(N_("%(source)s is larger than %(limit)d MB (--max-size); nothing was imported"),
                              source=source, limit=max_bytes // 2**20)
    if re.match(r"^https?://", source, re.I):
        request = urllib.request.Request(source, headers={"User-Agent": "publisher-import"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (http(s) only)
                data = response.read(max_bytes + 1)
        except OSError as error:
            raise ImportRefused(N_("cannot fetch %(source)s: %(error)s"), source=source, error=str(error)) from None
    else:
        path = Path(source)
        if not path.is_file():
            raise ImportRefused(N_("%(source)s is not a file"), source=source)
        if path.stat().st_size > max_bytes:
            raise too_large
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise too_large
    return data


def read_ical(data: bytes, name: str, lang: str, window: tuple[date, date]) -> tuple[list[ImportedEvent],
                                                                                    list[Refusal]]:
    """The feed's events and what was refused, each with its UID and the line of its BEGIN:VEVENT."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(N_("%(source)s is not UTF-8 text (byte %(offset)d)"), source=name,
                            offset=error.start) from None
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise ImportRefused(N_("%(source)s is not an iCalendar feed: it does not begin with BEGIN:VCALENDAR"),
                            source=name)
    try:
        calendar = icalendar.Calendar.from_ical(text)
        # Google Calendar may write local times without a zone and name it once, in X-WR-TIMEZONE.
        calendar = x_wr_timezone.to_standard(calendar)
    except ValueError as error:
        raise ImportRefused(N_("%(source)s is not a well-formed iCalendar feed: %(error)s"),
                            source=name, error=str(error)) from None
    except LookupError as error:  # zoneinfo's: X-WR-TIMEZONE names no IANA time zone
        raise ImportRefused(N_("%(source)s names an unknown time zone in X-WR-TIMEZONE: %(error)s"),
                            source=name, error=str(error)) from None
    lines = [number for number, line in enumerate(text.splitlines(), 1) if line.strip().upper() == "BEGIN:VEVENT"]
    components = calendar.walk("VEVENT")
    wheres = [f"{name}:{lines[i]}" if i < len(lines) else name for i in range(len(components))]
    events: list[ImportedEvent] = []
    refused: list[Refusal] = []
    masters: dict[str, str] = {}  # UID → where its event is
    overrides: dict[str, list] = {}
    recurring: dict[str, tuple] = {}
    for component, where in zip(components, wheres):
        uid = str(component.get("UID", "")).strip()
        if not uid:
            refused.append(Refusal(None, where, N_("the event has no UID, so it cannot keep a stable address")))
            continue
        if component.get("RECURRENCE-ID") is not None:
            overrides.setdefault(uid, []).append(component)
            continue
        if (again := duplicate(uid, where, masters)) is not None:
            refused.append(again)
            continue
        if component.get("RRULE") is not None or component.get("RDATE") is not None:
            recurring[uid] = (component, where)
            continue
        try:
            events.append(_event(component, uid, slug(uid), where, lang))
        except Refused as refusal:
            refused.append(refusal.at(uid, where))
    timezones = calendar.walk("VTIMEZONE")
    for uid, (component, where) in recurring.items():
        series = icalendar.Calendar()
        for part in timezones + [component] + overrides.get(uid, []):
            series.add_component(part)
        try:
            occurrences = recurring_ical_events.of(series).between(*window)
        except Exception as error:  # the library's own errors name what is wrong with the rule
            refused.append(Refusal(uid, where, N_("the recurrence cannot be expanded: %(error)s"),
                                   {"error": str(error)}))
            continue
        for occurrence in occurrences:
            original = occurrence.get("RECURRENCE-ID", occurrence.get("DTSTART")).dt
            key = original.strftime("%Y%m%dt%H%M") if isinstance(original, datetime) else original.strftime("%Y%m%d")
            try:
                events.append(_event(occurrence, uid, f"{slug(uid)}-{key}", where, lang))
            except Refused as refusal:
                refused.append(refusal.at(uid, where))
    events.sort(key=lambda event: event.slug)
    return events, refused


def _text(component, prop: str) -> str | None:
    value = component.get(prop)
    return checked_text(str(value), prop) or None if value is not None else None


def _language(component, prop: str, default: str) -> str:
    """RFC 5545's LANGUAGE parameter, when the feed states the text's language; else --lang."""
    stated = str(component[prop].params.get("LANGUAGE", "")).strip().lower()
    return stated if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{1,8})*", stated) else default


def _event(component, uid: str, event_slug: str, where: str, lang: str) -> ImportedEvent:
    checked_text(uid, "UID")
    start_prop = component.get("DTSTART")
    if start_prop is None:
        raise Refused(N_("the event has no start (DTSTART, startDate)"))
    start = start_prop.dt
    if isinstance(start, datetime) and start.tzinfo is None and "TZID" in start_prop.params:
        raise Refused(N_("DTSTART names the time zone %(tzid)s, which is neither defined in the feed "
                         "(VTIMEZONE) nor an IANA time zone"), tzid=start_prop.params["TZID"])
    if component.get("DTEND") is not None:
        end = component["DTEND"].dt
        if not isinstance(end, datetime) and not isinstance(start, datetime):
            end = max(start, end - timedelta(days=1))  # RFC 5545's DTEND is exclusive, schema.org's endDate not
    elif component.get("DURATION") is not None:
        end = start + component["DURATION"].dt
        if not isinstance(start, datetime):
            end = max(start, end - timedelta(days=1))
    else:
        end = start  # RFC 5545: a date lasts that day; a date-time, no time at all
    check_dates(start, end, "DTSTART/DTEND")
    summary, description, location = (_text(component, p) for p in ("SUMMARY", "DESCRIPTION", "LOCATION"))
    if summary is None:
        raise Refused(N_("the event has no name (SUMMARY, name)"))
    if description is None:
        raise Refused(N_("the event has no description (DESCRIPTION, description), and its page needs one"))
    if location is None:
        raise Refused(N_("the event has no place (LOCATION, location)"))
    geo = None
    if component.get("GEO") is not None:
        found = component["GEO"]
        if -90 <= found.latitude <= 90 and -180 <= found.longitude <= 180:
            geo = (repr(float(found.latitude)), repr(float(found.longitude)))
    url, notes = web_address(_text(component, "URL"), "URL")
    organizer = None
    if component.get("ORGANIZER") is not None:
        address = checked_text(str(component["ORGANIZER"]), "ORGANIZER")
        email = re.sub(r"^mailto:", "", address, flags=re.I)
        name = component["ORGANIZER"].params.get("CN")
        organizer = Organizer(name=checked_text(str(name), "ORGANIZER CN") or None if name else None,
                              email=email if EMAIL.match(email) else None)
    categories = component.get("CATEGORIES")
    words: list[str] = []
    for group in categories if isinstance(categories, list) else [categories] if categories is not None else []:
        for word in group.cats:
            word = checked_text(str(word), "CATEGORIES")
            if word and word not in words:
                words.append(word)
    status = str(component.get("STATUS", "")).strip().upper() or None
    return ImportedEvent(uid=uid, where=where, slug=event_slug,
                         names={_language(component, "SUMMARY", lang): summary},
                         descriptions={_language(component, "DESCRIPTION", lang): description},
                         start=start, end=end, location=location, location_lang=_language(component, "LOCATION", lang),
                         geo=geo, url=url, status=status, organizer=organizer, keywords=tuple(words), notes=notes)
