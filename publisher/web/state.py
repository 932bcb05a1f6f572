"""The snapshot the app serves now, and the query workers that read it."""

from __future__ import annotations

import atexit
import threading
from pathlib import Path

from flask import current_app

from publisher.config import Settings
from publisher.rendering import Rendering
from publisher.snapshot import Snapshot
from publisher.sparql.cache import ResultCache
from publisher.sparql.cpu_bound import CpuGroup
from publisher.sparql.pool import QueryPool
from publisher.store.remote import RemoteStore


class PublisherState:
    def __init__(self, settings: Settings, snapshot: Snapshot, store: RemoteStore | None = None,
                 query_cgroup: str | None = None):
        self.settings = settings
        self.cpu_group = CpuGroup(Path(query_cgroup)) if query_cgroup else None  # the workers' CPU bound
        self.store = store  # the remote store, behind `serve --store`
        # The snapshot served now and its rendering, swapped together as one.
        self.rendering = Rendering(snapshot)
        self._pool: QueryPool | RemoteStore | None = None
        # One cache for the process, across snapshots (each its own keys): its bound holds.
        self.results = ResultCache(settings.result_cache_mb * 1024 * 1024) if settings.result_cache_mb > 0 else None
        self._lock = threading.Lock()
        # Each snapshot writes its dumps and store to a directory of its own: without this every
        # start and every reload would leave one behind.
        atexit.register(self.close)

    def swap(self, snapshot: Snapshot, warm: bool = False, store: RemoteStore | None = None) -> None:
        """Serve a new, valid snapshot; queries move to a store built from it (or to `store`, the
        remote store's graphs it was copied from). `warm`: render it first
        (publisher.rendering), while the old one still serves."""
        rendering = Rendering(snapshot)
        if warm:
            rendering.warm()
        with self._lock:
            old_pool, self._pool = self._pool, None
            old, self.rendering = self.snapshot, rendering
            self.store = store
        # Queries and downloads already under way on the old snapshot finish (or time out)
        # before its store closes and its files go.
        retire = threading.Timer(self.settings.query_timeout + 1, self._retire, args=(old, old_pool))
        retire.daemon = True
        retire.start()

    @staticmethod
    def _retire(snapshot: Snapshot, pool: QueryPool | RemoteStore | None) -> None:
        if isinstance(pool, QueryPool):
            pool.close()
            if pool.cache is not None:
                pool.cache.discard(pool.store_path)
        snapshot.discard()

    @property
    def snapshot(self) -> Snapshot:
        return self.rendering.snapshot

    def close(self) -> None:
        """At exit: stop the query workers and remove the current snapshot's files."""
        with self._lock:
            pool, self._pool = self._pool, None
        self._retire(self.snapshot, pool)

    def query_pool(self) -> QueryPool | RemoteStore:
        """Where queries run: the remote store, or query workers started on the first query."""
        with self._lock:
            if self._pool is None and self.store is not None:
                self.store.parser = self._workers(None, cache=None)
                self._pool = self.store
            if self._pool is None:
                self._pool = self._workers(str(self.snapshot.store_path), cache=self.results)
            return self._pool

    def _workers(self, store_path: str | None, cache) -> QueryPool:
        """Query workers on the snapshot's store, or, for a remote store, workers that only parse."""
        settings = self.snapshot.settings
        return QueryPool(store_path, size=settings.query_workers, max_size=settings.query_workers_max,
                         timeout=settings.query_timeout, queue_wait=settings.query_queue_wait,
                         memory_limit=settings.query_memory_mb * 1024 * 1024, cache=cache, cpu_group=self.cpu_group)


def current_state() -> PublisherState:
    return current_app.extensions["publisher"]


def current_snapshot() -> Snapshot:
    return current_state().snapshot


def current_rendering() -> Rendering:
    return current_state().rendering
