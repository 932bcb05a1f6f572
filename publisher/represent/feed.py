"""The Atom feed (RFC 4287) of changes to the data, paged as RFC 5005 §3 describes.

Each entry is one change of one resource; its category names the ActivityStreams 2.0 activity
(Create, Update, Delete, Move), so AS2 consumers and feed readers read the same thing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from rdflib import Graph

from publisher.formats import TURTLE
from publisher.history import CREATED, DELETED, MOVED, UPDATED, Change
from publisher.labels import label
from publisher.addresses import Urls
from publisher.site import Site

ATOM = "http://www.w3.org/2005/Atom"
AS2 = "https://www.w3.org/ns/activitystreams#"
MEDIA_TYPE = "application/atom+xml"
PAGE_SIZE = 100
ACTIVITIES = {CREATED: "Create", UPDATED: "Update", DELETED: "Delete", MOVED: "Move"}


def feed_pages(changes: list[Change]) -> int:
    return max(1, -(-len(changes) // PAGE_SIZE))


def _stamp(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def render_feed(changes: list[Change], graph: Graph, urls: Urls, lang: str, site: Site, page: int = 1) -> bytes:
    _ = urls.languages.gettext(lang)
    verbs = {CREATED: _("Added"), UPDATED: _("Changed"), DELETED: _("Removed"), MOVED: _("Merged")}
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})

    def add(parent, tag, text=None, **attributes):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = text
        return element

    add(feed, "id", urls.changes(urls.languages.default))  # one feed, whatever its language
    add(feed, "title", _("Changes to the data: %(site)s") % {"site": site.name(lang)})
    add(feed, "updated", _stamp(changes[0].when) if changes else "1970-01-01T00:00:00Z")
    add(add(feed, "author"), "name", site.publisher_name(lang) or site.name(lang))
    pages = feed_pages(changes)
    add(feed, "link", rel="self", type=MEDIA_TYPE, href=urls.changes(lang, page))
    add(feed, "link", rel="alternate", type="text/html", href=urls.page(urls.home, lang) if urls.home else urls.base)
    add(feed, "link", rel="first", type=MEDIA_TYPE, href=urls.changes(lang))
    add(feed, "link", rel="last", type=MEDIA_TYPE, href=urls.changes(lang, pages))
    if page > 1:
        add(feed, "link", rel="previous", type=MEDIA_TYPE, href=urls.changes(lang, page - 1))
    if page < pages:
        add(feed, "link", rel="next", type=MEDIA_TYPE, href=urls.changes(lang, page + 1))
    for change in changes[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]:
        entry = add(feed, "entry")
        add(entry, "id", change.id)
        name = label(graph, change.iri, lang) or urls.path(change.iri)
        add(entry, "title", f"{verbs[change.kind]}: {name}")
        add(entry, "updated", _stamp(change.when))
        add(entry, "link", rel="alternate", href=urls.page(change.iri, lang))
        if change.kind in (CREATED, UPDATED):
            add(entry, "link", rel="related", type=TURTLE.media_type, href=urls.document(change.iri, TURTLE))
        add(entry, "category", scheme=AS2, term=ACTIVITIES[change.kind], label=verbs[change.kind])
        add(entry, "summary", f"{verbs[change.kind]}: {change.iri}")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False) + b"\n"
