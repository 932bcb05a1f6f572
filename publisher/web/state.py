"""The snapshot the app serves now, and the query workers that read it."""

from __future__ import annotations

import atexit
import threading

from flask import current_app

from publisher.config import Settings
from publisher.snapshot import Snapshot
from publisher.sparql.pool import QueryPool
from publisher.store.remote import RemoteStore


class PublisherState:
    def __init__(self, settings: Settings, snapshot: Snapshot):
        self.settings = settings
        self.snapshot = snapshot
        self._pool: QueryPool | RemoteStore | None = None
        self._lock = threading.Lock()

    def swap(self, snapshot: Snapshot) -> None:
        """Serve a new, valid snapshot; queries move to a store built from it."""
        with self._lock:
            old_pool, self._pool = self._pool, None
            self.snapshot = snapshot
        if isinstance(old_pool, QueryPool):
            # Queries already running on the old store finish (or time out) before it closes.
            threading.Timer(self.settings.query_timeout + 1, old_pool.close).start()

    def query_pool(self) -> QueryPool | RemoteStore:
        """Where queries run: a remote store, or query workers started on the first query."""
        with self._lock:
            if self._pool is None and self.settings.store_url:
                self._pool = RemoteStore(self.settings.store_url, self.settings.graph_store_url,
                                         timeout=self.settings.query_timeout)
            if self._pool is None:
                settings = self.snapshot.settings
                self._pool = QueryPool(str(self.snapshot.store_path), size=settings.query_workers,
                                       timeout=settings.query_timeout,
                                       memory_limit=settings.query_memory_mb * 1024 * 1024)
                atexit.register(self._pool.close)
            return self._pool


def current_state() -> PublisherState:
    return current_app.extensions["publisher"]


def current_snapshot() -> Snapshot:
    return current_state().snapshot
