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


def create():
    remove_orphans()
    settings, handover = Settings.from_environ(), Handover.from_environ()
    if settings.store_url:
        settings = settings_from_store(settings)
    log_to_stderr()
    app = create_app(settings, handover=handover)
    # Granian calls this before the worker accepts connections: render now, not in the first
    # requests (each page's first render was 50-100 ms, by up to --threads threads at once).
    app.extensions["publisher"].rendering.warm()
    # What is loaded now lives as long as the worker: the collector need not scan it again.
    gc.freeze()
    if settings.reload_interval > 0 and not settings.store_url:
        from publisher.web.reload import DataWatcher

        DataWatcher(app.extensions["publisher"], settings.reload_interval)
    prefix = urlsplit(settings.base_url).path.rstrip("/")
    if not prefix:
        return app
    # Published under a path (base https://host/dane/): the app answers below that path only.
    outside = Response("Not found\n", status=404, content_type="text/plain", headers=ALWAYS)
    return DispatcherMiddleware(outside, {prefix: app})


def settings_from_store(settings: Settings) -> Settings:
    """A worker in front of a remote store reads its copy of the data from the store."""
    from dataclasses import replace

    from publisher.working_dirs import scratch_dir
    from publisher.store.remote import RemoteStore

    store = RemoteStore.from_settings(settings)
    copy = scratch_dir("store") / "default-graph.nt"
    copy.write_bytes(store.default_graph())
    return replace(settings, data_paths=(copy,))


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
