"""Imported events → one Turtle file an event, place and organiser, written the same way every
time (the same feed gives byte-identical files), compared with the previous import, validated
together, and only then moved into the import folder.

The folder holds only what the importer wrote: each file starts with a header naming its source
and a checksum of its body, so a file written or edited by hand is found and never overwritten
without --force. An event that left the source becomes a tombstone (410 Gone; a Delete in the
change feed), as docs/editing.md asks of every removal.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from publisher.i18n import N_
from publisher.importing.model import (Address, ImportedEvent, Organizer, Refusal, Refused,
                                       parse_address, slug)
from publisher.load import load_stored
from publisher.validate import Report, display_path, validate

MARK = "# Imported by `publisher import` from "
HEADER = (MARK + "{source}\n# Do not edit: the next import rewrites this file; add facts in a file outside "
          "this folder.\n# Checksum: {digest}\n")
PREFIXES = ("@prefix schema: <http://schema.org/> .\n@prefix dct:    <http://purl.org/dc/terms/> .\n"
            "@prefix prov:   <http://www.w3.org/ns/prov#> .\n@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .\n")
STATUS = {"CANCELLED": "EventCancelled", "TENTATIVE": "EventPostponed"}
STAGED = ".part"  # staged files do not end in .ttl: a server watching the data does not load them


class ImportRefused(Exception):
    """The whole import is refused (nothing was written); an English msgid and its parameters."""

    def __init__(self, message: str, report: Report | None = None, **params):
        super().__init__(message % params)
        self.message, self.params, self.report = message, params, report


@dataclass
class Summary:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    warnings: list[Refusal] = field(default_factory=list)
    report: Report | None = None


def literal(text: str, lang: str | None = None) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def date_literal(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return f'"{value.isoformat()}"^^xsd:dateTime'
    return f'"{value.isoformat()}"^^xsd:date'


def _statement(subject: str, facts: list[tuple[str, list[str]]]) -> str:
    lines = [f"{subject}"]
    facts = [(p, values) for p, values in facts if values]
    for index, (prop, values) in enumerate(facts):
        end = " ." if index == len(facts) - 1 else " ;"
        lines.append(f"    {prop} {' , '.join(values)}{end}")
    return "\n".join(lines) + "\n"


def _file(source: str, body: str) -> str:
    body = PREFIXES + "\n" + body
    return HEADER.format(source=source, digest=_digest(body)) + body


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Previous:
    """What an earlier import wrote about an event, as far as the next one needs it."""
    start: str | None
    previous_start: str | None
    uid: str | None
    links: tuple[str, ...]  # the place and organiser files it refers to


def _read_previous(text: str) -> Previous:
    def one(prop: str) -> str | None:
        found = re.search(rf"^    {prop} (\S+(?: [^;.]+)?) [;.]$", text, re.M)
        return found.group(1) if found else None
    uid = re.search(r'^    dct:identifier ("(?:[^"\\]|\\.)*") [;.]$', text, re.M)
    links = re.findall(r"^    schema:(?:location|organizer) <([^>]+)> [;.]$", text, re.M)
    return Previous(start=one("schema:startDate"), previous_start=one("schema:previousStartDate"),
                    uid=uid.group(1) if uid else None, links=tuple(links))


def event_text(event: ImportedEvent, place: str, organizer: str | None, source: str,
               previous: Previous | None, warn: Callable[[str], None]) -> str:
    start = date_literal(event.start)
    if previous is None or previous.start is None:
        earlier = None
    else:
        earlier = previous.start if previous.start != start else previous.previous_start
    status = STATUS.get(event.status or "", "EventRescheduled" if earlier else "EventScheduled")
    if status == "EventPostponed" and earlier is None:
        # schema.org's EventPostponed means "a new date is not yet known, the old one is": without
        # an earlier import there is no old date to name, and a tentative event is not scheduled.
        warn(N_("STATUS:TENTATIVE, but no earlier date of this event is known: no event status is given"))
        status = None
    lang = event.location_lang
    facts = [
        ("a", ["schema:Event"]),
        ("schema:name", [literal(text, code) for code, text in sorted(event.names.items())]),
        ("schema:description", [literal(text, code) for code, text in sorted(event.descriptions.items())]),
        ("schema:startDate", [start]),
        ("schema:endDate", [date_literal(event.end)]),
        ("schema:previousStartDate", [earlier] if earlier else []),
        ("schema:eventStatus", [f"schema:{status}"] if status else []),
        ("schema:location", [f"<{place}>"]),
        ("schema:organizer", [f"<{organizer}>"] if organizer else []),
        ("schema:url", [f"<{event.url}>"] if event.url else []),
        ("schema:keywords", [literal(word, lang) for word in event.keywords]),
        ("dct:identifier", [literal(event.uid)]),
        ("dct:source", [f"<{source}>"]),
    ]
    return _file(source, _statement(f"<event/{event.slug}>", facts))


def place_text(iri: str, address: Address, lang: str, geo: tuple[str, str] | None, source: str) -> str:
    place = _statement(f"<{iri}>", [
        ("a", ["schema:Place"]),
        ("schema:name", [literal(address.name, lang)]),
        ("schema:address", [f"<{iri}/address>"]),
        ("schema:geo", [f"<{iri}/geo>"] if geo else []),
        ("dct:source", [f"<{source}>"]),
    ])
    postal = _statement(f"<{iri}/address>", [
        ("a", ["schema:PostalAddress"]),
        ("schema:streetAddress", [literal(address.street)]),
        ("schema:postalCode", [literal(address.postal_code)] if address.postal_code else []),
        ("schema:addressLocality", [literal(address.locality, lang)]),
        ("schema:addressCountry", [literal(address.country)] if address.country else []),
    ])
    body = place + "\n" + postal
    if geo:
        body += "\n" + _statement(f"<{iri}/geo>", [
            ("a", ["schema:GeoCoordinates"]),
            ("schema:latitude", [f'"{geo[0]}"^^xsd:decimal']),
            ("schema:longitude", [f'"{geo[1]}"^^xsd:decimal']),
        ])
    return _file(source, body)


def organization_text(iri: str, organizer: Organizer, lang: str, source: str) -> str:
    return _file(source, _statement(f"<{iri}>", [
        ("a", ["schema:Organization"]),
        ("schema:name", [literal(organizer.name, lang)]),
        ("schema:email", [literal(organizer.email)] if organizer.email else []),
        ("dct:source", [f"<{source}>"]),
    ]))


def tombstone_text(iri: str, today: date, source: str) -> str:
    return _file(source, _statement(f"<{iri}>", [("prov:invalidatedAtTime", [date_literal(today)]),
                                                ("dct:source", [f"<{source}>"])]))


@dataclass
class _Existing:
    text: str

    @property
    def source(self) -> str | None:
        first = self.text.split("\n", 1)[0]
        return first[len(MARK):] if first.startswith(MARK) else None

    @property
    def intact(self) -> bool:
        """Written by the importer and not edited since."""
        parts = self.text.split("\n", 3)
        return (self.source is not None and len(parts) == 4 and parts[2].startswith("# Checksum: ")
                and parts[2][len("# Checksum: "):] == _digest(parts[3]))

    @property
    def tombstone(self) -> bool:
        return "prov:invalidatedAtTime" in self.text and "schema:name" not in self.text


def write_import(events: list[ImportedEvent], refused: list[Refusal], into: Path, source: str, *,
                 today: date, base_url: str, shapes, lang: str = "pl", force: bool = False,
                 keep_before: date | None = None, progress: Callable[[int, int], None] | None = None) -> Summary:
    """Make `into` hold exactly the import of `events` (plus tombstones and kept past occurrences).

    An event whose description would not validate is refused, like one the reader refused; an
    earlier import of a refused event is kept as it was (it is still in the source). `keep_before`:
    earlier imported events whose UID is still in the source and that start before it are kept as
    they are (past occurrences of a recurring event, outside the import's window).
    Raises ImportRefused, writing nothing, when the folder holds files not written by an import
    of this source (unless `force`)."""
    existing = {path.relative_to(into).as_posix(): _Existing(path.read_text(encoding="utf-8"))
                for path in sorted(into.rglob("*.ttl"))} if into.exists() else {}
    foreign = sorted(name for name, file in existing.items() if not file.intact or file.source != source)
    if foreign and not force:
        raise ImportRefused(N_("%(folder)s holds files not written by an import of this source, or edited since: "
                               "%(files)s. Import into a folder of its own and keep hand-written facts in another "
                               "folder, or pass --force to overwrite them."),
                            folder=str(into), files=", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else ""))
    refused = list(refused)
    accepted: list[tuple[ImportedEvent, Address]] = []
    for event in events:
        try:
            accepted.append((event, parse_address(event.location)))
        except Refused as refusal:
            refused.append(refusal.at(event.uid, event.where))
    while True:
        plan = _plan(accepted, refused, existing, source, today, keep_before, progress)
        try:
            report = _stage_validate_and_move(into, plan, existing, base_url, shapes, lang)
        except _Nonconforming as found:
            # Refuse the events the violations are about (or whose place or organiser they are
            # about), then plan again without them.
            blamed = {}
            for problem in found.report.problems:
                blamed.setdefault(problem.node.split("/address")[0].split("/geo")[0], problem)
            still = []
            for event, address in accepted:
                name = f"event/{event.slug}"
                links = [name, f"place/{slug(event.location)}"] + (
                    [_organizer_iri(event.organizer)] if event.organizer and event.organizer.name else [])
                problem = next((blamed[link] for link in links if link in blamed), None)
                if problem is None:
                    still.append((event, address))
                else:
                    refused.append(Refusal(event.uid, event.where, N_("%(fact)s: %(message)s"),
                                           {"fact": problem.path or problem.node, "message": problem.message}))
            if len(still) == len(accepted):  # nothing to blame on an event: refuse the whole import
                raise ImportRefused(N_("the imported data would not validate; nothing was written"),
                                    report=found.report) from None
            accepted = still
            continue
        plan.summary.report = report
        return plan.summary


def _organizer_iri(organizer: Organizer) -> str:
    return f"organization/{slug(organizer.email or organizer.name)}"


@dataclass
class _Plan:
    wanted: dict[str, str]  # file name in the folder → its text
    summary: Summary


def _plan(accepted: list[tuple[ImportedEvent, Address]], refused: list[Refusal], existing: dict[str, _Existing],
          source: str, today: date, keep_before: date | None, progress) -> _Plan:
    summary = Summary(refused=sorted(refused, key=lambda r: r.where))
    previous = {name: _read_previous(file.text) for name, file in existing.items() if name.startswith("event/")}
    wanted: dict[str, str] = {}
    places: dict[str, tuple[Address, str, set]] = {}
    organizers: dict[str, Organizer] = {}
    links: list[tuple[ImportedEvent, str, str | None]] = []
    for event, address in accepted:
        summary.warnings.extend(Refusal(event.uid, event.where, message, params) for message, params in event.notes)
        place = f"place/{slug(event.location)}"
        places.setdefault(place, (address, event.location_lang, set()))[2].add(event.geo)
        organizer = None
        if event.organizer is not None and event.organizer.name:
            organizer = _organizer_iri(event.organizer)
            known = organizers.get(organizer)
            if known is None or (known.name, known.email or "") > (event.organizer.name, event.organizer.email or ""):
                organizers[organizer] = event.organizer  # the same choice, whatever the order
        elif event.organizer is not None:
            summary.warnings.append(Refusal(event.uid, event.where, N_("ORGANIZER has no name (CN): left out")))
        links.append((event, place, organizer))

    for number, (event, place, organizer) in enumerate(links, 1):
        name = f"event/{event.slug}.ttl"
        warn = lambda message, e=event: summary.warnings.append(Refusal(e.uid, e.where, message))  # noqa: E731
        wanted[name] = event_text(event, place, organizer, source, previous.get(name), warn)
        if progress and (number % 1000 == 0 or number == len(links)):
            progress(number, len(links))
    used = {link for _event, place, organizer in links for link in (place, organizer) if link}
    in_source = {literal(event.uid) for event, _ in accepted}
    refused_uids = {literal(refusal.uid) for refusal in refused if refusal.uid}
    for name, old in previous.items():
        if name in wanted or old.uid is None or existing[name].tombstone:
            continue
        past = keep_before is not None and old.start and old.start[1:11] < keep_before.isoformat()
        # Still in the source but refused now, or a past occurrence outside the window: kept as it was.
        if old.uid in refused_uids or (past and old.uid in in_source):
            wanted[name] = existing[name].text
            used.update(old.links)
    for iri, (address, place_lang, geos) in places.items():
        if iri not in used:
            continue
        geos.discard(None)
        geo = next(iter(geos)) if len(geos) == 1 else None
        if len(geos) > 1:
            summary.warnings.append(Refusal(None, iri, N_("events at this location give different GEO: "
                                                          "no coordinates are given")))
        wanted[f"{iri}.ttl"] = place_text(iri, address, place_lang, geo, source)
    for iri, organizer in organizers.items():
        if iri in used:
            wanted[f"{iri}.ttl"] = organization_text(iri, organizer, links[0][0].location_lang, source)
    for name, file in existing.items():
        if name in wanted:
            continue
        if file.tombstone and file.intact:
            wanted[name] = file.text
        elif file.source is not None and not (name not in previous and name[:-len(".ttl")] in used):
            # (a place or organiser a kept event refers to stays as it was)
            wanted[name] = tombstone_text(name[:-len(".ttl")], today, source)
            if name.startswith("event/"):
                summary.removed.append(name[len("event/"):-len(".ttl")])
        else:
            wanted[name] = file.text

    for name, text in sorted(wanted.items()):
        if not name.startswith("event/") or _Existing(text).tombstone:
            continue
        old = existing.get(name)
        if old is None or old.tombstone:
            summary.created.append(name[len("event/"):-len(".ttl")])
        elif old.text != text:
            summary.changed.append(name[len("event/"):-len(".ttl")])
        else:
            summary.unchanged += 1
    return _Plan(wanted, summary)


class _Nonconforming(Exception):
    def __init__(self, report: Report):
        super().__init__("the imported data does not conform")
        self.report = report


def _stage_validate_and_move(into: Path, plan: _Plan, existing: dict[str, _Existing], base_url: str, shapes,
                             lang: str) -> Report:
    changed = {name: text for name, text in plan.wanted.items()
               if name not in existing or existing[name].text != text}
    kept = [into / name for name in plan.wanted if name not in changed]
    if not changed:  # the same import again: nothing to write, nothing new to check
        return Report([], [display_path(path) for path in kept])
    into.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{into.name}-import-", dir=into.parent))
    try:
        staged = {}
        for name, text in changed.items():
            path = staging / (name + STAGED)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            staged[name] = path
        files = sorted(staged.values()) + sorted(kept)
        report = validate(load_stored(files, base_url), shapes, lang=lang) if files else Report([], [])
        final = {display_path(path): display_path(into / name) for name, path in staged.items()}
        for problem in report.problems:  # name the files as they will be, not as staged
            problem.file = final.get(problem.file, problem.file)
        report.files = sorted(final.get(name, name) for name in report.files)
        if not report.conforms:
            raise _Nonconforming(Report([p for p in report.problems if p.severity == "violation"], report.files))
        # Places and organisers first: an event never refers to a file not yet moved in.
        for name in sorted(staged, key=lambda n: (n.startswith("event/"), n)):
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged[name], target)
        return report
    finally:
        shutil.rmtree(staging, ignore_errors=True)
