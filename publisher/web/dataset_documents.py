"""The dataset's own documents: its VoID description and the whole-graph dumps."""

from __future__ import annotations

from flask import Blueprint, abort, request, send_file

from publisher.addresses import ROUTES
from publisher.etag import etag_of
from publisher.represent.feed import MEDIA_TYPE as ATOM
from publisher.represent.sitemap import robots
from publisher.rendering import Rendered, Rendering
from publisher.web.compression import accepts
from publisher.web.documents import document_response, negotiate, requested_page
from publisher.web.resources import respond
from publisher.web.routing import route
from publisher.web.state import current_rendering, current_snapshot

blueprint = Blueprint("meta", __name__)


@blueprint.before_app_request
def one_byte_range():
    """A file is served whole or in one byte range. Several ranges, another unit or no range at
    all are ignored (RFC 9110 §14.2 allows it): the whole file, 200, as nginx with max_ranges 1
    does, where Werkzeug would answer 416. Documents ignore Range anyway."""
    given = request.environ.get("HTTP_RANGE", "")
    if "," in given or len(given) < len("bytes=0") or not given.lower().startswith("bytes="):
        request.environ.pop("HTTP_RANGE", None)


@route(blueprint, "void")
def well_known_void():
    """VoID §6: the dataset description at a well-known address, negotiated like any IRI."""
    rendering = current_rendering()
    snapshot = rendering.snapshot
    return respond(rendering, snapshot.dataset, negotiate(), snapshot.site.default_language, negotiated=True)


@route(blueprint, "dump", defaults={"kind": "dump"})
@route(blueprint, "file_dump", defaults={"kind": "file_dump"})
def dump(extension: str, kind: str):
    """The whole-graph dumps (dump.ttl, …) and each data file's own (data/<file>.ttl, .nt)."""
    snapshot = current_snapshot()
    found = (snapshot.part_dumps if kind == "file_dump" else snapshot.dumps).get(
        ROUTES[kind].fill({"extension": extension}))
    if found is None:
        abort(404)
    gzipped = None if found.compressed else precompressed(snapshot, found.name)
    if gzipped is not None and accepts(request.headers.get("Accept-Encoding", ""), "gzip"):
        # The .gz dump beside it, as the gzip encoding of this one: no compressing per request.
        response = _snapshot_file(snapshot, gzipped.path, gzipped.etag, gzipped.media_type,
                                  content_type=found.format.content_type, download_name=found.name.rsplit("/", 1)[-1])
        response.headers["Content-Encoding"] = "gzip"
        return response
    return _snapshot_file(snapshot, found.path, found.etag, found.media_type,
                          content_type=None if found.compressed else found.format.content_type,
                          download_name=found.name.rsplit("/", 1)[-1])


def precompressed(snapshot, name: str):
    """The gzip file of a dump, when the snapshot wrote one."""
    return snapshot.part_dumps.get(name + ".gz") or snapshot.dumps.get(name + ".gz")


def _snapshot_file(snapshot, path, etag: str, media_type: str, content_type: str | None = None,
                   download_name: str | None = None):
    """A file of the snapshot, streamed with Content-Length, ETag and Last-Modified and cached
    publicly; a revalidation is answered 304 without reading it. `content_type`: the header in
    full, where it says more than the media type. `download_name`: offered for download under
    that name; without it, a document to read in place."""
    response = send_file(path, mimetype=media_type, etag=etag, conditional=True, last_modified=snapshot.modified,
                         max_age=snapshot.settings.max_age, download_name=download_name)
    if content_type:
        response.headers["Content-Type"] = content_type
    if download_name is None:
        response.headers.pop("Content-Disposition", None)
    response.cache_control.public = True
    return response


@route(blueprint, "changes")
def changes(lang: str | None):
    """The Atom feed of changes to the data: its subscription document (RFC 5005 §4). The pages
    ?page=N of the paged feed it replaced are no more: 404, as any page that does not exist."""
    requested_page(1)
    return _feed(lang, None)


@route(blueprint, "changes_archive")
def changes_archive(lang: str | None, number: int):
    """An archive document of the feed; its number written as nginx finds its file (no leading zero)."""
    if number not in current_rendering().feed_archives() or request.path.rsplit("-", 1)[1] != f"{number}.atom":
        abort(404)
    return _feed(lang, number)


def _feed(lang: str | None, archive: int | None):
    rendering = current_rendering()
    snapshot = rendering.snapshot
    return document_response(snapshot, rendering.feed(lang or snapshot.site.default_language, archive), None,
                             location=None, alternates=[], negotiated=False, content_type=f"{ATOM}; charset=utf-8",
                             modified=rendering.feed_modified(archive))


@route(blueprint, "sitemap")
def sitemap_xml():
    """The sitemap, or with more pages than one file may list, the index of /sitemap-N.xml."""
    return _sitemap(0)


@route(blueprint, "sitemap_part")
def sitemap_part(number: int):
    return _sitemap(number) if number > 0 else abort(404)


def _sitemap(number: int):
    rendering = current_rendering()
    try:
        return _sitemap_of(rendering, number)
    except FileNotFoundError:
        if current_rendering() is rendering:
            raise
        return _sitemap_of(current_rendering(), number)  # a reload retired it meanwhile


def _sitemap_of(rendering: Rendering, number: int):
    found = rendering.sitemap_file(number)
    if found is None:
        abort(404)
    path, etag = found  # up to ~15 MB at 100,000 events: streamed, never read for a 304
    return _snapshot_file(rendering.snapshot, path, etag, "application/xml", content_type="application/xml; charset=utf-8")


@route(blueprint, "robots")
def robots_txt():
    snapshot = current_snapshot()
    body = robots(snapshot.urls)
    return document_response(snapshot, Rendered(body, etag_of(body)), None, location=None, alternates=[],
                             negotiated=False, content_type="text/plain; charset=utf-8")
