"""Which embedded SPARQL engine to serve with: rdflib's own against pyoxigraph, on growing data.

The data is the event graph copied N times under distinct IRIs (a stand-in until the synthetic
city calendar exists). Each query of site/queries runs on both engines in this one process;
the figures and ratios are printed side by side.

    .venv/bin/python bench/engines.py [--copies 1 10 100] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.config import DEFAULT_DATA  # noqa: E402
from publisher.load import load  # noqa: E402
from publisher.sparql.examples import examples  # noqa: E402

BASE = "http://127.0.0.1:8000/"


def copies(graph: Graph, count: int) -> Graph:
    result = Graph()
    for n in range(count):
        def rename(term):
            return URIRef(f"{BASE}copy{n}/{str(term)[len(BASE):]}") if isinstance(term, URIRef) and str(term).startswith(BASE) else term
        for s, p, o in graph:
            result.add((rename(s), p, rename(o)))
    return result


def timed(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base = load([DEFAULT_DATA], BASE).graph
    print(f"{'copies':>6} {'triples':>8} {'query':<22} {'rdflib ms':>10} {'oxigraph ms':>12} {'ratio':>7}")
    for count in args.copies:
        graph = copies(base, count)
        store = ox.Store()
        store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        for example in examples():
            rdflib_s = timed(lambda: list(graph.query(example.text)), args.repeat)
            oxigraph_s = timed(lambda: list(store.query(example.text)), args.repeat)
            print(f"{count:>6} {len(graph):>8} {example.key:<22} {rdflib_s * 1000:>10.2f} "
                  f"{oxigraph_s * 1000:>12.3f} {rdflib_s / oxigraph_s:>6.0f}×")


if __name__ == "__main__":
    main()
