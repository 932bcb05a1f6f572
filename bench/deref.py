"""Dereferencing side by side: the app as `serve` ships it, nginx serving `build`'s output of the
same data, and the documented production set-up (that nginx, with /sparql proxied to the app).

Each set-up is measured ROUNDS times (nginx and the production set-up alternately) and each
figure is the median of its runs: on 2 shared cores one short run varies by more than the
differences measured (a p99 of 7 ms in one run of the app, 80 ms in the next; nginx against the
same nginx config 21,000 to 26,000 requests/s), and the better of two runs still drew the
production set-up at 0.82x to 1.02x of nginx from one full run to the next.
"""

from __future__ import annotations

import statistics

import requests

from common import wrk
from servers import free_port, nginx_export, publisher_server


def warm(base: str) -> None:
    for path in ("event/miejsca-otwarte-2017", "organization/warszawa-lokalnie", "place/bok-glebocka-66",
                 "person/marta-zakowska", "event/miejsca-otwarte-2017/panel-a", "role/media-patron"):
        for accept in ("text/turtle", "application/ld+json", "text/html", "application/n-triples"):
            requests.get(base + path, headers={"Accept": accept}, timeout=30)


ROUNDS = 3
FORMATS = {"Turtle": "text/turtle", "HTML": "text/html"}


def median(runs: list[dict]) -> dict:
    """Each figure's median over the runs; errors: the most any run had."""
    return {key: (max if key in ("errors", "non2xx") else statistics.median)(run.get(key, 0) for run in runs)
            for key in runs[0]}


def run(duration: int) -> dict:
    results = {}
    with publisher_server(shipped=True) as app:
        warm(app)
        results["app"] = median([wrk(app, duration) for _ in range(ROUNDS)])
    port = free_port()
    production_base = f"http://127.0.0.1:{port}/"
    with publisher_server("--base-url", production_base, shipped=True) as app, nginx_export() as (plain, _out):
        proxy = f"""
    location = /sparql {{
        proxy_pass {app}sparql;
        proxy_set_header Host $host;
    }}"""
        with nginx_export("--sparql-endpoint", production_base + "sparql", port=port, server_extra=proxy):
            assert requests.get(production_base + "sparql", params={"query": "ASK {}"}, timeout=30).ok
            warm(plain)
            warm(production_base)
            runs = {"nginx": [], "production": []}
            for _ in range(ROUNDS):
                runs["nginx"].append(wrk(plain, duration))
                runs["production"].append(wrk(production_base, duration))
            # Each of the formats that decide the documents' target, the app and nginx alternately.
            for name, accept in FORMATS.items():
                runs[name] = {"app": [], "nginx": []}
                for _ in range(ROUNDS):
                    runs[name]["app"].append(wrk(app, duration, accept=accept))
                    runs[name]["nginx"].append(wrk(plain, duration, accept=accept))
    results["nginx"], results["production"] = median(runs["nginx"]), median(runs["production"])
    results["formats"] = {name: {side: median(runs[name][side]) for side in ("app", "nginx")} for name in FORMATS}
    return results
