"""`publisher build OUT`: every representation of every resource as files, plus the nginx config.

OUT/public is the document root; OUT/nginx holds server.conf (the server block), http.conf and
negotiate.js (what it needs at the http level) and a standalone nginx.conf. Every file gets the
data's modification time, so Last-Modified matches the app's.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.exceptions import RequestedRangeNotSatisfiable

from publisher.addresses import ROUTES
from publisher.assets import asset_names
from publisher.config import Settings
from publisher.export.nginx import Ended, http_block, negotiate_js, server_block, standalone_config
from publisher.formats import DOCUMENT_FORMATS, HTML, RDF_DOCUMENT_FORMATS
from publisher.http_policy import plain_error_body
from publisher.i18n import Languages
from publisher.preparing import build_snapshot
from publisher.rendering import Rendering
from publisher.represent.errors import NOT_FOUND, error_body, not_acceptable_body
from publisher.represent.sitemap import robots, sitemap_name
from publisher.snapshot import Snapshot


class Progress:
    """A progress line on a terminal; silent when output is not a terminal (CI, logs)."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled = total, 0, enabled

    def step(self, count: int = 1) -> None:
        self.done += count
        if self.enabled and (self.done % 50 == 0 or self.done == self.total):
            width = 40
            filled = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} resources")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


class Writer:
    def __init__(self, root: Path, mtime: float):
        self.root, self.mtime, self.count = root, mtime, 0
        # Folders already made: asking again costs a system call a file (~0.1 ms on ext4 here).
        self.folders: set[Path] = set()

    def write(self, relative: str, body: bytes) -> None:
        path = self.root / relative
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        path.write_bytes(body)
        os.utime(path, (self.mtime, self.mtime))
        self.count += 1


def localized(path: str, lang: str, languages: Languages) -> str:
    """Where a file of `lang` goes: the path itself in the default language, below /{lang}/ else."""
    return languages.prefix(lang) + path


def page_suffix(page: int) -> str:
    """Page 1 is the document itself; nginx picks `x.page-N.ext` for ?page=N."""
    return "" if page == 1 else f".page-{page}"


def export(snapshot: Snapshot, out: Path, listen: str, progress: bool) -> int:
    """Write the export; returns the number of files written."""
    public, nginx = out / "public", out / "nginx"
    for directory in (public, nginx):
        if directory.exists():
            shutil.rmtree(directory)
    prefix = urlsplit(snapshot.base_url).path.lstrip("/")
    writer = Writer(public / prefix if prefix else public, snapshot.modified.timestamp())
    urls = snapshot.urls
    resources = sorted(snapshot.resources)
    bar = Progress(len(resources), progress)
    rest = Writer(writer.root, writer.mtime)
    rendering = Rendering(snapshot)
    writer.count += _write_resources(rendering, writer, resources, bar, meanwhile=lambda: _write_rest(rendering, rest))
    writer.count += rest.count

    nginx.mkdir(parents=True)
    (nginx / "tmp").mkdir()
    home_path = urls.path(snapshot.home) if snapshot.home is not None else None
    js = nginx / "negotiate.js"
    js.write_text(negotiate_js(urls, home_path), encoding="utf-8")
    (nginx / "http.conf").write_text(http_block(js), encoding="utf-8")
    home_calendar = str(snapshot.home).rsplit("/", 1)[-1] if snapshot.home is not None else None
    ended = Ended(gone=sorted(urls.path(iri) for iri in snapshot.lifecycle.gone),
                  moved=sorted((urls.path(old), urls.path(new)) for old, new in snapshot.lifecycle.moved.items()))
    (nginx / "server.conf").write_text(server_block(public.resolve(), urls, listen, snapshot.settings.max_age,
                                                    home_path, home_calendar, ended),
                                       encoding="utf-8")
    (nginx / "nginx.conf").write_text(standalone_config(nginx.resolve()), encoding="utf-8")
    return writer.count


def _write_rest(rendering: Rendering, writer: Writer) -> None:
    """Everything that is not a resource's own document: home pages, dumps, the change feed,
    sitemaps, robots.txt, assets, tombstones and error documents."""
    snapshot = rendering.snapshot
    languages = snapshot.site.languages
    _write_tombstones(writer, rendering)
    if snapshot.home is not None:
        for lang in languages:
            writer.write(localized("index.html", lang, languages), rendering.html(snapshot.home, lang).body)
        writer.write(ROUTES["event_calendar"].path, rendering.calendar(snapshot.home, languages.default).body)
    for dump in [*snapshot.dumps.values(), *snapshot.part_dumps.values()]:
        writer.write(dump.name, dump.path.read_bytes())
    feed, feed_extension = ROUTES["changes"].path.rsplit(".", 1)
    for lang in languages:
        for page in range(1, rendering.feed_pages() + 1):
            writer.write(f"{localized(feed, lang, languages)}{page_suffix(page)}.{feed_extension}",
                         rendering.feed(lang, page).body)
    for number in rendering.sitemap_numbers():
        writer.write(sitemap_name(number), rendering.sitemap(number).body)
    writer.write(ROUTES["robots"].path, robots(snapshot.urls))
    for name, asset in asset_names():
        writer.write(ROUTES["static"].fill({"filename": name}), asset.read_bytes())
    _write_errors(writer, snapshot)


CHUNK = 100  # resources a worker renders at a time: small enough to balance, big enough to amortise


def _write_resources(rendering: Rendering, writer: Writer, resources: list, bar: Progress, meanwhile) -> int:
    """Every document of every resource, rendered by one forked process a core (rendering is
    CPU-bound Python; the snapshot is shared copy-on-write), while this process runs
    `meanwhile` (at 10,000 events the feed and sitemaps took ~7 s alone at the end). Returns
    the number of resource files."""
    global _JOB
    chunks = [resources[i:i + CHUNK] for i in range(0, len(resources), CHUNK)]
    processes = min(os.cpu_count() or 1, len(chunks))
    _JOB = (rendering, writer)
    # Python's full collections scanned the whole copy of the data (1.4 million objects at
    # 10,000 events) again and again: ~10% of rendering. Frozen, they are left out, and the
    # forked renderers do not copy its pages to mark them.
    gc.freeze()
    try:
        if processes <= 1:
            meanwhile()
            return sum(_stepped(map(_render_chunk, chunks), chunks, bar))
        with multiprocessing.get_context("fork").Pool(processes) as pool, ThreadPoolExecutor(1) as side:
            counts = pool.imap_unordered(_render_chunk, chunks)  # the workers start on them now
            done = side.submit(meanwhile)
            count = sum(_stepped(counts, chunks, bar))
            done.result()
            return count
    finally:
        gc.unfreeze()


def _stepped(counts, chunks, bar: Progress):
    for count, chunk in zip(counts, chunks):
        bar.step(len(chunk))
        yield count


_JOB: tuple | None = None  # (rendering, writer) for the forked workers


def _render_chunk(chunk: list) -> int:
    rendering, parent = _JOB
    snapshot = rendering.snapshot
    writer = Writer(parent.root, parent.mtime)
    urls, languages = snapshot.urls, snapshot.site.languages
    for iri in chunk:
        path = urls.path(iri)
        for page in range(1, rendering.pages(iri) + 1):
            suffix = page_suffix(page)
            for fmt in RDF_DOCUMENT_FORMATS:
                writer.write(f"{path}{suffix}.{fmt.extension}", rendering.document(iri, fmt, page).body)
            for lang in languages:
                writer.write(f"{localized(path, lang, languages)}{suffix}.html",
                             rendering.html(iri, lang, page).body)
        if snapshot.is_main_event(iri):
            for lang in languages:
                writer.write(f"{localized(path, lang, languages)}.ics", rendering.calendar(iri, lang).body)
            writer.write(f"{path}.png", rendering.image(iri).body)
    return writer.count


def _write_tombstones(writer: Writer, rendering: Rendering) -> None:
    """The 410 documents of removed resources, where nginx's @gone location finds them."""
    snapshot = rendering.snapshot
    urls, languages, gone = snapshot.urls, snapshot.site.languages, ROUTES["tombstones"].folder
    for iri in sorted(snapshot.lifecycle.gone):
        path = urls.path(iri)
        for fmt in RDF_DOCUMENT_FORMATS:
            writer.write(f"{gone}{path}.{fmt.extension}", rendering.document(iri, fmt).body)
        for lang in languages:
            writer.write(f"{gone}{localized(path, lang, languages)}.html", rendering.html(iri, lang).body)


def _write_errors(writer: Writer, snapshot: Snapshot) -> None:
    """The 404 document in every format (HTML per language) and the 406 text, as the app sends."""
    urls, languages, errors = snapshot.urls, snapshot.site.languages, ROUTES["error_documents"].folder
    for fmt in DOCUMENT_FORMATS:
        if fmt is HTML:
            for lang in languages:
                writer.write(f"{errors}{localized('404.html', lang, languages)}",
                             error_body(fmt, *NOT_FOUND, urls, lang))
        else:
            writer.write(f"{errors}404.{fmt.extension}", error_body(fmt, *NOT_FOUND, urls, languages.default))
    writer.write(errors + "404.txt", error_body(None, *NOT_FOUND, urls, languages.default))
    writer.write(errors + "406.txt", not_acceptable_body())
    writer.write(errors + "416.txt", plain_error_body(RequestedRangeNotSatisfiable()).encode())


def build(settings: Settings, out: Path, listen: str, progress: bool, lang: str = "pl") -> tuple[Snapshot, int]:
    """`lang`: of the validation report, if the data is refused."""
    # The CLI: one thread. Every document is rendered: from rdflib's memory store, the faster.
    snapshot = build_snapshot(settings, lang, processes=os.cpu_count() or 1, in_memory=True)
    try:
        return snapshot, export(snapshot, out, listen, progress)
    finally:
        snapshot.discard()  # its dumps are copied into the export
