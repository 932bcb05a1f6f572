"""Reloading the data while serving, without ever losing the last valid data.

A thread in each worker watches the data files (path, size, modification time). A change is
loaded only once the files have stayed the same for one interval (so a file caught mid-write
is not read half-written); if the new data fails to parse or to validate, the report goes to
the log and the current snapshot keeps serving. A valid change is swapped in at once.
"""

from __future__ import annotations

import logging
import threading
import time
from publisher.load import fingerprint
from publisher.preparing import Refused, build_snapshot, unless_refused

log = logging.getLogger("publisher")


class DataWatcher:
    def __init__(self, state, interval: float):
        self.state, self.interval = state, interval
        self.current = fingerprint(state.settings.data_paths)
        self.rejected: str | None = None
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True, name="publisher-data-watcher").start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        seen = self.current
        while not self._stop.wait(self.interval):
            now = None
            try:
                now = fingerprint(self.state.settings.data_paths)
                if now != seen:  # still changing: wait until it settles
                    seen = now
                    continue
                if now in (self.current, self.rejected):
                    continue
                self._load(now)
            except Exception:  # noqa: BLE001 — whatever a reload raises, this thread keeps watching
                self.rejected = now
                log.exception("data reload failed, still serving the last valid data")

    def _load(self, candidate: str) -> None:
        started = time.monotonic()
        snapshot = unless_refused(lambda: build_snapshot(self.state.settings))
        if isinstance(snapshot, Refused):
            self.rejected = candidate
            log.error("data reload rejected, still serving the last valid data:\n%s", snapshot.text)
            return
        self.current, self.rejected = candidate, None
        self.state.swap(snapshot)
        log.info("data reloaded: %d triples (%.1f s)", len(snapshot.graph), time.monotonic() - started)
