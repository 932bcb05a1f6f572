"""Load and faults: dereferencing under load while runaway SPARQL queries run, then a worker kill.

Runs `publisher serve` (as shipped) on 127.0.0.1, keeps four runaway queries (five-way
cartesian products) running against a short time limit for the whole run, and loads
dereferencing with wrk (a mix of IRIs and formats, 16 connections, fixed duration). Then it
kills a server worker with SIGKILL and checks that the server replaces it. Prints the figures
and writes bench/results/load.md. Bounded in time and count; 127.0.0.1 only.

    .venv/bin/python bench/load.py [--duration 20] [--quick]
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

from common import ROOT, tree_rss_mib, wrk  # noqa: E402  (also puts tests/ on the path)
from servers import publisher_server, server_master  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
TARGET_P99_MS = 50


def granian_workers(master: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def run(duration: int) -> dict:
    from servers import free_port

    port = free_port()
    with publisher_server("--query-timeout", "3", "--workers", "2", port=port) as base:
        master = server_master(port)
        requests.get(base + "sparql", params={"query": "ASK {?s ?p ?o}"}, timeout=30)
        stop = threading.Event()
        runaway = {"sent": 0, "stopped": 0, "other": 0}

        def keep_running_a_runaway():
            while not stop.is_set():
                response = requests.get(base + "sparql", params={"query": RUNAWAY}, timeout=60)
                runaway["sent"] += 1
                runaway["stopped" if response.status_code == 503 else "other"] += 1

        threads = [threading.Thread(target=keep_running_a_runaway, daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        rss_before = tree_rss_mib(master) * 1024
        figures = wrk(base, duration)
        rss_after = tree_rss_mib(master) * 1024
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

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
    return {"duration_s": duration, **figures, "runaway_queries": runaway,
            "rss_kb_start": rss_before, "rss_kb_end": rss_after, "worker_killed_and_replaced": recovered}


def report(result: dict) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    met = "met" if result.get("p99_ms", 1e9) < TARGET_P99_MS else "NOT met"
    return f"""# Load and faults

Machine: {machine}. Run: `.venv/bin/python bench/load.py --duration {result['duration_s']}`, {time.strftime('%Y-%m-%d')}.

Dereferencing with wrk (2 threads, 16 connections, {result['duration_s']} s; a mix of 6 IRIs × 4 formats) on
`publisher serve` (2 workers), while four clients keep runaway SPARQL queries running (time limit 3 s).

| Figure | Value |
|---|---|
| requests | {result.get('requests', 0):.0f} ({result.get('rps', 0):.0f}/s) |
| p50 latency | {result.get('p50_ms', 0):.2f} ms |
| p99 latency | {result.get('p99_ms', 0):.2f} ms (target < {TARGET_P99_MS} ms: **{met}**) |
| max latency | {result.get('max_ms', 0):.2f} ms |
| failed requests (socket errors, non-2xx) | {result.get('errors', 0):.0f}, {result.get('non2xx', 0):.0f} |
| runaway queries sent / stopped at the limit | {result['runaway_queries']['sent']} / {result['runaway_queries']['stopped']} |
| memory of the server's process tree, start → end | {result['rss_kb_start'] / 1024:.0f} MiB → {result['rss_kb_end'] / 1024:.0f} MiB |
| a worker killed with SIGKILL was replaced and the server kept answering | {result['worker_killed_and_replaced']} |
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="a 5-second run, for CI")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = run(5 if args.quick else args.duration)
    text = report(result)
    print(json.dumps(result) if args.json else text)
    if not args.quick:
        (ROOT / "bench" / "results").mkdir(exist_ok=True)
        (ROOT / "bench" / "results" / "load.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
