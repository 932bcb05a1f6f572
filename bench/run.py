"""All benchmarks in one run: dereferencing (app, nginx, production set-up), SPARQL (our
endpoint, `oxigraph serve`, rdflib), growth (load + validate, build), and the remote stores
(`serve` against `serve --store` on Oxigraph server and on Virtuoso), side by side on this
machine. Writes bench/results/REPORT.md and its PNG plots, and prints the report.

    .venv/bin/python bench/run.py            # full run, under 15 minutes on 2 cores
    .venv/bin/python bench/run.py --quick    # least data and short runs, under a minute
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, machine

import deref  # noqa: E402
import growth  # noqa: E402
import remote  # noqa: E402
import report  # noqa: E402
import sparql  # noqa: E402

# Figures of one run each (events; seconds a step may take before it is stopped). Caps sit a
# little above the targets they decide: a step past its cap has missed its target. The 10k build's
# is not: the builds after it (nothing changed, one event changed) need its output.
# SPARQL at 100,000 events: our endpoint (its start and serving memory are measured there too),
# our engine and `oxigraph serve`; not rdflib, which would need several GiB to parse it.
FULL = {"deref_s": 10, "validate": [(1_000, 120), (10_000, 400), (100_000, 90)], "build": [(1_000, 240), (10_000, 600)],
        "documents": (10_000, 40),
        "sparql": [(10_000, {"rdflib": True}), (100_000, {"rdflib": False})],
        "repeat": 20, "rdflib_repeat": 3, "rdflib_cap_s": 20, "remote": (10_000, 10)}
# Proves the whole run works (CI runs it): every section once, on the least data that shows growth.
QUICK = {"deref_s": 1, "validate": [(100, 60), (300, 60)], "build": [(100, 60)], "documents": (100, 5),
         "sparql": [(300, {"rdflib": True})], "repeat": 3, "rdflib_repeat": 1, "rdflib_cap_s": 10, "remote": (300, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="least data and short runs (under a minute)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="where REPORT.md and plots go")
    parser.add_argument("--report-only", type=Path, metavar="FIGURES_JSON",
                        help="no measuring: write the report again from a run's figures (e.g. after editing notes.md)")
    args = parser.parse_args()
    if args.report_only:
        results = json.loads(args.report_only.read_text(encoding="utf-8"))
        results["sparql"] = {int(events): figures for events, figures in results["sparql"].items()}
        write_report(results, args.out)
        return
    plan = QUICK if args.quick else FULL
    args.out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-data-"))
    started = time.monotonic()
    results = {"mode": "quick" if args.quick else "full", "machine": machine(), "deref_duration": plan["deref_s"],
               "sparql_repeat": plan["repeat"], "rdflib_repeat": plan["rdflib_repeat"],
               "rdflib_cap_s": plan["rdflib_cap_s"], "growth": {"validate": [], "build": []}, "sparql": {}}

    def step(text: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {text}", file=sys.stderr, flush=True)

    try:
        step("dereferencing: app, nginx, production set-up")
        results["deref"] = deref.run(plan["deref_s"])
        for events, cap in plan["validate"]:
            step(f"load + validate {events:,} events (cap {cap} s)")
            results["growth"]["validate"].append(growth.validate(events, folder, cap))
        for events, cap in plan["build"]:
            step(f"build {events:,} events (cap {cap} s)")
            largest = events == plan["build"][-1][0]  # and, into its output, builds after no and one change
            results["growth"]["build"].append(growth.build(events, folder, cap, incremental=largest))
        step("where a build's CPU goes, document by document")
        events, every = plan["documents"]
        results["growth"]["documents"] = growth.document_cost(events, folder, every)
        for events, parts in plan["sparql"]:
            step(f"SPARQL on {events:,} events: " + ", ".join(
                ["our endpoint", "oxigraph serve", "our engine"] + ["rdflib"] * parts["rdflib"]))
            results["sparql"][events] = sparql.run(growth.synthetic(events, folder), plan["repeat"],
                                                   plan["rdflib_repeat"], plan["rdflib_cap_s"], **parts)
        events, duration = plan["remote"]
        step(f"remote stores on {events:,} events: embedded, Oxigraph server, Virtuoso")
        results["remote"] = {"events": events, **remote.run(growth.synthetic(events, folder), duration,
                                                            plan["repeat"])}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        # Written even when a phase fails, so that the phases before it are not lost.
        (args.out / f"figures-{results['mode']}.json").write_text(json.dumps(results, indent=1, default=str),
                                                                 encoding="utf-8")
    step(f"done: {write_report(results, args.out)}")


def write_report(results: dict, out: Path) -> Path:
    """REPORT.md with bench/notes.md (what dominates) and bench/baseline.json (figures before)."""
    notes_file = ROOT / "bench" / "notes.md"
    results["notes"] = notes_file.read_text(encoding="utf-8").splitlines() if notes_file.exists() else []
    baseline_file = ROOT / "bench" / "baseline.json"
    baseline = json.loads(baseline_file.read_text(encoding="utf-8")) if baseline_file.exists() else {}
    written = report.write(results, baseline, out, "bench/run.py" + (" --quick" if results["mode"] == "quick" else ""))
    print(written.read_text(encoding="utf-8"))
    return written


if __name__ == "__main__":
    main()
