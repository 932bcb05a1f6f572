"""Dereferencing side by side: the app as `serve` ships it, nginx serving `build`'s output of the
same data, and the documented production set-up (that nginx, with /sparql proxied to the app).

nginx and the production set-up are measured twice, alternately, and the better run of each
counts: on 2 shared cores a single short run of either varies by more than their difference.
"""

from __future__ import annotations

import requests

from common import wrk
from servers import free_port, nginx_export, publisher_server


def warm(base: str) -> None:
    for path in ("event/miejsca-otwarte-2017", "organization/warszawa-lokalnie", "place/bok-glebocka-66",
                 "person/marta-zakowska", "event/miejsca-otwarte-2017/panel-a", "role/media-patron"):
        for accept in ("text/turtle", "application/ld+json", "text/html", "application/n-triples"):
            requests.get(base + path, headers={"Accept": accept}, timeout=30)


def best(runs: list[dict]) -> dict:
    return max(runs, key=lambda run: run.get("rps", 0))


def run(duration: int) -> dict:
    results = {}
    with publisher_server() as app:
        warm(app)
        results["app"] = wrk(app, duration)
    port = free_port()
    production_base = f"http://127.0.0.1:{port}/"
    with publisher_server("--base-url", production_base) as app, nginx_export() as (plain, _out):
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
            for _ in range(2):
                runs["nginx"].append(wrk(plain, duration))
                runs["production"].append(wrk(production_base, duration))
    results["nginx"], results["production"] = best(runs["nginx"]), best(runs["production"])
    return results
