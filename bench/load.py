"""Load and faults: dereferencing and small queries while runaway SPARQL queries run, then a worker kill.

Runs `publisher serve` (as shipped) on 127.0.0.1, keeps eight runaway queries (five-way
cartesian products) running against a short time limit for the whole run, while wrk loads
dereferencing (a mix of IRIs and formats, 16 connections, fixed duration) and two clients send
small queries, each a new one (never answered from the result cache). Every refused query must
be a 503 with Retry-After. Then it kills a server worker with SIGKILL and checks that the
server replaces it. Prints the figures and writes bench/results/load.md. Bounded in time and
count; 127.0.0.1 only.

    .venv/bin/python bench/load.py [--duration 45] [--quick] [--store oxigraph|virtuoso]

With --store, the same load runs on `serve --store` in front of a remote store started for the
run (Oxigraph server or Virtuoso, on 127.0.0.1), whose own time limit is the app's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import threading
import time
from pathlib import Path

import requests

from common import ROOT, tree_pss_mib, wrk  # noqa: E402  (also puts tests/ on the path)
from servers import publisher_server, server_master  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
# A comment makes each small query new to the result cache, so each one needs a worker.
SMALL = "SELECT ?s ?name WHERE {{ ?s <http://schema.org/name> ?name }} ORDER BY ?s LIMIT 5 OFFSET {offset} # {n}"
RUNAWAYS, SMALL_CLIENTS = 8, 2
TARGET_P99_MS, TARGET_SMALL_SHARE, SMALL_WITHIN_S = 50, 0.90, 2.0


def granian_workers(master: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def run(duration: int, serve=publisher_server) -> dict:
    from servers import free_port

    port = free_port()
    # The shipped query workers (the test servers' helper starts one unless told otherwise).
    with serve("--query-timeout", "3", "--workers", "2", "--query-workers", "2", port=port) as base:
        master = server_master(port)
        requests.get(base + "sparql", params={"query": "ASK {?s ?p ?o}"}, timeout=30)
        stop = threading.Event()
        runaway = {"sent": 0, "stopped": 0, "other": 0}
        small = {"sent": 0, "within": 0, "refused": 0, "other": 0, "latencies": []}
        lock = threading.Lock()

        def refused_properly(response) -> bool:
            return response.status_code == 503 and response.headers.get("Retry-After", "").isdigit()

        def keep_running_a_runaway():
            while not stop.is_set():
                response = requests.get(base + "sparql", params={"query": RUNAWAY}, timeout=60)
                with lock:
                    runaway["sent"] += 1
                    runaway["stopped" if refused_properly(response) else "other"] += 1

        def keep_asking_small_queries(client: int):
            n = 0
            while not stop.is_set():
                n += 1
                text = SMALL.format(offset=n % 50, n=f"{client}-{n}")
                started = time.monotonic()
                response = requests.get(base + "sparql", params={"query": text}, timeout=30,
                                        headers={"Accept": "application/sparql-results+json"})
                seconds = time.monotonic() - started
                with lock:
                    small["sent"] += 1
                    small["latencies"].append(seconds)
                    if response.status_code == 200:
                        small["within"] += seconds <= SMALL_WITHIN_S
                    else:
                        small["refused" if refused_properly(response) else "other"] += 1
                time.sleep(0.1)

        threads = [threading.Thread(target=keep_running_a_runaway, daemon=True) for _ in range(RUNAWAYS)]
        threads += [threading.Thread(target=keep_asking_small_queries, args=(c,), daemon=True)
                    for c in range(SMALL_CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        memory_before = tree_pss_mib(master) * 1024
        figures = wrk(base, duration)
        memory_after = tree_pss_mib(master) * 1024
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        latencies = sorted(small.pop("latencies"))
        small["share_within"] = round(small["within"] / max(small["sent"], 1), 3)
        small["p50_s"] = round(latencies[len(latencies) // 2], 3) if latencies else None
        small["max_s"] = round(latencies[-1], 3) if latencies else None

        # Fault: kill one server worker; the server must replace it and keep answering.
        before = granian_workers(master)
        os.kill(before[0], signal.SIGKILL)
        deadline, recovered = time.monotonic() + 30, False
        while time.monotonic() < deadline:
            time.sleep(0.5)
            workers = granian_workers(master)
            if len(workers) == len(before) and before[0] not in workers:
                ok = all(requests.get(base + "event/miejsca-otwarte-2017", timeout=10).status_code == 200
                         for _ in range(20))
                recovered = ok
                break
    return {"duration_s": duration, **figures, "runaway_queries": runaway, "small_queries": small,
            "pss_kb_start": memory_before, "pss_kb_end": memory_after, "worker_killed_and_replaced": recovered}


def run_on_store(engine: str, duration: int) -> dict:
    """`run` with the app in front of a new remote store of this engine, stopped afterwards."""
    from stores import remote_store

    with remote_store(engine, timeout_s=3) as store:
        def serve(*args, **kwargs):
            return publisher_server(*store.args, *args, env=store.env, **kwargs)

        return {**run(duration, serve), "store": engine}


def report(result: dict) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    met = "met" if result.get("p99_ms", 1e9) < TARGET_P99_MS else "NOT met"
    small = result["small_queries"]
    small_met = "met" if small["share_within"] >= TARGET_SMALL_SHARE else "NOT met"
    return f"""# Load and faults

Machine: {machine}, load average before the run {result['load_average']}. Run:
`.venv/bin/python bench/load.py --duration {result['duration_s']}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.

Dereferencing with wrk (2 threads, 16 connections, {result['duration_s']} s; a mix of 6 IRIs × 4 formats) on
`publisher serve{' --store' if result.get('store') else ''}` (2 workers{', in front of ' + result['store'] if result.get('store') else ''}), while {RUNAWAYS} clients keep runaway SPARQL queries running (time limit 3 s)
and {SMALL_CLIENTS} clients send small queries, each new to the result cache, one after the other.

| Figure | Value |
|---|---|
| requests | {result.get('requests', 0):.0f} ({result.get('rps', 0):.0f}/s) |
| p50 latency | {result.get('p50_ms', 0):.2f} ms |
| p99 latency | {result.get('p99_ms', 0):.2f} ms (target < {TARGET_P99_MS} ms: **{met}**) |
| max latency | {result.get('max_ms', 0):.2f} ms |
| failed requests (socket errors, non-2xx) | {result.get('errors', 0):.0f}, {result.get('non2xx', 0):.0f} |
| runaway queries sent / stopped (503 with Retry-After) / other answers | {result['runaway_queries']['sent']} / {result['runaway_queries']['stopped']} / {result['runaway_queries']['other']} |
| small queries sent / answered within {SMALL_WITHIN_S:g} s | {small['sent']} / {small['within']} = {small['share_within']:.1%} (target ≥ {TARGET_SMALL_SHARE:.0%}: **{small_met}**) |
| small queries refused (503 with Retry-After) / other answers | {small['refused']} / {small['other']} |
| small query latency, median / max | {small['p50_s']} s / {small['max_s']} s |
| memory of the server's process tree (PSS), start → end | {result['pss_kb_start'] / 1024:.0f} MiB → {result['pss_kb_end'] / 1024:.0f} MiB |
| a worker killed with SIGKILL was replaced and the server kept answering | {result['worker_killed_and_replaced']} |
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=45)
    parser.add_argument("--quick", action="store_true", help="a 5-second run, for CI")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--store", choices=["oxigraph", "virtuoso"], default=None,
                        help="run on `serve --store` in front of this engine (figures printed, not written)")
    args = parser.parse_args()
    load_average = " ".join(f"{figure:.2f}" for figure in os.getloadavg())
    duration = 5 if args.quick else args.duration
    result = {**(run_on_store(args.store, duration) if args.store else run(duration)), "load_average": load_average}
    text = report(result)
    print(json.dumps(result) if args.json else text)
    if not args.quick and not args.store:
        (ROOT / "bench" / "results").mkdir(exist_ok=True)
        (ROOT / "bench" / "results" / "load.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
