"""SPARQL side by side on the same synthetic data: our endpoint (HTTP, as served), `oxigraph
serve` (HTTP), and, without HTTP, our engine as a query worker runs it and rdflib's own engine
(each in a child process, each query stopped at a cap)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from common import ROOT, LeanClient, tree_rss_mib, wait_until_idle
from servers import free_port, oxigraph_server, stop, wait_until_up

QUERIES = sorted((ROOT / "bench" / "queries").glob("*.rq"))
JSON = "application/sparql-results+json"
BASE = "http://127.0.0.1:8000/"

# The endpoint as `serve` runs it, but trusting the validation the growth benchmark has just
# done of the same file (a synthetic calendar is valid by construction; tests check it).
SERVE = """
import sys
from pathlib import Path
from publisher.config import Handover, Settings
from publisher.load import fingerprint
from publisher.server import run
data = (Path(sys.argv[1]),)
run(Settings(data_paths=data, base_url=sys.argv[3]), Handover(validated=fingerprint(data)),
    "127.0.0.1", int(sys.argv[2]), 2, 16)
"""

# rdflib's engine, and ours as a query worker runs it (the on-disk store built by the app's own
# load_into_store, read-only; the query, then the JSON results written by our writer): each in a
# child process, on the same N-Triples, without HTTP. Engine against engine.
RDFLIB = """
import sys, time, json
from rdflib import Graph
graph = Graph()
graph.parse(sys.argv[1], format="nt")
print(json.dumps({"loaded": True}), flush=True)
for line in sys.stdin:
    query = json.loads(line)
    started = time.perf_counter()
    rows = len(list(graph.query(query)))
    print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows}), flush=True)
"""

ENGINE = """
import sys, time, json
import pyoxigraph as ox
from publisher.sparql.results import write_solutions
store = ox.Store.read_only(sys.argv[1])
print(json.dumps({"loaded": True}), flush=True)
for line in sys.stdin:
    query = json.loads(line)
    started = time.perf_counter()
    body = write_solutions(store.query(query, base_iri=sys.argv[2]), "json", 10**9, 1 << 40)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": len(json.loads(body)["results"]["bindings"])}), flush=True)
"""


@contextmanager
def our_endpoint(data: Path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(data), str(port), BASE], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(base, process, timeout=900)
        yield base, process.pid
    finally:
        stop(process)


def post_query(url: str, query: str, timeout: float = 300, attempts: int = 10) -> requests.Response:
    """A protocol POST asking for JSON results, sent again after `Retry-After` when the endpoint
    says it is busy (503), as a careful client does; any other error status raises."""
    for attempt in range(attempts):
        response = requests.post(url, data={"query": query}, headers={"Accept": JSON}, timeout=timeout)
        busy = response.status_code == 503 and response.headers.get("Retry-After", "").isdigit()
        if not busy or attempt == attempts - 1:
            break
        time.sleep(int(response.headers["Retry-After"]))
    response.raise_for_status()
    return response


def http_times(urls: list[str], queries: list[str]) -> tuple[list[list[float]], list[int]]:
    """Each of `queries` at each endpoint, taken alternately request by request, so that a slow
    moment of the machine (this one varies by ±0.5 ms on millisecond queries) falls on both
    alike; the first is a warm-up. One keep-alive connection an endpoint (`LeanClient`).
    Seconds per endpoint, and rows (of the last query)."""
    clients = [LeanClient(url) for url in urls]
    times, rows = [[] for _ in urls], [0 for _ in urls]
    try:
        for attempt, query in enumerate(queries):
            for index, client in enumerate(clients):
                started = time.perf_counter()
                body = client.post_query(query)
                elapsed = time.perf_counter() - started
                rows[index] = len(json.loads(body)["results"]["bindings"])
                if attempt:
                    times[index].append(elapsed)
    finally:
        for client in clients:
            client.close()
    return times, rows


def new_lookups(count: int) -> list[str]:
    """The lookup query, about a different event each time: a query our endpoint has not met
    before is parsed by the guard and run in a worker process (a repeated one comes from the
    result cache)."""
    lookup = (ROOT / "bench" / "queries" / "1-lookup.rq").read_text(encoding="utf-8")
    assert "synth-000042" in lookup
    return [lookup.replace("synth-000042", f"synth-{100 + n:06d}") for n in range(count)]


def every_query_process_busy(url: str, clients: int = 8) -> None:
    """The mix again from `clients` at once, so that every query process has run heavy queries
    and holds its caches, as under load: measured after the serial mix alone, the serving RSS
    counted the one process a worker uses when queries come one at a time (last in, first out)."""
    from concurrent.futures import ThreadPoolExecutor

    queries = [path.read_text(encoding="utf-8") for path in QUERIES] * clients
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda query: post_query(url, query), queries))


def summary(times: list[float], rounds: int = 3) -> dict:
    """Median and p95, and the spread of the median over `rounds` consecutive shares of the runs
    (a median that moves between rounds says the machine, not the endpoint, changed)."""
    ordered = sorted(times)
    share = max(1, len(times) // rounds)
    medians = [statistics.median(times[i:i + share]) * 1000 for i in range(0, share * rounds, share) if times[i:i + share]]
    return {"median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000, 2),
            "round_medians_ms": [round(m, 2) for m in medians]}


def child_times(script: str, args: list[str], repeat: int, cap_s: float) -> dict:
    """Each query `repeat` times in one child process running `script`; a query over the cap
    kills it (then the child is started again for the next query)."""
    results, child = {}, None

    def start():
        process = subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE, cwd=ROOT,
                                   stdout=subprocess.PIPE, text=True, start_new_session=True)
        json.loads(process.stdout.readline())
        return process

    for path in QUERIES:
        query = path.read_text(encoding="utf-8")
        times, rows = [], None
        for _ in range(repeat):
            child = child or start()
            child.stdin.write(json.dumps(query) + "\n")
            child.stdin.flush()
            answer = _read_with_cap(child, cap_s)
            if answer is None:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                child = None
                times = None
                break
            times.append(answer["seconds"])
            rows = answer["rows"]
        results[path.stem] = ({"capped": True, "cap_s": cap_s} if times is None
                              else {**summary(times), "rows": rows})
    if child is not None:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    return results


def _read_with_cap(child, cap_s: float) -> dict | None:
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    ready = selector.select(timeout=cap_s)
    selector.close()
    return json.loads(child.stdout.readline()) if ready else None


def run(data: Path, repeat: int, rdflib_repeat: int, rdflib_cap_s: float, rdflib: bool = True) -> dict:
    """Our server on the data and `oxigraph serve` on its dump, both running, queried over HTTP
    alternately once every worker of ours has started (minutes at 100,000 events); then our
    engine on the dump; `rdflib`: also rdflib's."""
    from publisher.load import load_into_store

    results = {"queries": [p.stem for p in QUERIES], "ours": {}, "oxigraph": {}, "engine": {}, "rdflib": {},
               "interleaved": True}
    work = Path(tempfile.mkdtemp(prefix="bench-sparql-"))
    try:
        started = time.perf_counter()
        with our_endpoint(data) as (base, pid):
            wait_until_idle(pid, timeout_s=900)
            results["start_s"] = time.perf_counter() - started
            # A worker starts its query processes on its first query: a few queries reach every
            # worker, and the measuring starts once those processes have started.
            for _ in range(8):
                post_query(base + "sparql", "ASK {}", timeout=60)
            dump = work / "dump.nt"
            with requests.get(base + "dump.nt", timeout=300, stream=True) as response, dump.open("wb") as out:
                for chunk in response.iter_content(1 << 20):
                    out.write(chunk)
            results["triples"] = sum(1 for _ in dump.open("rb"))
            location = work / "oxigraph-serve"
            with oxigraph_server(timeout_s=300, location=location) as query_url:
                store = query_url.rsplit("/", 1)[0] + "/store?default"
                with dump.open("rb") as body:
                    requests.post(store, data=body, headers={"Content-Type": "application/n-triples"},
                                  timeout=900).raise_for_status()
            # Measured as a deployment runs it: started on its store. Just after a load the data is
            # still in memory (RocksDB memtables): at 100,000 events it ran the aggregate in 370 ms
            # there and in 496 ms once restarted, as fast as pyoxigraph reading the same store.
            with oxigraph_server(timeout_s=300, location=location) as query_url:
                wait_until_idle(pid, timeout_s=120)
                for path in QUERIES:
                    (ours, theirs), (our_rows, their_rows) = http_times(
                        [base + "sparql", query_url], [path.read_text(encoding="utf-8")] * (repeat + 1))
                    results["ours"][path.stem] = {**summary(ours), "rows": our_rows}
                    results["oxigraph"][path.stem] = {**summary(theirs), "rows": their_rows}
                (ours, theirs), _ = http_times([base + "sparql", query_url], new_lookups(repeat + 1))
                results["new_lookups"] = {"ours": summary(ours), "oxigraph": summary(theirs)}
                every_query_process_busy(base + "sparql")
            results["serving_rss_mib"] = tree_rss_mib(pid)
        store_path = work / "oxigraph"
        load_into_store([dump], BASE, store_path)
        results["engine"] = child_times(ENGINE, [str(store_path), BASE], repeat, rdflib_cap_s)
        if rdflib:
            results["rdflib"] = child_times(RDFLIB, [str(dump)], rdflib_repeat, rdflib_cap_s)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results
