"""A pool of query worker processes: a query past its time limit is stopped by ending its process.

Python threads cannot be stopped and pyoxigraph has no cancellation, so each query runs in a
worker process. The web thread waits on the pipe (without the GIL); on time-out it kills the
worker and a replacement starts in the background, so other requests never wait on it.

A query that a worker answered quickly is answered in the serving process when it comes again:
a snapshot never changes, so the same query does the same work and cannot run away, and for a
millisecond query the hop to a worker (and that worker's colder caches) is most of its cost.
One such query at a time: the workers are niced, the serving process is not, so a flood of
quick queries still goes mostly to the workers and page requests keep the CPU.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from publisher.sparql import QueryError, timed_out, worker
from publisher.sparql.worker import Job, Outcome

log = logging.getLogger("publisher.sparql")


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    connection: object

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class QueryPool:
    """`local_store`: the same store opened in this process, where queries a worker answered in
    under `local_under` seconds run when they come again (the last `remembered` such queries)."""

    def __init__(self, store_path: str, size: int = 2, timeout: float = 10.0, queue_wait: float = 5.0,
                 niceness: int = 10, memory_limit: int = 0, local_store=None, local_under: float = 0.01,
                 remembered: int = 1024):
        self.store_path, self.size, self.timeout = store_path, size, timeout
        self.queue_wait, self.niceness, self.memory_limit = queue_wait, niceness, memory_limit
        self.local_store, self.local_under, self.remembered = local_store, local_under, remembered
        self._quick: OrderedDict[tuple, None] = OrderedDict()  # keyed by digest: queries are up to 20,000 characters
        self._local_slot = threading.Semaphore(1)
        self._context = multiprocessing.get_context("spawn")
        # Last in, first out: under light load queries go to the process that answered the last
        # one, whose caches are warm (~0.06 ms less on a 2 ms lookup, measured alternately).
        self._idle: queue.Queue[_Worker] = queue.LifoQueue()
        self._closed = False
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        # Workers die with the thread that started them (PR_SET_PDEATHSIG), so one long-lived
        # thread starts them all.
        self._wanted: queue.Queue[bool] = queue.Queue()
        threading.Thread(target=self._spawner, daemon=True, name="publisher-sparql-spawner").start()
        for _ in range(size):
            self._wanted.put(True)

    def _start(self) -> _Worker | None:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker.main, args=(child, self.store_path, self.niceness, self.memory_limit),
            daemon=True, name="publisher-sparql-worker")
        process.start()
        child.close()
        found = _Worker(process, parent)
        try:
            if parent.poll(60) and parent.recv().ok:
                return found
        except (EOFError, OSError):
            pass
        if not self._closed:
            log.error("a SPARQL worker did not start (store %s)", self.store_path)
        found.kill()
        return None

    def _spawner(self) -> None:
        # On Linux niceness belongs to the thread and is inherited: workers then start up (a
        # whole interpreter, after every time-out) already behind the page requests.
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.niceness)
        except (AttributeError, OSError):
            pass
        while self._wanted.get() and not self._closed:
            for attempt in range(3):
                found = self._start()
                if found is not None or self._closed:
                    break
                time.sleep(1 + attempt)
            if found is None:
                continue
            with self._lock:
                if self._closed:
                    found.kill()
                    return
                self._all.add(found)
            self._idle.put(found)

    def _retire(self, found: _Worker) -> None:
        with self._lock:
            self._all.discard(found)
        found.kill()
        self._wanted.put(True)

    def run(self, job: Job, timeout: float | None = None) -> bytes:
        key = (hashlib.blake2b(job.query.encode("utf-8"), digest_size=16).digest(), job.form, job.format_key,
               job.max_rows)
        if self.local_store is not None and self._known_quick(key) and self._local_slot.acquire(blocking=False):
            try:
                outcome = worker.answer(self.local_store, job, within_limit=True)
            finally:
                self._local_slot.release()
        else:
            outcome = self._run_isolated(job, timeout)
            if outcome.ok and outcome.seconds < self.local_under:
                self._remember_quick(key)
        if not outcome.ok:
            raise QueryError(outcome.status, outcome.message)
        return outcome.body

    def _known_quick(self, key: tuple) -> bool:
        with self._lock:
            if key not in self._quick:
                return False
            self._quick.move_to_end(key)
            return True

    def _remember_quick(self, key: tuple) -> None:
        with self._lock:
            self._quick[key] = None
            if len(self._quick) > self.remembered:
                self._quick.popitem(last=False)

    def _run_isolated(self, job: Job, timeout: float | None) -> Outcome:
        timeout = self.timeout if timeout is None else timeout
        try:
            found = self._idle.get(timeout=self.queue_wait)
        except queue.Empty:
            raise QueryError(503, "All query workers are busy; try again shortly.") from None
        try:
            found.connection.send(job)
            if not found.connection.poll(timeout):
                self._retire(found)
                raise timed_out(timeout)
            outcome: Outcome = found.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._retire(found)
            raise QueryError(503, "The query worker ended unexpectedly (the query may need too much memory).") from None
        self._idle.put(found)
        return outcome

    def close(self) -> None:
        self._closed = True
        self._wanted.put(False)
        with self._lock:
            workers, self._all = list(self._all), set()
        for found in workers:
            found.kill()
