"""Reloading the data while serving, without ever losing the last valid data.

A thread in each worker watches the data files (path, size, modification time); in front of a
remote store, one thread in the master does (publisher.server). A change is loaded only once
the files have stayed the same for one interval (so a file caught mid-write is not read
half-written); if the new data fails to parse or to validate, the report goes to the log and
the current snapshot keeps serving. A valid change is swapped in at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from publisher.load import fingerprint
from publisher.preparing import Refused, build_snapshot, unless_refused

log = logging.getLogger("publisher")


class Watcher:
    """Calls `load()` once what `look()` sees (a fingerprint) has changed and settled; `load`
    says whether it took the new data (refused data is not tried again until it changes again),
    or None when it could not tell (it is tried again at the next look)."""

    def __init__(self, look: Callable[[], str], interval: float, load: Callable[[], bool | None],
                 current: str | None = None):
        self.look, self.interval, self.load = look, interval, load
        self.current = look() if current is None else current
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
                now = self.look()
                if now != seen:  # still changing: wait until it settles
                    seen = now
                    continue
                if now in (self.current, self.rejected):
                    continue
                taken = self.load()
                if taken:
                    self.current, self.rejected = now, None
                elif taken is not None:
                    self.rejected = now
            except Exception:  # noqa: BLE001 — whatever a reload raises, this thread keeps watching
                self.rejected = now
                log.exception("data reload failed, still serving the last valid data")


def file_watcher(paths, interval: float, load: Callable[[], bool]) -> Watcher:
    """Watches the data files: which files, at which size and modification time."""
    return Watcher(lambda: fingerprint(paths), interval, load)


def data_watcher(state, interval: float) -> Watcher:
    """In each worker on the embedded store: a valid change of the files becomes a new snapshot,
    swapped in."""
    return file_watcher(state.settings.data_paths, interval,
                        lambda: _swap(state, lambda: (build_snapshot(state.settings), None)))


def store_watcher(state, interval: float) -> Watcher:
    """In each worker in front of a remote store: when the store holds a new load of the data
    (`serve --store` loaded it, on SIGHUP or a change of its files, on this machine or
    another), the worker copies it and swaps it in; its queries then read the new load's graphs."""
    from publisher.store.remote import StoreError
    from publisher.web.wsgi import snapshot_from_store

    def look() -> str:
        publication = state.store.publication()
        return " ".join(publication.graphs) if publication else ""

    def load() -> bool | None:
        try:
            return _swap(state, lambda: snapshot_from_store(state.settings))
        except StoreError as error:
            log.error("the store's new data could not be read (tried again at the next look), "
                      "still serving the last data: %s", error)
            return None

    return Watcher(look, interval, load, current=" ".join(state.store.graphs))


def _swap(state, make) -> bool:
    """`make()`: a new snapshot and the remote store its queries go to (or None)."""
    started = time.monotonic()
    made = unless_refused(make)
    if isinstance(made, Refused):
        log.error("data reload rejected, still serving the last valid data:\n%s", made.text)
        return False
    snapshot, store = made
    state.swap(snapshot, warm=True, store=store)
    log.info("data reloaded: %d triples (%.1f s)", len(snapshot.graph), time.monotonic() - started)
    return True
