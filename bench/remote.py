"""The remote-store path against the embedded store, on the same data: documents (wrk with
bench/mix.lua) and SPARQL (bench/queries, by protocol POST) from `serve`, `serve --store` on
Oxigraph server and `serve --store --store-engine virtuoso` on a private Virtuoso.

All three run at once, and the queries go to them alternately request by request (a slow moment
of the machine falls on all alike); the result cache is off, so a repeated query is run again
by each. The stores' own time limits are generous: this measures speed, not limits.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from common import wrk
from deref import warm
from servers import publisher_server
from sparql import BASE, QUERIES, http_times, summary
from stores import remote_store

from publisher.config import DEFAULT_DATA

SETUPS = ("embedded", "oxigraph", "virtuoso")


def run(data: Path, duration: int, repeat: int) -> dict:
    """Figures per set-up: documents (wrk's) and, per query, median and p95 milliseconds and rows."""
    results = {"setups": list(SETUPS), "queries": [p.stem for p in QUERIES], "documents": {}, "sparql": {}}
    # The project's data too: bench/mix.lua dereferences its IRIs. The queries name IRIs under BASE.
    args = ("--data", str(DEFAULT_DATA), "--data", str(data), "--base-url", BASE, "--result-cache-mb", "0",
            "--query-timeout", "300")
    with ExitStack() as stack:
        bases = {}
        for setup in SETUPS:
            store = stack.enter_context(remote_store(setup, timeout_s=300)) if setup != "embedded" else None
            bases[setup] = stack.enter_context(publisher_server(*args, *(store.args if store else ()),
                                                                env=store.env if store else None,
                                                                start_timeout=900, shipped=True))
        for setup, base in bases.items():
            warm(base)
            results["documents"][setup] = wrk(base, duration)
        urls = [bases[setup] + "sparql" for setup in SETUPS]
        for path in QUERIES:
            times, rows = http_times(urls, [path.read_text(encoding="utf-8")] * (repeat + 1))
            for setup, taken, found in zip(SETUPS, times, rows):
                results["sparql"].setdefault(setup, {})[path.stem] = {**summary(taken), "rows": found}
    return results


def report_lines(remote: dict, events: int) -> list[str]:
    """The report's section: each set-up's figures and their ratio to the embedded store's."""
    documents, sparql = remote["documents"], remote["sparql"]
    embedded_rps, embedded_sparql = documents["embedded"]["rps"], sparql["embedded"]
    lines = ["", f"## 4. Remote stores, {events:,} synthetic events", "",
             "`serve` on its embedded store, and `serve --store` in front of Oxigraph server and of Virtuoso "
             "(bench/remote.py): documents by wrk with bench/mix.lua, and each query of bench/queries by "
             "protocol POST, the three alternately, the result cache off. Cells: median ms (× the embedded "
             "store's); documents: requests/s (× the embedded store's).", "",
             "| Set-up | documents requests/s | " + " | ".join(remote["queries"]) + " |",
             "|---|---|" + "---|" * len(remote["queries"])]
    for setup in remote["setups"]:
        rps = documents[setup]["rps"]
        cells = []
        for query in remote["queries"]:
            ms = sparql[setup][query]["median_ms"]
            cells.append(f"{ms:.2f} ({ms / embedded_sparql[query]['median_ms']:.2f}×)")
        lines.append(f"| {setup} | {rps:.0f} ({rps / embedded_rps:.2f}×) | " + " | ".join(cells) + " |")
    return lines
