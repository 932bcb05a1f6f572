"""The WSGI entry point that server workers import; settings come from the environment."""

from __future__ import annotations

import gc
import logging
import re
import sys
from urllib.parse import urlsplit

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

from publisher.config import Handover, Settings
from publisher.working_dirs import remove_orphans
from publisher.web import create_app
from publisher.web.document_fast_path import ALWAYS


# Seconds between a worker's looks at a remote store for new data, when the files are not watched.
STORE_LOOK_INTERVAL = 2.0


def create():
    remove_orphans()
    settings, handover = Settings.from_environ(), Handover.from_environ()
    snapshot = store = None
    if settings.store_url:
        snapshot, store = snapshot_from_store(settings, handover)
    log_to_stderr()
    app = create_app(settings, snapshot, handover=handover, store=store)
    # Granian calls this before the worker accepts connections: render now, not in the first
    # requests (each page's first render was 50-100 ms, by up to --threads threads at once).
    app.extensions["publisher"].rendering.warm()
    # What is loaded now lives as long as the worker: the collector need not scan it again.
    gc.freeze()
    if settings.store_url:
        # The master watches the files and loads a change into the store (publisher.server); the
        # workers follow the store, even when the files are not watched (SIGHUP still loads).
        from publisher.web.reload import store_watcher

        store_watcher(app.extensions["publisher"], settings.reload_interval or STORE_LOOK_INTERVAL)
    elif settings.reload_interval > 0:
        from publisher.web.reload import data_watcher

        data_watcher(app.extensions["publisher"], settings.reload_interval)
    prefix = urlsplit(settings.base_url).path.rstrip("/")
    if not prefix:
        return app
    # Published under a path (base https://host/dane/): the app answers below that path only.
    outside = Response("Not found\n", status=404, content_type="text/plain", headers=ALWAYS)
    return DispatcherMiddleware(outside, {prefix: app})


def snapshot_from_store(settings: Settings, handover: Handover = Handover()):
    """A worker in front of a remote store: a snapshot of its copy of the store's data, a file
    for each data file (the snapshot removes the copy when discarded), and the store its queries
    go to, reading the same load's graphs."""
    import shutil
    from dataclasses import replace

    from publisher.preparing import build_snapshot
    from publisher.store.remote import RemoteStore
    from publisher.working_dirs import scratch_dir

    copy = scratch_dir("store")
    try:
        publication = RemoteStore.from_settings(settings).copy_into(copy)
        snapshot = build_snapshot(replace(settings, data_paths=(copy,)), handover=handover)
    except BaseException:
        shutil.rmtree(copy, ignore_errors=True)
        raise
    snapshot.copy = copy
    return snapshot, RemoteStore.from_settings(settings, graphs=publication.graphs)


class OneRecordALine(logging.Formatter):
    """Every line after a record's first is indented, and control characters but tab are
    escaped: whatever a request puts into a log record (a path with %0a, a header), a line that
    starts at the margin is always the start of a real record."""

    def format(self, record: logging.LogRecord) -> str:
        text = _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", super().format(record))
        return text.replace("\n", "\n    ")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def log_to_stderr() -> None:
    """The publisher's log (reload reports, errors with request ids) goes to the server's stderr."""
    logger = logging.getLogger("publisher")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(OneRecordALine("[%(levelname)s] publisher: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
