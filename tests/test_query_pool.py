"""Where the endpoint's queries run: always in worker processes that can be stopped at the time
limit, never in the serving process. A repeated query is answered from the result cache (bytes a
worker wrote), without reaching a worker; under load the pool grows, demotes long queries and
answers 503 rather than keeping a client waiting."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from conftest import BASE
from publisher.config import DEFAULT_DATA
from publisher.load import load_into_store
from publisher.sparql import QueryError
from publisher.sparql.cache import ENTRY_OVERHEAD, ResultCache
from publisher.sparql.pool import QueryPool
from publisher.sparql.worker import Job

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NAMES = "SELECT ?name WHERE { ?s <http://schema.org/name> ?name } ORDER BY ?name"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
NOW = "SELECT ?now WHERE { BIND(NOW() AS ?now) }"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("pool") / "oxigraph"
    load_into_store([DEFAULT_DATA], BASE, path)
    return path


@contextmanager
def pool_on(store_path, **options):
    # One worker unless a test says otherwise: no spare is started, which a test's SIGSTOP could catch half-way.
    pool = QueryPool(str(store_path), **{"size": 1, "max_size": 1, "timeout": 2, "queue_wait": 60, **options})
    try:
        yield pool
    finally:
        pool.close()


def job(query: str, max_rows: int = 1000, max_bytes: int = 1 << 20) -> Job:
    return Job(query=query, solution_key="json", graph_key=None, max_rows=max_rows, base_iri=BASE, prefixes={},
               max_bytes=max_bytes)


def workers(pool: QueryPool) -> list[multiprocessing.Process]:
    # This pool's own: a worker of another app in the session, stopped, would hang its exit.
    return [w.process for w in list(pool._all) if w.process.is_alive()]


def end_workers(pool: QueryPool) -> None:
    """Kills the pool's workers behind its back: a query that reaches one fails. SIGKILL, not
    SIGSTOP: a stopped worker answers after all if anything continues it, and the kernel sends
    SIGCONT to a stopped process group that becomes orphaned (seen once in CI)."""
    assert workers(pool)
    for process in workers(pool):
        process.kill()
        process.join(10)
        assert not process.is_alive()


@contextmanager
def a_runaway_running(pool: QueryPool, for_seconds: float):
    """The pool's first worker up and answering, then a runaway query on it for `for_seconds`:
    yields the runaway's future."""
    pool.run(job(COUNT))
    with ThreadPoolExecutor(1) as other:
        runaway = other.submit(pool.run, job(RUNAWAY))
        time.sleep(for_seconds)
        yield runaway


def needs_a_worker(pool: QueryPool, query: Job) -> bool:
    try:
        pool.run(query)
    except QueryError as failed:
        assert failed.status == 503 and "worker ended" in failed.message
        return True
    return False


def test_without_a_cache_every_query_runs_in_a_worker_even_a_repeated_quick_one(store_path):
    with pool_on(store_path) as pool:
        pool.run(job(COUNT))
        pool.run(job(COUNT))
        assert pool.jobs_sent == 2
        end_workers(pool)
        assert needs_a_worker(pool, job(COUNT))


def test_a_repeated_query_gets_the_same_bytes_from_the_cache_without_reaching_a_worker(store_path):
    with pool_on(store_path, cache=ResultCache(1 << 20)) as pool:
        first = pool.run(job(COUNT))
        end_workers(pool)
        assert pool.run(job(COUNT)) == first  # same bytes, so the same ETag
        assert pool.jobs_sent == 1
        assert needs_a_worker(pool, job(NAMES))  # a new query still needs a worker


def test_a_query_that_depends_on_the_time_or_chance_is_never_cached(store_path):
    with pool_on(store_path, cache=ResultCache(1 << 20)) as pool:
        for query in (NOW, "SELECT (rand() AS ?r) {}", "SELECT (STRUUID () AS ?u) {}",
                      "SELECT ?x { BIND(\\u004EOW() AS ?x) }", "SELECT ?x { BIND(NOW#c\n() AS ?x) }"):
            try:
                pool.run(job(query))
            except QueryError:
                pass  # the engine may not know the escape: what counts is that it ran again
            sent = pool.jobs_sent
            try:
                pool.run(job(query))
            except QueryError:
                pass
            assert pool.jobs_sent == sent + 1, query


def test_a_refused_query_is_not_cached(store_path):
    with pool_on(store_path, cache=ResultCache(1 << 20)) as pool:
        for _ in range(2):
            with pytest.raises(QueryError, match="more than 1 rows"):
                pool.run(job(NAMES, max_rows=1))
        assert pool.jobs_sent == 2


def test_the_cache_keeps_the_most_recently_used_results_within_its_bytes():
    cache = ResultCache(16 * (1000 + ENTRY_OVERHEAD))
    for n in range(16):
        cache.put(("s", n), b"x" * 1000)
    cache.get(("s", 0))
    cache.put(("s", 16), b"y" * 1000)
    assert cache.get(("s", 0)) is not None and cache.get(("s", 1)) is None  # least recently used went
    assert cache.size <= cache.max_bytes
    cache.put(("s", "big"), b"z" * (cache.max_entry + 1))
    assert cache.get(("s", "big")) is None  # one large result does not push out many small ones
    cache.discard("s")
    assert cache.size == 0 and cache.get(("s", 0)) is None


def test_a_result_larger_than_the_byte_limit_is_refused_by_the_worker(store_path):
    with pool_on(store_path) as pool:
        whole = pool.run(job(NAMES)).body
        with pytest.raises(QueryError, match=f"larger than {len(whole) - 1} bytes") as refused:
            pool.run(job(NAMES, max_bytes=len(whole) - 1))
        assert refused.value.status == 400
        assert pool.run(job(NAMES, max_bytes=len(whole))).body == whole


def demoted_within(process: multiprocessing.Process, seconds: float) -> bool:
    """Demotion follows the CPU a query has used, which on busy cores takes a while of wall time."""
    deadline = time.monotonic() + seconds
    while os.sched_getscheduler(process.pid) != os.SCHED_IDLE:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.slow  # runs a long query
def test_a_long_query_is_moved_to_the_idle_scheduling_class_and_its_worker_replaced(store_path):
    with pool_on(store_path, demote_after=0.05, timeout=3) as pool, a_runaway_running(pool, 0) as running:
        [first] = workers(pool)
        assert demoted_within(first, 2.5)
        with pytest.raises(QueryError, match="time limit"):
            running.result()
        assert pool.run(job(COUNT))  # a fresh worker, at the normal priority
        fresh = [p for p in workers(pool) if p.pid != first.pid]
        assert fresh and all(os.sched_getscheduler(p.pid) == os.SCHED_OTHER for p in fresh)
        assert all(os.getpriority(os.PRIO_PROCESS, p.pid) == pool.niceness for p in fresh)


def test_a_query_is_demoted_for_the_cpu_it_used_not_for_waiting_for_the_cpu(store_path):
    """On busy cores a small query may wait longer than `demote_after` for its few milliseconds
    of CPU: it keeps its priority, and its worker serves the next query."""
    with pool_on(store_path, demote_after=0.05, timeout=5) as pool:
        pool.run(job(COUNT))
        [worker] = workers(pool)
        os.kill(worker.pid, signal.SIGSTOP)  # as if it got no CPU at all for a while
        with ThreadPoolExecutor(1) as other:
            waiting = other.submit(pool.run, job(NAMES))
            time.sleep(0.5)
            os.kill(worker.pid, signal.SIGCONT)
            assert waiting.result()
        assert os.sched_getscheduler(worker.pid) == os.SCHED_OTHER
        assert pool.run(job(COUNT)) and workers(pool) == [worker]


@pytest.mark.slow  # waits out two runaways
def test_a_query_demoted_before_starts_in_the_idle_class_when_sent_again(store_path):
    """A repeated runaway gets no first share of CPU at the workers' priority."""
    with pool_on(store_path, demote_after=0.05, timeout=1) as pool:
        with pytest.raises(QueryError, match="time limit"):
            pool.run(job(RUNAWAY))
        pool.demote_after = 60  # from now on no query runs long enough to be demoted for it
        with a_runaway_running(pool, 0.1) as again:
            [worker] = workers(pool)
            assert os.sched_getscheduler(worker.pid) == os.SCHED_IDLE
            with pytest.raises(QueryError, match="time limit"):
                again.result()


@pytest.mark.slow  # waits out two runaways
def test_queries_known_to_be_long_leave_workers_for_new_queries(store_path):
    """Of three workers, queries demoted before may take one (three less the two reserved): a
    second one waits its short while and is refused, a new query is answered at once."""
    with pool_on(store_path, size=3, max_size=3, demote_after=0.05, timeout=2, queue_wait=0.5) as pool:
        with pytest.raises(QueryError, match="time limit"):
            pool.run(job(RUNAWAY))
        with ThreadPoolExecutor(1) as other:
            first = other.submit(pool.run, job(RUNAWAY))
            time.sleep(0.3)
            with pytest.raises(QueryError, match="busy") as refused:
                pool.run(job(RUNAWAY))
            assert refused.value.status == 503
            started = time.monotonic()
            assert pool.run(job(COUNT))
            assert time.monotonic() - started < 0.5
            with pytest.raises(QueryError, match="time limit"):
                first.result()


@pytest.mark.slow  # starts the most workers
def test_under_load_workers_start_on_demand_up_to_the_maximum(store_path):
    with pool_on(store_path, max_size=3, timeout=3, demote_after=60) as pool, ThreadPoolExecutor(3) as others:
        pool.run(job(COUNT))
        runaways = [others.submit(pool.run, job(RUNAWAY)) for _ in range(2)]
        time.sleep(0.5)
        assert pool.run(job(COUNT))  # a third worker started for it
        assert len(workers(pool)) == 3
        for runaway in runaways:
            with pytest.raises(QueryError, match="time limit"):
                runaway.result()


@pytest.mark.slow  # waits for idle workers to retire
def test_workers_started_on_demand_are_stopped_once_idle_for_a_while(store_path):
    with pool_on(store_path, max_size=3, timeout=0.3, idle_retire=0.5) as pool:
        pool.run(job(COUNT))
        with ThreadPoolExecutor(2) as others:
            for stopped in [others.submit(pool.run, job(RUNAWAY)) for _ in range(2)]:
                with pytest.raises(QueryError, match="time limit"):
                    stopped.result()
        time.sleep(1)  # the replacements are up, and then idle
        assert len(workers(pool)) == 3
        pool.run(job(COUNT))
        time.sleep(0.5)  # the stopped ones have exited
        assert len(workers(pool)) <= 2  # the one that answered, and at most one spare


@pytest.mark.parametrize("demote_after, small_gets, runaway_gets", [
    (60, "All query workers are busy", "time limit"),
    (0.05, None, "stopped to let waiting queries run"),
], ids=["not yet demoted: the small query gets 503 after the short wait",
        "demoted: the runaway gives way to the small query"])
@pytest.mark.slow  # waits out a runaway
def test_a_query_that_finds_the_only_worker_taken_by_a_runaway(store_path, demote_after, small_gets, runaway_gets):
    with pool_on(store_path, timeout=4, queue_wait=1, demote_after=demote_after) as pool, \
            a_runaway_running(pool, 0.3) as runaway:
        if small_gets is None:
            assert demoted_within(workers(pool)[0], 2.5)
        started = time.monotonic()
        if small_gets is None:
            assert pool.run(job(COUNT))
        else:
            with pytest.raises(QueryError, match=small_gets) as refused:
                pool.run(job(COUNT))
            assert refused.value.status == 503
        assert time.monotonic() - started < 2
        with pytest.raises(QueryError, match=runaway_gets) as stopped:
            runaway.result()
        assert stopped.value.status == 503


@pytest.mark.slow  # waits out stopped workers
def test_once_as_many_queries_wait_as_there_can_be_workers_the_next_is_refused_at_once(store_path):
    """Each waiting query holds a server thread: the queue is bounded, so pages keep threads."""
    with pool_on(store_path, timeout=2, queue_wait=3, demote_after=60) as pool, \
            a_runaway_running(pool, 0.3), ThreadPoolExecutor(1) as other:
        waiting = other.submit(pool.run, job(COUNT))
        time.sleep(0.3)
        started = time.monotonic()
        with pytest.raises(QueryError, match="busy"):
            pool.run(job(NAMES))
        assert time.monotonic() - started < 0.5
        assert waiting.result()  # once the runaway is stopped at the time limit


def test_a_worker_that_dies_mid_query_is_replaced_and_the_client_told_to_retry(store_path):
    with pool_on(store_path, timeout=10) as pool, a_runaway_running(pool, 0.3) as running:
        [first] = workers(pool)
        os.kill(first.pid, signal.SIGSEGV)  # as the engine does on a query nested too deeply
        with pytest.raises(QueryError, match="ended unexpectedly") as lost:
            running.result()
        assert lost.value.status == 503
        assert pool.run(job(COUNT))


@pytest.mark.slow  # waits out the time limit
def test_a_query_costly_to_parse_is_stopped_at_the_time_limit_like_a_runaway(store_path):
    """The guard's parse is the first step of the job: rdflib needs seconds for 6,000 terms."""
    with pool_on(store_path) as pool:
        started = time.monotonic()
        with pytest.raises(QueryError) as stopped:
            pool.run(job("SELECT * WHERE { FILTER(" + "+".join(["1"] * 6000) + ") }"))
        assert stopped.value.status == 503 and "time limit" in stopped.value.message
        assert time.monotonic() - started < 2 + 3
        assert pool.run(job(COUNT)).form == "SELECT"
