"""A CSV file described by W3C CSVW metadata (a template for events: docs/importing.md) →
imported events, read with the `csvw` library (maintained by the CLDF project), which applies
the metadata's dialect, titles, datatypes, `null` values, separators and languages.

Each column's `propertyUrl` says which schema.org property it holds; the table schema's
`primaryKey` names the column whose value identifies a row for good (its IRI is made from it).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import csvw
from csvw.metadata import Link

from publisher.i18n import N_
from publisher.importing.model import (EMAIL, ImportedEvent, Organizer, Refusal, Refused, check_dates, checked_text,
                                       duplicate, slug, web_address)
from publisher.importing.writer import ImportRefused

SCHEMA_PROPERTY = re.compile(r"^(?:schema:|https?://schema\.org/)(\w+)$")
KNOWN = {"name", "description", "startDate", "endDate", "location", "latitude", "longitude", "url",
         "eventStatus", "keywords", "organizer", "email"}
DECIMAL = re.compile(r"^-?[0-9]{1,3}(\.[0-9]+)?$")
STATUS = {"eventscheduled": "CONFIRMED", "confirmed": "CONFIRMED", "eventcancelled": "CANCELLED",
          "cancelled": "CANCELLED", "eventpostponed": "TENTATIVE", "tentative": "TENTATIVE"}


def read_csv(file: Path, metadata: Path, lang: str) -> tuple[list[ImportedEvent], list[Refusal]]:
    try:
        table = csvw.Table.from_file(metadata)
    except Exception as error:  # csvw reports a bad document with its own exception types
        raise ImportRefused(N_("%(source)s is not CSVW metadata for one table: %(error)s"),
                            source=str(metadata), error=str(error)) from None
    table.url = Link(str(file.resolve()))  # the file named on the command line, whatever the metadata says
    columns = {}
    for column in table.tableSchema.columns:
        found = SCHEMA_PROPERTY.match(str(column.propertyUrl or ""))
        if found and found.group(1) in KNOWN:
            columns[column.name] = (found.group(1), column.lang if column.lang not in (None, "und") else lang)
    key = table.tableSchema.primaryKey
    if not key or len(key) != 1:
        raise ImportRefused(N_("%(source)s names no single primaryKey column (tableSchema.primaryKey): each row "
                               "needs an identifier that never changes"), source=str(metadata))
    events, refused, seen = [], [], {}
    try:
        rows = list(table.iterdicts(with_metadata=True))
    except Exception as error:  # a value that does not fit its column's datatype, or unreadable CSV
        raise ImportRefused(N_("%(source)s cannot be read with its metadata: %(error)s"),
                            source=str(file), error=str(error)) from None
    for _path, line, row in rows:
        where = f"{file}:{line}"
        uid = str(row.get(key[0]) or "").strip()
        if not uid:
            refused.append(Refusal(None, where, N_("the row has no identifier (%(column)s)"), {"column": key[0]}))
            continue
        if (again := duplicate(uid, where, seen)) is not None:
            refused.append(again)
            continue
        try:
            events.append(_event(row, columns, uid, where, lang))
        except Refused as refusal:
            refused.append(refusal.at(uid, where))
    events.sort(key=lambda event: event.slug)
    return events, refused


def _when(value, what: str) -> date | datetime | None:
    if value is None or isinstance(value, (date, datetime)):
        return value
    try:
        text = str(value).strip()
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    except ValueError:
        raise Refused(N_("%(what)s “%(value)s” is not an ISO 8601 date or date-time"), what=what,
                      value=str(value)) from None


def _event(row: dict, columns: dict, uid: str, where: str, lang: str) -> ImportedEvent:
    texts: dict[str, dict[str, str]] = {}
    values: dict[str, object] = {}
    for name, (prop, column_lang) in columns.items():
        value = row.get(name)
        if value is not None and not isinstance(value, (str, list, date)):
            value = value.unsplit() if hasattr(value, "unsplit") else str(value)  # anyURI, decimal
        if value in (None, "", []):
            continue
        if prop in ("name", "description"):
            texts.setdefault(prop, {})[column_lang] = checked_text(str(value), name)
        elif isinstance(value, list):
            values[prop] = [checked_text(str(item), name) for item in value if str(item).strip()]
        elif isinstance(value, str):
            values[prop] = checked_text(value, name)
        else:
            values[prop] = value
    if not texts.get("name"):
        raise Refused(N_("the event has no name (SUMMARY, name)"))
    if not texts.get("description"):
        raise Refused(N_("the event has no description (DESCRIPTION, description), and its page needs one"))
    if not values.get("location"):
        raise Refused(N_("the event has no place (LOCATION, location)"))
    start = _when(values.get("startDate"), "startDate")
    if start is None:
        raise Refused(N_("the event has no start (DTSTART, startDate)"))
    end = _when(values.get("endDate"), "endDate") or start
    check_dates(start, end, "startDate/endDate")
    status = values.get("eventStatus")
    if status is not None:
        status = STATUS.get(str(status).rsplit("/", 1)[-1].lower())
        if status is None:
            raise Refused(N_("eventStatus “%(value)s” is not EventScheduled, EventCancelled or EventPostponed"),
                          value=str(values["eventStatus"]))
    geo = None
    latitude, longitude = str(values.get("latitude", "")), str(values.get("longitude", ""))
    if DECIMAL.match(latitude) and DECIMAL.match(longitude):
        geo = (latitude, longitude)
    url, notes = web_address(str(values["url"]) if values.get("url") else None, "url")
    email = values.get("email")
    organizer = None
    if values.get("organizer"):
        organizer = Organizer(name=str(values["organizer"]),
                              email=email if isinstance(email, str) and EMAIL.match(email) else None)
    keywords = values.get("keywords") or []
    return ImportedEvent(uid=uid, where=where, slug=slug(uid), names=texts["name"],
                         descriptions=texts["description"], start=start, end=end, location=str(values["location"]),
                         location_lang=lang, geo=geo, url=url, status=status, organizer=organizer, notes=notes,
                         keywords=tuple(dict.fromkeys(keywords if isinstance(keywords, list) else [keywords])))
