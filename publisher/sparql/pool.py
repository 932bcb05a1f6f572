"""A pool of query worker processes: no client query ever runs in a serving process.

Python threads cannot be stopped and pyoxigraph has no cancellation, so each query runs in a
worker process. The web thread waits on the pipe (without the GIL); on time-out it kills the
worker and a replacement starts in the background, so other requests never wait on it. A worker
that crashes (a query too deep for the engine) is replaced the same way; the serving process
only ever holds the result bytes, which the worker has already held to the byte limit.

Fairness under load, as a multilevel-feedback scheduler (short jobs first): a query runs at the
workers' `niceness` (5: a little below the serving processes) until it has used `demote_after`
seconds of CPU, then in the idle scheduling class (SCHED_IDLE), so new queries and page requests
take the CPU from it. A small query (the guard's parse and a few milliseconds of evaluation)
thus finishes before it is demoted, even while the cores are busy, and a runaway costs at most
`demote_after` of CPU at that priority. Niceness 5 rather than 0 keeps that CPU from taking
document throughput (bench/load.py, 30 s runs at load average ~30: at niceness 0 wrk got ~1,000
requests/s, at 5 and at the old 19 1,500-1,900; small queries answered within 2 s: 71-85% at 0,
68-73% at 5, 17-23% at 19). Workers start on demand up to `max_size`, and one spare is kept
ready while below it. A query waits at most `queue_wait` seconds for a worker: at the maximum,
the longest-running demoted query is stopped to make room; if none comes free the client gets
503 with Retry-After.

The scheduler remembers (by digest) the queries it demoted. Such a query, sent again, starts in
the idle class, without a first share at the workers' priority, and only while fewer than
`max_size - RESERVED` queries run demoted: the workers kept from the long queries serve the new
ones, so repeated runaways neither take the CPU from pages (each run's first share and the stops
that made room, measured in bench/load.py) nor every worker from small queries.

Under `serve`, all of this runs within a hard CPU bound (publisher.sparql.cpu_bound): every
worker in one group of `--query-cpu` cores, a demoted one moved into a quarter of it.

A job begins with the guard's parse (publisher.sparql.worker), so a query costly to parse is
held to the same limits and fairness as a costly run. What the parse found (the form, or the
refusal) is remembered by the query's digest: a repeated refused query costs nothing, and a
repeated accepted one skips the parse. A repeated query is answered from the result cache
(publisher.sparql.cache): bytes a worker wrote for the same snapshot, never a new run.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

from publisher.sparql import QueryError, timed_out, worker
from publisher.sparql.cache import ResultCache, digest_of, key_of
from publisher.sparql.cpu_bound import CpuGroup
from publisher.sparql.formats import not_acceptable
from publisher.sparql.worker import Job, Outcome

log = logging.getLogger("publisher.sparql")

VERDICTS_REMEMBERED = 4096  # also the number of long queries remembered
RESERVED = 2  # workers that queries known to be long may not take: one for each of two new queries at once
STARTS_AT_ONCE = 3  # workers started side by side, each by a thread of the pool


@dataclass(frozen=True)
class Answer:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE, as the worker's parse found it
    body: bytes


@dataclass(frozen=True)
class _Verdict:
    """What a worker's parse found for a query text: its form, or the refusal."""
    form: str | None
    cacheable: bool = False
    status: int = 0
    message: str = ""

    @classmethod
    def of(cls, outcome: Outcome) -> _Verdict:
        if outcome.form is not None:
            return cls(outcome.form, outcome.cacheable)
        return cls(None, status=outcome.status, message=outcome.message)


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    connection: object
    job_thread: int = 0  # the native id of the thread that runs the worker's jobs
    idle_since: float = 0.0
    started: float | None = None  # of the query it runs
    demoted: bool = False
    stopped_for_others: bool = False

    def cpu_seconds(self) -> float:
        """CPU time used by the worker so far, read from its CPU clock (Linux's clock id for a
        process, no /proc lookup). Where there is no such clock, or once the worker has ended,
        wall time stands in for it."""
        try:
            return time.clock_gettime(((~self.process.pid) << 3) | 2)  # CPUCLOCK_SCHED of the process
        except (AttributeError, OSError, OverflowError):
            return time.monotonic()

    def demote(self, cpu_group: CpuGroup | None) -> None:
        """SCHED_IDLE for the thread running the query and the main thread, which waits for it
        (the engine's own threads stay at the niceness they were born with: they do not run
        queries), and the demoted part of the CPU bound, if any. An unprivileged process cannot
        undo it, so a demoted worker is retired after its query."""
        self.demoted = True
        if cpu_group is not None:
            try:
                cpu_group.join(self.process.pid, demoted=True)
            except OSError:
                pass  # it ended; or the bound is gone (the server is stopping)
        for tid in (self.process.pid, self.job_thread):
            try:
                os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
            except (AttributeError, OSError):
                try:
                    os.setpriority(os.PRIO_PROCESS, tid, 19)
                except OSError:
                    pass  # the thread ended, or the system allows neither: the time limit still holds

    def kill(self) -> None:
        """Not waited for: a demoted worker may take seconds to be scheduled to exit on busy
        cores, and the request thread would wait with it. Starting the next worker reaps it."""
        self.process.kill()
        self.connection.close()


def _keep(memory: OrderedDict, digest: bytes, value) -> None:
    """Remembers `value` for `digest` as the newest; the oldest is forgotten past the bound."""
    memory[digest] = value
    memory.move_to_end(digest)
    if len(memory) > VERDICTS_REMEMBERED:
        memory.popitem(last=False)


def busy() -> QueryError:
    return QueryError(503, "All query workers are busy; try again shortly.")


class QueryPool:
    def __init__(self, store_path: str | None, size: int = 2, max_size: int = 6, timeout: float = 10.0,
                 queue_wait: float = 1.0, niceness: int = 5, memory_limit: int = 0, demote_after: float = 0.1,
                 idle_retire: float = 30.0, cache: ResultCache | None = None, cpu_group: CpuGroup | None = None):
        self.store_path, self.size, self.max_size = store_path, size, max(size, max_size)
        self.timeout, self.queue_wait, self.niceness = timeout, queue_wait, niceness
        self.memory_limit, self.demote_after, self.idle_retire = memory_limit, demote_after, idle_retire
        self.cache, self.cpu_group = cache, cpu_group
        self.jobs_sent = 0  # to workers: what the result cache and the verdicts save shows here
        self._verdicts: OrderedDict[bytes, _Verdict] = OrderedDict()
        self._long: OrderedDict[bytes, None] = OrderedDict()  # digests of queries demoted before
        # Forked from a server process that has imported the engine: a worker starts in tens of
        # milliseconds instead of a whole interpreter's start (~0.2 s, seconds when the cores are
        # busy), and runaway queries, each ending its worker, need many. Never forked from this
        # process, whose threads and open store a child must not inherit.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["publisher.sparql.preload"])
        # Last in, first out: under light load queries go to the process that answered the last
        # one, whose caches are warm (~0.06 ms less on a 2 ms lookup, measured alternately).
        self._idle: list[_Worker] = []
        self._running: set[_Worker] = set()
        self._all: set[_Worker] = set()
        self._starting = 0
        self._waiting = 0  # queries waiting for a worker
        self._waiting_new = 0  # of which not known to be long
        self._newborn: set[_Worker] = set()  # being started by the spawners
        self._closed = False
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        # Threads of their own start the workers, so that no request waits on a start; several,
        # because runaways stopped at their time limit together end their workers together, and
        # on busy cores one start after the other left queries waiting seconds for the last.
        self._wanted: queue.Queue[bool] = queue.Queue()
        self._spawners = [threading.Thread(target=self._spawner, daemon=True, name="publisher-sparql-spawner")
                          for _ in range(STARTS_AT_ONCE)]
        for spawner in self._spawners:
            spawner.start()
        with self._lock:
            for _ in range(size):
                self._want_one()

    def _want_one(self) -> None:
        """With the lock held."""
        self._starting += 1
        self._wanted.put(True)

    def _start(self) -> _Worker | None:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker.main, args=(child, self.store_path, self.niceness, self.memory_limit,
                                      str(self.cpu_group.path) if self.cpu_group else None),
            daemon=True, name="publisher-sparql-worker")
        process.start()
        child.close()
        found = _Worker(process, parent)
        with self._lock:
            self._newborn.add(found)
        try:
            ready = parent.recv() if parent.poll(60) else None
            if isinstance(ready, worker.Ready):
                found.job_thread = ready.job_thread
                return found
        except (EOFError, OSError):
            pass
        finally:
            with self._lock:
                self._newborn.discard(found)
        if not self._closed:
            log.error("a SPARQL worker did not start (store %s)", self.store_path)
        found.kill()
        return None

    def _spawner(self) -> None:
        while self._wanted.get() and not self._closed:
            found = None
            for attempt in range(3):
                try:
                    found = self._start()
                except Exception:  # e.g. no more processes: this thread must keep serving the pool
                    log.exception("starting a SPARQL worker failed")
                if found is not None or self._closed:
                    break
                time.sleep(1 + attempt)
            with self._lock:
                self._starting -= 1
                if found is not None and not self._closed:
                    self._all.add(found)
                    self._release(found)
                    found = None
            if found is not None:
                found.kill()

    def _release(self, found: _Worker) -> None:
        """With the lock held: `found` is free for the next query."""
        found.idle_since = time.monotonic()
        self._idle.append(found)
        self._freed.notify_all()  # a query known to be long may not take it: all waiters look

    def _free_for(self, long: bool) -> bool:
        """With the lock held: whether a query (known to be `long` or not) may take a worker now."""
        if not self._idle:
            return False
        return not long or sum(w.demoted for w in self._running) < max(1, self.max_size - RESERVED)

    def _take(self, long: bool) -> _Worker:
        with self._lock:
            surplus = self._surplus()
            if not self._idle and len(self._all) + self._starting < self.max_size:
                self._want_one()
            # A waiting query holds a thread of the server: at most `max_size` wait, so that
            # a flood of queries leaves threads for page requests.
            if not self._free_for(long) and self._waiting < self.max_size:
                # With no query running, the wait is for workers still starting (seconds on a
                # busy machine): that is not "busy", so it may last up to the time limit.
                self._wait(long, time.monotonic() + (self.queue_wait if self._running else self.timeout))
            found = self._idle.pop() if self._free_for(long) else None
            if found is not None:
                found.started = time.monotonic()
                self._running.add(found)
                self.jobs_sent += 1
                if long:
                    found.demote(self.cpu_group)
                if not self._idle and len(self._all) + self._starting < self.max_size:
                    self._want_one()  # a spare ready for the next query
        for extra in surplus:
            extra.kill()
        if found is None:
            raise busy()
        return found

    def _wait(self, long: bool, deadline: float) -> None:
        """With the lock held: until a worker is free for the query or `deadline`. Only a query
        not known to be long makes a demoted one give way."""
        self._waiting += 1
        self._waiting_new += not long
        while not self._free_for(long) and not self._closed:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._freed.wait(min(left, self.queue_wait / 4))
            if not long and not self._idle and len(self._all) + self._starting >= self.max_size:
                self._stop_the_longest_demoted()
        self._waiting -= 1
        self._waiting_new -= not long

    def _surplus(self) -> list[_Worker]:
        """With the lock held: workers above `size` idle for `idle_retire` seconds, taken out."""
        surplus, now = [], time.monotonic()
        while len(self._all) > self.size and self._idle and now - self._idle[0].idle_since > self.idle_retire:
            extra = self._idle.pop(0)
            self._all.discard(extra)
            surplus.append(extra)
        return surplus

    def _stop_the_longest_demoted(self) -> None:
        """With the lock held, at the maximum with queries waiting: the query that has run
        longest, if demoted (past `demote_after`), gives way; its client gets 503, Retry-After."""
        demoted = [w for w in self._running if w.demoted and not w.stopped_for_others]
        if demoted and self._waiting_new > self._starting:
            longest = min(demoted, key=lambda w: w.started)
            longest.stopped_for_others = True
            # Replaced now: in the idle class it may take a while to exit, and so for its own
            # thread to see the pipe close.
            self._all.discard(longest)
            self._want_one()
            longest.process.kill()

    def _retire(self, found: _Worker) -> None:
        with self._lock:
            if found in self._all and not self._closed:  # not replaced already
                self._want_one()
            self._all.discard(found)
            self._running.discard(found)
        found.kill()

    def _give_back(self, found: _Worker) -> None:
        if found.demoted:
            self._retire(found)
            return
        with self._lock:
            self._running.discard(found)
            if not self._closed:
                self._release(found)
                return
        found.kill()

    def run(self, job: Job) -> Answer:
        """The job's form and result bytes, from the cache or a worker; raises QueryError."""
        digest = digest_of(job.query)
        known = self._verdict(digest)
        if known is not None:
            if known.form is None:
                raise QueryError(known.status, known.message)
            if job.format_for(known.form) is None:
                raise QueryError(406, not_acceptable(known.form))
            job = replace(job, form=known.form)
        key = key_of(self.store_path, digest, job) if self.cache is not None else None
        if key is not None and known is not None and known.cacheable:
            cached = self.cache.get(key)
            if cached is not None:
                return Answer(known.form, cached)
        outcome, known = self._run_and_judge(job, digest, known)
        if not outcome.ok:
            raise QueryError(outcome.status, outcome.message)
        if key is not None and known.cacheable:
            self.cache.put(key, outcome.body)
        return Answer(known.form, outcome.body)

    def judge(self, job: Job) -> str:
        """The query's form, as the guard's parse in a worker found it (now or before); raises
        QueryError. For a store elsewhere: the parse is held to the limits a run is, the run is
        the store's. A pool for this is made without a store (`store_path` None)."""
        digest = digest_of(job.query)
        known = self._verdict(digest)
        if known is None:
            _, known = self._run_and_judge(job, digest, None)
        if known.form is None:
            raise QueryError(known.status, known.message)
        return known.form

    def _run_and_judge(self, job: Job, digest: bytes, known: _Verdict | None) -> tuple[Outcome, _Verdict]:
        """Runs the job in a worker; what its parse found is remembered, if not known already."""
        outcome = self._run_isolated(job, digest)
        if known is None:
            known = _Verdict.of(outcome)
            self._remember(digest, known)
        return outcome, known

    def _verdict(self, digest: bytes) -> _Verdict | None:
        with self._lock:  # the last ones found: forgetting one only costs a parse
            return self._verdicts.get(digest)

    def _remember(self, digest: bytes, verdict: _Verdict) -> None:
        with self._lock:
            _keep(self._verdicts, digest, verdict)

    def _known_long(self, digest: bytes) -> bool:
        with self._lock:
            return digest in self._long

    def _note_long(self, digest: bytes) -> None:
        with self._lock:
            _keep(self._long, digest, None)

    def _run_isolated(self, job: Job, digest: bytes) -> Outcome:
        found = self._take(long=self._known_long(digest))
        try:
            found.connection.send(job)
            if not self._answered_within(found, self.timeout):
                self._retire(found)
                raise timed_out(self.timeout)
            # At most the result's limit and a margin for the rest (a message may quote the
            # query): the serving process never reads more from a worker, whatever happened to it.
            outcome: Outcome = pickle.loads(found.connection.recv_bytes(job.max_bytes + (1 << 20)))
        except (EOFError, OSError):
            self._retire(found)
            if found.stopped_for_others:
                raise QueryError(503, f"The endpoint is busy: this query ran {time.monotonic() - found.started:.1f} s "
                                      "and was stopped to let waiting queries run; try again later.") from None
            raise QueryError(503, "The query worker ended unexpectedly (the query may need too much memory, "
                                  "or be nested too deeply).") from None
        finally:
            if found.demoted:
                self._note_long(digest)
        self._give_back(found)
        return outcome

    def _answered_within(self, found: _Worker, timeout: float) -> bool:
        """Waits for the worker's answer up to `timeout` seconds; demotes the worker once its
        query has used `demote_after` seconds of CPU. CPU, not wall time: on busy cores a small
        query may wait longer than that for its few milliseconds of CPU, and must not be
        demoted for it; a runaway gets at most that much CPU at the workers' priority."""
        deadline = time.monotonic() + timeout
        used = found.cpu_seconds()
        while not found.demoted:
            left = deadline - time.monotonic()
            if found.connection.poll(min(left, self.demote_after / 2)):
                return True
            if left <= self.demote_after / 2:
                return False
            if found.cpu_seconds() - used >= self.demote_after:
                found.demote(self.cpu_group)
        return found.connection.poll(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle, self._all = self._idle, [], set()
            # A worker running a query is ended here; the thread waiting on it cleans it up.
            ending = [found.process for found in self._running]
            ending += [found.process for found in self._newborn]  # its spawner, waiting for it, cleans it up
            self._freed.notify_all()
        for _ in self._spawners:
            self._wanted.put(False)
        for process in ending:
            process.kill()
        for found in idle:
            found.kill()
        for spawner in self._spawners:
            spawner.join(timeout=10)
