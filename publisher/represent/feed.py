"""The Atom feed (RFC 4287) of changes to the data, archived as RFC 5005 §4 describes.

Each entry is one change of one resource; its category names the ActivityStreams 2.0 activity
(Create, Update, Delete, Move), so AS2 consumers and feed readers read the same thing.

The changes are cut into blocks of PAGE_SIZE counted from the oldest, so a block, once full,
holds the same changes for good: it is an archive document (`fh:archive`) whose bytes depend on
nothing that happens later. Its links are fixed when it fills: `prev-archive` to the block
before, `next-archive` to the block after (where that block will grow), `current` to the
subscription document. The block still filling is served at its own address too (the newest
archive's `next-archive` leads there) but without `fh:archive`: it changes until it is full.

The subscription document holds the newest PAGE_SIZE changes, not only those not yet in a full
archive. RFC 5005 §4 says a subscription document always contains the most recently added
entries; right after a block fills, the other choice would hold none, and a reader that never
follows `prev-archive` (most feed readers) would miss the change that filled it. Its older
entries are also in the newest archive, with the same ids and bytes: §4.2 lets a client meet an
entry twice and keep one. Its `prev-archive` is the newest full archive, and walking back from
there reaches the first change; the block still filling is always within its newest PAGE_SIZE.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import datetime

from publisher.formats import TURTLE
from publisher.history import CREATED, DELETED, MOVED, UPDATED, Change
from publisher.labels import pick_literal
from publisher.addresses import Urls
from publisher.site import Site

ATOM = "http://www.w3.org/2005/Atom"
HISTORY = "http://purl.org/syndication/history/1.0"  # RFC 5005's fh: namespace
AS2 = "https://www.w3.org/ns/activitystreams#"
MEDIA_TYPE = "application/atom+xml"
PAGE_SIZE = 100
ACTIVITIES = {CREATED: "Create", UPDATED: "Update", DELETED: "Delete", MOVED: "Move"}


def full_archives(changes: list[Change]) -> int:
    """How many blocks of PAGE_SIZE changes are full (archived for good)."""
    return len(changes) // PAGE_SIZE


def archive_numbers(changes: list[Change]) -> range:
    """The numbers of the archive documents: the full blocks, then the one still filling."""
    return range(1, full_archives(changes) + 2)


def archived_at(changes: list[Change], number: int) -> datetime | None:
    """When archive `number` was last changed, if it is full: the time of its newest change."""
    return _block(changes, number)[0].when if number <= full_archives(changes) else None


def archive_digest(changes: list[Change], number: int) -> str:
    """What archive `number` is rendered from besides the site and the code: its changes and
    their names. An archive of the same digest is the same bytes (a build need not render it)."""
    lines = (f"{change.id} {sorted(name.n3() for name in change.names)}" for change in _block(changes, number))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _block(changes: list[Change], number: int) -> list[Change]:
    """Block `number` of the changes (newest first), counted from the oldest."""
    end = len(changes) - (number - 1) * PAGE_SIZE
    return changes[max(0, end - PAGE_SIZE):end]


def _stamp(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def render_feed(changes: list[Change], urls: Urls, lang: str, site: Site, archive: int | None = None) -> bytes:
    """The subscription document, or with `archive`, that block of changes (1 is the oldest)."""
    _ = urls.languages.gettext(lang)
    verbs = {CREATED: _("Added"), UPDATED: _("Changed"), DELETED: _("Removed"), MOVED: _("Merged")}
    full = full_archives(changes)
    shown = changes[:PAGE_SIZE] if archive is None else _block(changes, archive)
    newest = shown[:1] or changes[:1]  # the block still filling may be empty: the feed's newest
    ET.register_namespace("", ATOM)
    ET.register_namespace("fh", HISTORY)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})

    def add(parent, tag, text=None, **attributes):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = text
        return element

    def link(rel: str, href: str) -> None:
        add(feed, "link", rel=rel, type=MEDIA_TYPE, href=href)

    add(feed, "id", urls.changes(urls.languages.default))  # one feed, whatever its language
    add(feed, "title", _("Changes to the data: %(site)s") % {"site": site.name(lang)})
    add(feed, "updated", _stamp(newest[0].when) if newest else "1970-01-01T00:00:00Z")
    add(add(feed, "author"), "name", site.publisher_name(lang) or site.name(lang))
    if archive is not None and archive <= full:
        ET.SubElement(feed, f"{{{HISTORY}}}archive")
    link("self", urls.changes(lang) if archive is None else urls.changes_archive(lang, archive))
    add(feed, "link", rel="alternate", type="text/html", href=urls.page(urls.home, lang) if urls.home else urls.base)
    if archive is None:
        if full:
            link("prev-archive", urls.changes_archive(lang, full))
    else:
        link("current", urls.changes(lang))
        if archive > 1:
            link("prev-archive", urls.changes_archive(lang, archive - 1))
        if archive <= full:
            link("next-archive", urls.changes_archive(lang, archive + 1))
    for change in shown:
        entry = add(feed, "entry")
        add(entry, "id", change.id)
        name = pick_literal(change.names, lang)
        add(entry, "title", f"{verbs[change.kind]}: {name if name is not None else urls.path(change.iri)}")
        add(entry, "updated", _stamp(change.when))
        add(entry, "link", rel="alternate", href=urls.page(change.iri, lang))
        if change.kind in (CREATED, UPDATED):
            add(entry, "link", rel="related", type=TURTLE.media_type, href=urls.document(change.iri, TURTLE))
        add(entry, "category", scheme=AS2, term=ACTIVITIES[change.kind], label=verbs[change.kind])
        add(entry, "summary", f"{verbs[change.kind]}: {change.iri}")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False) + b"\n"
