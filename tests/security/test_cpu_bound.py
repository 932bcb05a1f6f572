"""The query workers' CPU bound: every worker runs inside the server's group, a demoted one inside
its quarter, and the kernel holds a runaway to that quota, whatever its priority. Where this
machine has no writable cgroup v1 `cpu` hierarchy these tests are skipped, saying why, and
`serve` says the same and runs without the bound."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from conftest import BASE, ROOT
from publisher.config import DEFAULT_DATA
from publisher.load import load_into_store
from publisher.sparql import QueryError
from publisher.sparql.cpu_bound import CpuGroup, Unavailable
from publisher.sparql.pool import QueryPool
from publisher.sparql.worker import Job
from servers import publisher_server, server_master

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"


def job(query: str) -> Job:
    return Job(query=query, solution_key="json", graph_key=None, max_rows=100, base_iri=BASE, prefixes={},
               max_bytes=1 << 20)


def a_bound(cores: float) -> CpuGroup:
    try:
        return CpuGroup.create(cores)
    except Unavailable as missing:
        pytest.skip(f"no CPU bound on this machine: {missing}")


def members(folder: Path) -> set[int]:
    return {int(pid) for pid in (folder / "cgroup.procs").read_text().split()}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_without_a_cpu_hierarchy_the_reason_is_given(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec 0 0\n")
    with pytest.raises(Unavailable, match="no cgroup v1 hierarchy with the cpu controller"):
        CpuGroup.create(1, mounts=mounts, membership=tmp_path / "cgroup")


def test_a_negative_bound_is_refused_before_anything_starts():
    done = subprocess.run([sys.executable, "-m", "publisher", "serve", "--query-cpu", "-1"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--query-cpu" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("bound") / "oxigraph"
    load_into_store([DEFAULT_DATA], BASE, path)
    return path


@pytest.mark.slow  # waits out a runaway
def test_a_demoted_runaway_gets_no_more_than_its_quarter_of_the_bound(store_path):
    group = a_bound(0.4)  # the demoted ones: 0.1 core together
    try:
        assert group.cores() == pytest.approx(0.4) and group.cores(demoted=True) == pytest.approx(0.1)
        pool = QueryPool(str(store_path), size=1, max_size=1, timeout=4, demote_after=0.05, cpu_group=group)
        try:
            pool.run(job(COUNT))
            [worker] = [w.process.pid for w in pool._all]
            assert worker in members(group.path)
            with ThreadPoolExecutor(1) as other:
                runaway = other.submit(pool.run, job(RUNAWAY))
                deadline = time.monotonic() + 2
                while worker not in members(group.path / "demoted") and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert worker in members(group.path / "demoted")
                before, wall = cpu_seconds(worker), time.monotonic()
                time.sleep(2)
                used = cpu_seconds(worker) - before
                assert used <= 0.1 * (time.monotonic() - wall) + 0.15  # unbounded, an idle core gives it ~2 s
                stat = (group.path / "demoted" / "cpu.stat").read_text()
                assert int(re.search(r"nr_throttled (\d+)", stat)[1]) > 0
                with pytest.raises(QueryError, match="time limit"):
                    runaway.result()
            pool.run(job(COUNT))  # a fresh worker, in the bound but not in its demoted part
            [fresh] = [w.process.pid for w in pool._all]
            assert fresh != worker and fresh in members(group.path) and fresh not in members(group.path / "demoted")
        finally:
            pool.close()
    finally:
        group.remove()
    assert not group.path.exists()


@pytest.mark.slow  # starts a server
def test_serve_puts_its_query_workers_in_a_bound_of_its_own_and_removes_it_when_it_stops(tmp_path):
    log = tmp_path / "serve.log"
    with publisher_server("--query-cpu", "0.5", log=log) as base:
        said = log.read_text()
        if "Not serving" in said:
            pytest.skip(said)
        group = Path(re.search(r"may use 0\.5 cores together \((.+?)\)", said)[1])
        assert group.name == f"publisher-queries-{server_master(int(base.rsplit(':', 1)[1].strip('/')))}"
        assert CpuGroup(group).cores() == 0.5
        assert requests.get(base + "sparql", params={"query": COUNT}, headers={"Accept": "text/csv"},
                            timeout=30).status_code == 200
        assert members(group)  # the worker that answered, and its spare
    assert not group.exists()


def test_a_new_bound_removes_the_groups_of_servers_that_are_gone_and_keeps_the_others():
    first = a_bound(1)
    parent = first.path.parent
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone, living, odd = (parent / f"publisher-queries-{name}" for name in (ended.stdout.strip(), os.getppid(), "x"))
    for folder in (gone, living, odd):
        folder.mkdir()
    try:
        second = a_bound(1)  # this process's group again, made anew
        assert second.path == first.path and second.path.is_dir()
        assert not gone.exists() and not odd.exists()  # named after no living process
        assert living.is_dir()  # a server still running (here: the process that started this one)
    finally:
        for group in (first, CpuGroup(living), CpuGroup(gone), CpuGroup(odd)):
            group.remove()
