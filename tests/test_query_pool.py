"""Where the endpoint's queries run: in worker processes that can be stopped at the time limit,
and, once a worker has answered a query quickly, in the serving process when it comes again.

Each test stops the pool's worker processes (SIGSTOP) after a first query: a query the serving
process answers itself still comes back; one that needs a worker runs into the time limit."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pyoxigraph as ox
import pytest

from conftest import BASE
from publisher.config import DEFAULT_DATA
from publisher.load import load_into_store
from publisher.sparql import QueryError
from publisher.sparql.pool import QueryPool
from publisher.sparql.worker import Job

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NAMES = "SELECT ?name WHERE { ?s <http://schema.org/name> ?name } ORDER BY ?name"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("pool") / "oxigraph"
    load_into_store([DEFAULT_DATA], BASE, path)
    return path


@contextmanager
def pool_on(store_path, local_store=None, **options):
    pool = QueryPool(str(store_path), size=1, timeout=2, queue_wait=60,
                     local_store=local_store or ox.Store.read_only(str(store_path)), **options)
    try:
        yield pool
    finally:
        pool.close()


def job(query: str, max_rows: int = 1000) -> Job:
    return Job(query=query, form="SELECT", format_key="json", max_rows=max_rows, base_iri=BASE, prefixes={})


def stop_workers(pool: QueryPool) -> None:
    # This pool's own: a worker of another app in the session, stopped, would hang its exit.
    workers = [w.process for w in pool._all]
    assert workers
    for process in workers:
        os.kill(process.pid, signal.SIGSTOP)  # the pool kills them at its time limit


def needs_a_worker(pool: QueryPool, query: Job) -> bool:
    try:
        pool.run(query, timeout=0.5)  # the stopped worker never answers: no need to wait long
    except QueryError as failed:
        assert failed.status == 503 and "time limit" in failed.message
        return True
    return False


def test_a_query_answered_quickly_comes_back_from_the_serving_process_with_the_same_bytes(store_path):
    with pool_on(store_path) as pool:
        first = pool.run(job(COUNT))
        stop_workers(pool)
        assert pool.run(job(COUNT)) == first  # same bytes, so the same ETag from either place
        assert needs_a_worker(pool, job(NAMES))


def test_a_query_slower_than_the_threshold_always_runs_in_a_worker(store_path):
    with pool_on(store_path, local_under=0) as pool:
        pool.run(job(COUNT))
        stop_workers(pool)
        assert needs_a_worker(pool, job(COUNT))


def test_a_refused_query_is_not_taken_for_a_quick_one(store_path):
    with pool_on(store_path) as pool:
        with pytest.raises(QueryError, match="more than 1 rows"):
            pool.run(job(NAMES, max_rows=1))
        stop_workers(pool)
        assert needs_a_worker(pool, job(NAMES, max_rows=1))


def test_only_the_most_recent_quick_queries_are_remembered(store_path):
    with pool_on(store_path, remembered=1) as pool:
        pool.run(job(COUNT))
        names = pool.run(job(NAMES))
        stop_workers(pool)
        assert pool.run(job(NAMES)) == names
        assert needs_a_worker(pool, job(COUNT))


class HeldStore:
    """The real store, whose queries wait to be let go: a query still running in this process."""

    def __init__(self, store):
        self.store, self.running, self.go = store, threading.Event(), threading.Event()

    def query(self, *args, **kwargs):
        self.running.set()
        assert self.go.wait(30)
        return self.store.query(*args, **kwargs)


def test_one_quick_query_at_a_time_runs_in_the_serving_process_the_others_meanwhile_in_a_worker(store_path):
    """The workers are niced and the serving process is not: a flood of quick queries must not
    take the CPU from page requests."""
    held = HeldStore(ox.Store.read_only(str(store_path)))
    with pool_on(store_path, local_store=held) as pool, ThreadPoolExecutor(1) as other:
        first = pool.run(job(COUNT))
        running = other.submit(pool.run, job(COUNT))
        assert held.running.wait(30)
        stop_workers(pool)
        assert needs_a_worker(pool, job(COUNT))
        held.go.set()
        assert running.result() == first
