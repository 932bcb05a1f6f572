"""Dereferencing: every IRI of the graph answers with the representation the client prefers.

Resource IRIs answer 200 with the negotiated document and a Content-Location naming that
document (e.g. …/event/x.ttl), which is the document's own IRI: the thing and the page about
it stay distinct without a 303 round trip. Explicit format URLs (…/x.ttl, …/x.jsonld, …/x.nt,
…/x.rdf, …/x.html) never negotiate. /{lang}/… is the HTML page in another of the site's
languages (/en/…); only the default language's addresses negotiate.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, abort, redirect, request
from rdflib import URIRef

from publisher.etag import etag_of
from publisher.formats import BY_EXTENSION, HTML, Format
from publisher.http_policy import BAD_PATH, NOT_A_PATH
from publisher.lifecycle import moved_location
from publisher.represent.html import render_page
from publisher.represent.rdf import render_rdf
from publisher.rendering import Rendered, Rendering
from publisher.snapshot import Snapshot
from publisher.web.documents import alternates, document_response, negotiate, render, requested_page, resource_iri
from publisher.web.errors import not_acceptable
from publisher.web.routing import route
from publisher.web.state import current_rendering

blueprint = Blueprint("resources", __name__)

@blueprint.before_app_request
def refuse_unpublishable_path():
    path = request.environ.get("PATH_INFO", "")  # as sent, decoded: Flask's request.path drops a leading "//"
    if not path.startswith("/") or NOT_A_PATH.search(path):
        return Response(BAD_PATH, status=400, content_type="text/plain; charset=utf-8")


def respond(rendering: Rendering, iri: URIRef, fmt: Format | None, lang: str, negotiated: bool, page: int = 1):
    snapshot = rendering.snapshot
    if fmt is None:
        return not_acceptable(alternates(snapshot, iri, exclude=None))
    location = snapshot.urls.document(iri, fmt) if negotiated else None
    return document_response(snapshot, render(rendering, iri, fmt, lang, page), fmt, location=location,
                             alternates=alternates(snapshot, iri, exclude=fmt), negotiated=negotiated)


@blueprint.route("/", defaults={"path": ""})
@blueprint.route("/<path:path>")
def resource(path: str):
    rendering = current_rendering()
    snapshot = rendering.snapshot
    languages = snapshot.site.languages
    if path in languages.others:
        return redirect(snapshot.urls.in_language("", path), code=301)
    lang, path = languages.of_path(path)
    default = lang == languages.default  # only the default language's addresses negotiate
    if path == "":
        return home(rendering, lang)

    iri = resource_iri(snapshot.urls, path)
    if iri is None:
        abort(404)
    if iri == snapshot.catalog_iri and "modified_since" in request.args:
        return changed_catalog(snapshot, negotiate() if default else HTML, lang, negotiated=default)
    if iri in snapshot.resources:
        page = requested_page(rendering.pages(iri))
        if not default:
            return respond(rendering, iri, HTML, lang, negotiated=False, page=page)
        return respond(rendering, iri, negotiate(), lang, negotiated=True, page=page)
    if iri in snapshot.lifecycle:
        return ended(rendering, iri, None, lang)

    stem, dot, extension = path.rpartition(".")
    iri = snapshot.urls.at(stem)
    fmt = BY_EXTENSION.get(extension)
    if dot and fmt is not None and (default or fmt is HTML) and iri in snapshot.lifecycle:
        return ended(rendering, iri, fmt, lang)
    if not dot or iri not in snapshot.resources:
        abort(404)
    if iri == snapshot.catalog_iri and "modified_since" in request.args and fmt is not None:
        return changed_catalog(snapshot, fmt, lang, negotiated=False)
    if extension in EVENT_FILES and snapshot.is_main_event(iri):
        return event_file(rendering, iri, extension, lang)
    if fmt is not None and (default or fmt is HTML):
        return respond(rendering, iri, fmt, lang, negotiated=False)
    abort(404)


def changed_catalog(snapshot: Snapshot, fmt: Format | None, lang: str, negotiated: bool):
    """The catalog of only the datasets changed since ?modified_since= (ckanext-dcat's parameter)."""
    value = request.args["modified_since"]
    try:
        since = datetime.fromisoformat(value)
    except ValueError:
        return Response(f"400 Bad Request: modified_since={value!r} is not an ISO 8601 date or time "
                        "(e.g. 2026-11-27 or 2026-11-27T10:00:00Z)\n", status=400,
                        content_type="text/plain; charset=utf-8")
    since = since if since.tzinfo else since.replace(tzinfo=timezone.utc)
    pages = snapshot.catalog_pages(since)
    page = requested_page(pages)
    if fmt is None:
        return not_acceptable(alternates(snapshot, snapshot.catalog_iri, exclude=None))
    document = snapshot.catalog_view(page, since)
    if fmt is HTML:
        body = render_page(document, snapshot.catalog_iri, snapshot.urls, lang, snapshot.site, page, pages)
    else:
        body = render_rdf(document, fmt, snapshot.base_url)
    return document_response(snapshot, Rendered(body, etag_of(body)), fmt, location=None,
                             alternates=alternates(snapshot, snapshot.catalog_iri, exclude=fmt), negotiated=negotiated)


def ended(rendering: Rendering, iri: URIRef, fmt: Format | None, lang: str):
    """A merged resource: 301 to its successor, same language and format. A removed one: 410
    with its tombstone in the format its URL names, else the negotiated one (HTML under /{lang}/)."""
    snapshot = rendering.snapshot
    successor = snapshot.lifecycle.moved.get(iri)
    if successor is not None:
        return redirect(moved_location(snapshot.urls, successor, lang, fmt.extension if fmt else None), code=301)
    negotiated = fmt is None and lang == snapshot.site.default_language
    fmt = fmt or (negotiate() if negotiated else HTML)
    if fmt is None:
        return not_acceptable(alternates(snapshot, iri, exclude=None))
    return document_response(snapshot, render(rendering, iri, fmt, lang), fmt, location=None,
                             alternates=alternates(snapshot, iri, exclude=fmt), negotiated=negotiated, status=410)


# Files a main event has besides its data: a calendar entry per language and its one social image.
EVENT_FILES = {"ics": "text/calendar; charset=utf-8", "png": "image/png"}


def event_file(rendering: Rendering, iri: URIRef, extension: str, lang: str):
    if extension == "png" and lang != rendering.snapshot.site.default_language:
        abort(404)  # one image for all languages, at the event's own address (Urls.social_image)
    rendered = rendering.calendar(iri, lang) if extension == "ics" else rendering.image(iri)
    response = document_response(rendering.snapshot, rendered, None, location=None, alternates=[],
                                 negotiated=False, content_type=EVENT_FILES[extension])
    if extension == "ics":
        response.headers["Content-Disposition"] = f'attachment; filename="{iri.rsplit("/", 1)[-1]}.ics"'
    return response


@route(blueprint, "event_calendar")
def home_calendar():
    """A short, memorable address for the main event's calendar entry."""
    rendering = current_rendering()
    snapshot = rendering.snapshot
    if snapshot.home is None:
        abort(404)
    return event_file(rendering, snapshot.home, "ics", snapshot.site.default_language)


def home(rendering: Rendering, lang: str):
    """The home page is the main event's page; data clients are sent to the dataset."""
    snapshot = rendering.snapshot
    default = lang == snapshot.site.default_language
    fmt = negotiate() if default else HTML
    if fmt is None:
        return not_acceptable()
    if fmt is not HTML or snapshot.home is None:
        response = redirect(str(snapshot.dataset), code=303)
        response.vary.add("Accept")  # a cache must not give this to a browser asking for the page
        return response
    return respond(rendering, snapshot.home, HTML, lang, negotiated=default)
