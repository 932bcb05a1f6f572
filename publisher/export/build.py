"""`publisher build OUT`: every representation of every resource as files, plus the nginx config.

OUT/public is the document root; OUT/nginx holds server.conf (the server block), http.conf and
negotiate.js (what it needs at the http level) and a standalone nginx.conf. Every file gets the
data's modification time, so Last-Modified matches the app's.
"""

from __future__ import annotations

import filecmp
import gc
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import URIRef
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from publisher.addresses import ROUTES
from publisher.assets import asset_names
from publisher.config import Handover, Settings
from publisher.event_kinds import as_of
from publisher.export.incremental import (BuildState, Inputs, Reads, Record, Unit, Work, context_key, key_digest,
                                          term_key, to_render)
from publisher.export.nginx import Ended, http_block, negotiate_js, server_block, standalone_config
from publisher.formats import DOCUMENT_FORMATS, HTML, RDF_DOCUMENT_FORMATS
from publisher.history import states
from publisher.http_policy import plain_error_body
from publisher.i18n import Languages
from publisher.load import fingerprint
from publisher.preparing import build_snapshot, unless_refused
from publisher.rendering import Rendering
from publisher.represent.calendar import restamp
from publisher.represent.errors import NOT_FOUND, error_body, not_acceptable_body
from publisher.represent.feed import archive_digest, full_archives
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
    """Writes files below `root`, each dated `mtime` (None: dated later, by the caller);
    `compare`: into an existing output, where a file whose bytes are already there is not
    written again (only dated, if its date differs)."""

    def __init__(self, root: Path, mtime: float | None, compare: bool = False):
        self.root, self.mtime, self.compare, self.count = root, mtime, compare, 0
        self.produced: list[str] = []  # every file asked for, written or already there
        # Folders already made: asking again costs a system call a file (~0.1 ms on ext4 here).
        self.folders: set[Path] = set()

    def write(self, relative: str, body: bytes, mtime: float | None = None) -> None:
        """`mtime`: this file's date, where it is not the writer's."""
        self._put(relative, len(body), lambda path: path.read_bytes() == body, lambda path: path.write_bytes(body),
                  mtime)

    def copy(self, relative: str, source: Path) -> None:
        """`write` the file `source` (a dump: hundreds of megabytes at 100,000 events), compared
        and copied in chunks rather than read whole."""
        self._put(relative, source.stat().st_size, lambda path: filecmp.cmp(source, path, shallow=False),
                  lambda path: shutil.copyfile(source, path))

    def _put(self, relative: str, size: int, same, put, mtime: float | None = None) -> None:
        path = self.root / relative
        self.produced.append(relative)
        mtime = mtime or self.mtime
        if self.compare:
            try:
                there = path.stat()
                if there.st_size == size and same(path):
                    if mtime is not None and there.st_mtime != mtime:
                        os.utime(path, (mtime, mtime))
                    return
            except OSError:
                pass  # not there yet
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        put(path)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        self.count += 1

    def keep(self, relative: str) -> bool:
        """Keeps a file the last build wrote, as it is, without rendering it again; False when it
        is not there any more (then it must be written)."""
        if not (self.root / relative).is_file():
            return False
        self.produced.append(relative)
        return True


def localized(path: str, lang: str, languages: Languages) -> str:
    """Where a file of `lang` goes: the path itself in the default language, below /{lang}/ else."""
    return languages.prefix(lang) + path


def page_suffix(page: int) -> str:
    """Page 1 is the document itself; nginx picks `x.page-N.ext` for ?page=N."""
    return "" if page == 1 else f".page-{page}"


def export(snapshot: Snapshot, out: Path, listen: str, progress: bool, inputs: Inputs | None = None) -> int:
    """Write the export; returns the number of files written. Into the output of an earlier
    build, only what changed is rendered and written (publisher.export.incremental). `inputs`:
    what it was made from, recorded once it is whole."""
    public, nginx = out / "public", out / "nginx"
    Inputs.forget(out)
    prefix = urlsplit(snapshot.base_url).path.lstrip("/")
    root = public / prefix if prefix else public
    compare = public.exists()
    context = context_key(snapshot.settings, snapshot)
    state = BuildState.load(out, context) if compare else None
    modified = snapshot.modified.isoformat()
    writer = Writer(root, snapshot.modified.timestamp(), compare)
    resources = [str(iri) for iri in sorted(snapshot.resources)]
    rendering = Rendering(snapshot)
    snapshot.described = states(snapshot.graph, snapshot.base_url)
    work, stamp_only = to_render(state, resources, rendering, modified, date.today())
    if stamp_only:
        again = _restamp_calendars(writer, state, stamp_only, snapshot.modified)
        work = _with_calendars(work, again, state, resources)
    bar = Progress(len(work), progress)
    rest = Writer(root, writer.mtime, compare)
    archives = {number: archive_digest(snapshot.changes, number) for number in range(1, full_archives(snapshot.changes) + 1)}
    # Full archives of the change feed the last build wrote from the same changes: the same bytes.
    unchanged = {number for number, digest in archives.items() if state is not None and state.archives.get(number) == digest}
    rendered = _write_resources(rendering, writer, work, bar, meanwhile=lambda: _write_rest(rendering, rest, unchanged))
    writer.count += sum(done.pop("written") for done in rendered.values()) + rest.count

    new = BuildState(context=context, modified=modified, digests=state.digests if state else {}, others=rest.produced,
                     archives=archives)
    for iri in resources:
        done = rendered.get(iri)
        if done is None:
            new.resources[iri] = state.resources[iri]
            continue
        kept = state.resources.get(iri) if state else None
        pages = list(kept.pages) if kept else []
        pages[done["count"]:] = []  # pages that are no more
        for page, unit in done["pages"].items():
            if page <= len(pages):
                pages[page - 1] = unit
            else:
                pages.append(unit)  # rendered in order: the new last pages come last
        new.resources[iri] = Record(pages, done["calendars"] or kept.calendars, done["last_day"], done["as_of"])
    _date_from_history(root, snapshot, [unit for done in rendered.values() for unit in done["pages"].values()])
    if compare:
        _remove_the_rest(root, state, new)
    used = {key for record in new.resources.values() for unit in record.units() for key in unit.keys}
    new.digests = {key: new.digests.get(key) or key_digest(snapshot.graph, key, snapshot.described)
                   for key in sorted(used)}

    nginx.mkdir(parents=True, exist_ok=True)
    (nginx / "tmp").mkdir(exist_ok=True)
    urls = snapshot.urls
    home_path = urls.path(snapshot.home) if snapshot.home is not None else None
    js = nginx / "negotiate.js"
    home_calendar = str(snapshot.home).rsplit("/", 1)[-1] if snapshot.home is not None else None
    ended = Ended(gone=sorted(urls.path(iri) for iri in snapshot.lifecycle.gone),
                  moved=sorted((urls.path(old), urls.path(new)) for old, new in snapshot.lifecycle.moved.items()))
    config = Writer(nginx, writer.mtime, compare=True)
    config.write("negotiate.js", negotiate_js(urls, home_path).encode())
    config.write("http.conf", http_block(js).encode())
    config.write("server.conf", server_block(public.resolve(), urls, listen, snapshot.settings.max_age,
                                             home_path, home_calendar, ended).encode())
    config.write("nginx.conf", standalone_config(nginx.resolve()).encode())
    new.save(out)
    if inputs is not None:
        inputs.save(out, new)
    return writer.count


def _restamp_calendars(writer: Writer, state: BuildState, iris: list[str], modified: datetime) -> set[str]:
    """Each resource's calendars as the last build wrote them, with the data's new time; returns
    the resources whose calendars are not as it wrote them (edited, removed): to be rendered."""
    old = datetime.fromisoformat(state.modified)
    again = set()
    for iri in iris:
        for relative in state.resources[iri].calendars.files:
            try:
                body = restamp((writer.root / relative).read_bytes(), old, modified)
            except OSError:
                body = None
            if body is None:
                again.add(iri)
                break
            writer.write(relative, body)
    return again


def _with_calendars(work: list[Work], iris: set[str], state: BuildState, resources: list[str]) -> list[Work]:
    """`work`, and the calendars of `iris` rendered too."""
    listed = {item.iri: item for item in work}
    for iri in iris:
        listed[iri] = replace(listed[iri], calendars=True) if iri in listed else \
            Work(iri, (), len(state.resources[iri].pages), True)
    return [listed[iri] for iri in resources if iri in listed]


def _date_from_history(root: Path, snapshot: Snapshot, units: list[Unit]) -> None:
    """Each page of a resource's documents gets the time of the newest change (publisher.history)
    to what it was rendered from, so one changed event does not make every file look new; the
    data's modification time when none of it has a history (data outside git has one version)."""
    newest: dict[str, float] = {}
    for change in snapshot.changes:  # newest first
        newest.setdefault("s" + term_key(change.iri), change.when.timestamp())
    latest = snapshot.modified.timestamp()
    for unit in units:
        # Never after the data's own time, which the app and every other file say (the history
        # dates a merge commit, the files' times its parents' commits).
        when = min(max((newest[key] for key in unit.keys if key in newest), default=latest), latest)
        for relative in unit.files:
            path = root / relative
            if path.stat().st_mtime != when:
                os.utime(path, (when, when))


def _remove_the_rest(root: Path, state: BuildState | None, new: BuildState) -> None:
    """Delete the files of the last build that this one did not write: those of resources that
    left the data, pages that are no more. Without its record, every file not written now."""
    if state is None:
        before = {str(path.relative_to(root)) for path in root.rglob("*") if not path.is_dir()}
    else:
        before = state.files()
    for relative in sorted(before - new.files()):
        path = root / relative
        path.unlink(missing_ok=True)
        folder = path.parent
        while folder != root and not any(folder.iterdir()):  # as a clean build: no empty folders
            folder.rmdir()
            folder = folder.parent


def _write_rest(rendering: Rendering, writer: Writer, unchanged_archives: set[int]) -> None:
    """Everything that is not a resource's own document: home pages, dumps, the change feed,
    sitemaps, robots.txt, assets, tombstones and error documents. `unchanged_archives`: the
    feed's archives already there as they would be rendered, left as they are."""
    snapshot = rendering.snapshot
    languages = snapshot.site.languages
    _write_tombstones(writer, rendering)
    if snapshot.home is not None:
        for lang in languages:
            writer.write(localized("index.html", lang, languages), rendering.html(snapshot.home, lang).body)
        writer.write(ROUTES["event_calendar"].path, rendering.calendar(snapshot.home, languages.default).body)
    for dump in [*snapshot.dumps.values(), *snapshot.part_dumps.values()]:
        writer.copy(dump.name, dump.path)
    for lang in languages:
        writer.write(localized(ROUTES["changes"].path, lang, languages), rendering.feed(lang).body)
        for number in rendering.feed_archives():
            archive = localized(ROUTES["changes_archive"].fill({"number": number}), lang, languages)
            if number not in unchanged_archives or not writer.keep(archive):
                writer.write(archive, rendering.feed(lang, number).body, rendering.feed_modified(number).timestamp())
    for number in rendering.sitemap_numbers():
        writer.write(sitemap_name(number), rendering.sitemap(number).body)
    writer.write(ROUTES["robots"].path, robots(snapshot.urls))
    for name, asset in asset_names():
        writer.write(ROUTES["static"].fill({"filename": name}), asset.read_bytes())
    _write_errors(writer, snapshot)


CHUNK = 100  # resources a worker renders at a time: small enough to balance, big enough to amortise


def _write_resources(rendering: Rendering, writer: Writer, work: list[Work], bar: Progress,
                     meanwhile) -> dict[str, dict]:
    """What `work` names of each resource's documents, rendered by one forked process a core
    (rendering is CPU-bound Python; the snapshot is shared copy-on-write), while this process
    runs `meanwhile` (at 10,000 events the feed and sitemaps took ~7 s alone at the end).
    Returns what each resource wrote and read."""
    global _JOB
    chunks = [work[i:i + CHUNK] for i in range(0, len(work), CHUNK)]
    # In children even on one core: the record of what rendering reads stays out of this graph.
    processes = max(1, min(os.cpu_count() or 1, len(chunks)))
    _JOB = (rendering, writer)
    # Python's full collections scanned the whole copy of the data (1.4 million objects at
    # 10,000 events) again and again: ~10% of rendering. Frozen, they are left out, and the
    # forked renderers do not copy its pages to mark them.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool, ThreadPoolExecutor(1) as side:
            results = pool.imap_unordered(_render_chunk, chunks)  # the workers start on them now
            done = side.submit(meanwhile)
            records = {}
            for chunk in results:
                bar.step(len(chunk))
                records.update(chunk)
            done.result()
            return records
    finally:
        gc.unfreeze()


_JOB: tuple | None = None  # (rendering, writer) for the forked workers
_READS: Reads | None = None  # what a forked worker's rendering reads


def _render_chunk(chunk: list[Work]) -> dict[str, dict]:
    global _READS
    rendering, parent = _JOB
    snapshot = rendering.snapshot
    if _READS is None:
        _READS = Reads(snapshot.graph)
    records = {}
    for work in chunk:
        iri = URIRef(work.iri)
        for cache in (rendering.describe, rendering.incoming, rendering._last_day):
            cache.cache_clear()  # what one resource looked up must be read again, and so noted, by the next
        _READS.start()
        count = rendering.pages(iri)  # its incoming links: read by every page
        last_day = rendering._last_day(iri)
        common = _READS.keys()
        wanted = range(1, count + 1) if work.pages is None else \
            [n for n in work.pages if n <= count] + list(range(work.known + 1, count + 1))
        written, pages = 0, {}
        for page in wanted:
            _READS.start()
            files = Writer(parent.root, None, parent.compare)  # dated from the history (_date_from_history)
            _write_page(rendering, files, iri, page)
            pages[page] = _unit(files, common, _READS.keys())
            written += files.count
        calendars = None
        if work.calendars:
            _READS.start()
            files = Writer(parent.root, parent.mtime, parent.compare)
            if snapshot.is_main_event(iri):
                for lang in snapshot.site.languages:
                    files.write(f"{localized(snapshot.urls.path(iri), lang, snapshot.site.languages)}.ics",
                                rendering.calendar(iri, lang).body)
            calendars = _unit(files, common, _READS.keys())
            written += files.count
        day = as_of(last_day, date.today()) if last_day else None
        records[work.iri] = {"count": count, "pages": pages, "calendars": calendars, "written": written,
                             "last_day": last_day.isoformat() if last_day else None,
                             "as_of": day.isoformat() if day else None}
    return records


def _unit(files: Writer, common: tuple, reads: tuple) -> Unit:
    """A unit's record: its files, and what it read besides what every page of the resource reads."""
    subjects, objects = sorted(set(common[0]) | set(reads[0])), sorted(set(common[1]) | set(reads[1]))
    return Unit(files.produced, ["s" + key for key in subjects] + ["o" + key for key in objects],
                common[2] or reads[2])


def _write_page(rendering: Rendering, writer: Writer, iri: URIRef, page: int) -> None:
    """A page of a resource's documents, in each format and language; with page 1, an event's image."""
    snapshot = rendering.snapshot
    urls, languages = snapshot.urls, snapshot.site.languages
    path, suffix = urls.path(iri), page_suffix(page)
    for fmt in RDF_DOCUMENT_FORMATS:
        writer.write(f"{path}{suffix}.{fmt.extension}", rendering.document(iri, fmt, page).body)
    for lang in languages:
        writer.write(f"{localized(path, lang, languages)}{suffix}.html", rendering.html(iri, lang, page).body)
    if page == 1 and snapshot.is_main_event(iri):
        writer.write(f"{path}.png", rendering.image(iri).body)


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


@dataclass(frozen=True)
class Built:
    resources: int
    written: int  # files
    reused: bool  # nothing changed since the last build: nothing was validated, prepared or rendered
    validated: bool  # False: the same bytes, shapes and code as the last build's, not validated again


def build(settings: Settings, out: Path, listen: str, progress: bool, lang: str = "pl") -> Built:
    """`lang`: of the validation report, if the data is refused. When the data files, their
    dates and history, the settings and the code are those of the last whole build into `out`
    (and its pages are still those of today), its export is kept as it is; when only the bytes
    validation reads are the same, they are not validated again."""
    seen = fingerprint(settings.data_paths)
    inputs = Inputs.of(settings, out / "public", listen)
    kept = inputs.unchanged(out, date.today())
    if kept is not None:
        return Built(kept, 0, reused=True, validated=False)
    checked_before = inputs.validated(out)
    # The CLI: one thread. Every document is rendered: from rdflib's memory store, the faster.
    snapshot = build_snapshot(settings, lang, processes=os.cpu_count() or 1, in_memory=True,
                              handover=Handover(validated=seen if checked_before else None))
    if checked_before and fingerprint(settings.data_paths) != seen:  # written to while read: check what is there now
        snapshot.discard()
        return build(settings, out, listen, progress, lang)
    try:
        return Built(len(snapshot.resources), export(snapshot, out, listen, progress, inputs), reused=False,
                     validated=not checked_before)
    finally:
        snapshot.discard()  # its dumps are copied into the export


def watch_data(settings: Settings, make, lang: str, report, interval: float = 0.25) -> None:
    """`build --watch`: `make()` now and again whenever the data files change (once they have
    stopped changing for `interval`), until interrupted. `report(outcome, seconds)` gets what each
    build gave, or why the data was refused: the last good output then stays as it was, since a
    build checks the data before it writes anything."""
    current = seen = None
    while True:
        now = fingerprint(settings.data_paths)
        if now != seen:  # still being written: wait until it settles
            seen = now
        elif now != current:
            current = now
            started = time.monotonic()
            report(unless_refused(make, lang), time.monotonic() - started)
        time.sleep(interval)
