"""`serve --store` on each real remote store: bad data never reaches the store, what the store
served stays, and a store that refuses the app's writes stops it with a clear message."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from conftest import ROOT
from publisher.config import Settings
from publisher.sparql import QueryError
from publisher.store.remote import RemoteStore
from servers import free_port, publisher_server
from stores import ENGINES, REMOTE, app_on_store, remote_store, virtuoso_server

pytestmark = pytest.mark.slow  # each starts a real store


def serve_once(*args: str, env: dict) -> subprocess.CompletedProcess:
    """`publisher serve` that ends by itself: refused data, or an unwritable store, ends it."""
    return subprocess.run([sys.executable, "-m", "publisher", "serve", "--host", "127.0.0.1", "--port",
                           str(free_port()), "--lang", "en", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def client_of(store, base: str, monkeypatch) -> RemoteStore:
    """The app's client of `store` (as `serve` is given it) for the publication at `base`, with
    the store's credentials in the environment."""
    for name, value in store.env.items():
        monkeypatch.setenv(name, value)
    args = dict(zip(store.args[::2], store.args[1::2]))
    settings = Settings(base_url=base, store_url=args["--store"], store_engine=args.get("--store-engine", "oxigraph"))
    return RemoteStore.from_settings(settings)


def stored(store, base: str, monkeypatch) -> Graph:
    """What the store holds for the publication at `base`, read as the app's workers read it."""
    remote = client_of(store, base, monkeypatch)
    return Graph().parse(data=remote.read(remote.publication()), format="nt")


@pytest.mark.parametrize("param", REMOTE)
def test_invalid_data_is_refused_before_it_reaches_the_store_and_the_served_data_stays(param, request, tmp_path,
                                                                                       monkeypatch):
    engine = param.removeprefix("remote-")
    virtuoso = request.getfixturevalue("virtuoso") if engine == "virtuoso" else None
    base = f"http://127.0.0.1:{free_port()}/"
    broken = tmp_path / "event.ttl"
    broken.write_text((ROOT / "data" / "event.ttl").read_text(encoding="utf-8")
                      .replace('schema:startDate "2017-11-16"^^xsd:date ;', ""), encoding="utf-8")
    with remote_store(engine, virtuoso=virtuoso) as store:
        with publisher_server(*store.args, "--base-url", base, env=store.env):
            served = stored(store, base, monkeypatch)
        assert len(served) > 300
        refused = serve_once(*store.args, "--base-url", base, "--data", str(broken), env=store.env)
        assert refused.returncode == 1 and "Refused: the data does not conform" in refused.stderr
        assert "Loaded" not in refused.stderr
        assert len(stored(store, base, monkeypatch)) == len(served)


def test_a_store_that_does_not_answer_stops_it_with_a_clear_message():
    """A store that takes the connection and never answers (here a socket nobody reads)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        store = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        result = serve_once("--store", store, "--query-timeout", "2", env={})
    assert result.returncode == 2, result.stderr
    assert "Not serving: the store at http://127.0.0.1:" in result.stderr
    assert "timed out: no answer within 2 s" in result.stderr and "Traceback" not in result.stderr


def test_a_store_that_refuses_the_apps_credentials_stops_it_with_a_clear_message(virtuoso):
    with remote_store("virtuoso", virtuoso=virtuoso) as store:
        wrong = serve_once(*store.args, env={**store.env, "PUBLISHER_STORE_PASSWORD": "not-the-password"})
        missing = serve_once(*store.args, env={"PUBLISHER_STORE_USER": "", "PUBLISHER_STORE_PASSWORD": ""})
    for result in (wrong, missing):
        assert result.returncode == 2, result.stderr
        assert "Not serving: the store answered 401 (set PUBLISHER_STORE_USER and PUBLISHER_STORE_PASSWORD)" \
            in result.stderr


@pytest.mark.parametrize("param", REMOTE)
def test_a_query_reads_the_publications_data_and_no_other_graph_of_the_store(param, request):
    """The store holds graphs the app does not serve (Virtuoso's own, the data's earlier load,
    the pointer to the data's graphs): a query's default graph is the data, and as on the
    embedded store, GRAPH ?g finds none."""
    def ask(url: str, query: str) -> list:
        response = requests.post(url, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                                 timeout=30)
        return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]

    with app_on_store(request, param) as base:
        triples = requests.get(base + "dump.nt", timeout=30).content.count(b"\n")
        assert ask(base + "sparql", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }") == []
        assert int(ask(base + "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]) == triples
        assert ask(base + "sparql", "SELECT ?o WHERE { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> "
                                    "{ ?s ?p ?o } } LIMIT 1") == []


@pytest.mark.parametrize("engine", ENGINES)
def test_each_load_goes_into_new_graphs_and_the_one_before_the_last_is_dropped(engine, request, tmp_path,
                                                                                  monkeypatch):
    """A load never writes over the graphs being read: the store keeps the last load for the
    workers still reading it, and drops the one before. A worker's copy has a file for each data
    file, with its name and time, an empty one for a file that holds no triples of its own."""
    virtuoso = request.getfixturevalue("virtuoso") if engine == "virtuoso" else None
    with remote_store(engine, virtuoso=virtuoso) as store:
        base = f"http://127.0.0.1:{free_port()}/"
        remote = client_of(store, base, monkeypatch)
        loads = [remote.publish([("editions/a", 1000.0, f'<{base}s> <{base}p> "{n}" .\n'.encode()),
                                 ("b", 2000.0, b"")]) for n in range(3)]
        listed = requests.post(store.args[1], data={"query": f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                                                            f'FILTER(STRSTARTS(STR(?g), "{base}")) }}'},
                               headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
        assert {row["g"]["value"] for row in listed["results"]["bindings"]} == \
            {remote.pointer, *loads[2].graphs, *loads[1].graphs}
        assert remote.publication() == loads[2] and loads[2].replaced == loads[1].graphs
        assert remote.copy_into(tmp_path) == loads[2]
    copied = tmp_path / "editions" / "a.ttl"
    assert set(Graph().parse(copied, format="nt")) == {(URIRef(base + "s"), URIRef(base + "p"), Literal("2"))}
    assert copied.stat().st_mtime == 1000
    assert (tmp_path / "b.ttl").read_bytes() == b"" and (tmp_path / "b.ttl").stat().st_mtime == 2000


@pytest.mark.parametrize("engine", ENGINES)
def test_data_goes_to_the_store_in_bounded_requests_and_each_blank_node_stays_one_node(engine, request, monkeypatch):
    """Data is loaded in requests of a bounded number of triples (Virtuoso left one request of
    428,000 triples unanswered for 300 s), and the triples that blank nodes connect go in one
    request: a label names the same node only within one document."""
    virtuoso = request.getfixturevalue("virtuoso") if engine == "virtuoso" else None
    base = f"http://127.0.0.1:{free_port()}/"
    data = "".join(f'<{base}e{n}> <{base}p> "{n}" .\n' for n in range(5)) + (
        f"<{base}e0> <{base}at> _:place .\n_:place <{base}address> _:address .\n"
        f'_:address <{base}street> "Światowida" .\n_:address <{base}city> "Warszawa" .\n'
        f'_:other <{base}p> "x" .\n')
    with remote_store(engine, virtuoso=virtuoso) as store:
        remote = client_of(store, base, monkeypatch)
        remote.load_chunk = 2
        publication = remote.publish([("a", 1.0, data.encode())])
        found = Graph().parse(data=remote.read(publication), format="nt")
    assert isomorphic(found, Graph().parse(data=data, format="nt"))
    if virtuoso:
        writes = [line for line in virtuoso.requests_received() if quote(base, safe="") in line
                  and re.search(r'"(PUT|POST) ', line) and " 401 " not in line]
        assert len(writes) >= 4  # 10 triples, 2 a request but for the group of 4


def test_queries_sent_at_the_same_time_are_each_answered():
    """The guard parses each query in a parsing worker before it goes to the store: queries
    arriving together are all answered, none refused with a made-up syntax error (rdflib's
    parser is not thread-safe: eight at once in one process failed nearly every time)."""
    from publisher.sparql.pool import QueryPool
    from publisher.sparql.worker import Job

    query = "SELECT ?s WHERE {{ ?s ?p ?o . ?s ?p2 ?o2 . ?s ?p3 ?o3 }} LIMIT {n}"
    with remote_store("oxigraph") as store:
        remote = RemoteStore(store.args[1], publication="http://127.0.0.1/")
        remote.parser = QueryPool(None, size=2, max_size=8, timeout=30)

        def ask(n: int) -> str:
            try:
                return remote.run(Job(query.format(n=n), "json", None, 100, "http://127.0.0.1/", {}, 1 << 20)).form
            except QueryError as error:
                return error.message

        try:
            with ThreadPoolExecutor(8) as pool:
                assert set(pool.map(ask, range(160))) == {"SELECT"}
        finally:
            remote.close()


# rdflib's parser takes seconds on this 12 KB text (8 s on the test machine under load).
COSTLY_TO_PARSE = "SELECT * WHERE { ?s ?p ?o FILTER(" + "+".join(["1"] * 6000) + " > 0) }"


def test_a_query_costly_to_parse_is_stopped_at_the_limit_while_others_are_answered(request):
    """On a remote store the guard's parse runs in a query worker held to the time limit, as on
    the embedded store, never in a serving thread: the costly one gets 503 with Retry-After,
    and a small query sent after it is answered first."""
    with app_on_store(request, "remote-oxigraph", "--query-timeout", "2") as base, ThreadPoolExecutor(1) as pool:
        def costly():
            answer = requests.post(base + "sparql", data={"query": COSTLY_TO_PARSE}, timeout=60)
            return answer, time.monotonic()

        sent = pool.submit(costly)
        time.sleep(0.3)
        small = requests.get(base + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        small_at = time.monotonic()
        answer, costly_at = sent.result()
    assert small.status_code == 200 and small_at < costly_at
    assert answer.status_code == 503 and answer.headers["Retry-After"].isdigit(), answer.text


def test_a_virtuoso_that_would_cut_the_workers_copy_of_the_data_is_refused_at_start():
    """Virtuoso's Graph Store Protocol cuts a graph at ResultSetMaxRows without a word: serving
    from such a copy would silently lose data."""
    with virtuoso_server(max_rows=100) as small, remote_store("virtuoso", virtuoso=small) as store:
        refused = serve_once(*store.args, env=store.env)
    assert refused.returncode == 2
    # Each data file's graph is cut at 100 rows (and one: Virtuoso's off-by-one).
    cut = re.search(r"Not serving: the store gives back (\d+) of the (\d+) triples loaded", refused.stderr)
    assert cut and int(cut[1]) < int(cut[2]) and "ResultSetMaxRows" in refused.stderr


def test_data_that_virtuoso_would_give_back_changed_is_refused_at_start(virtuoso, tmp_path):
    """Virtuoso keeps an xsd:duration as seconds ("PT2H" comes back as "7200.0"): serving its
    copy would change the data."""
    extra = tmp_path / "extra.ttl"
    extra.write_text('<http://example.org/test-only> <http://example.org/lasts> '
                     '"PT2H"^^<http://www.w3.org/2001/XMLSchema#duration> .\n', encoding="utf-8")
    with remote_store("virtuoso", virtuoso=virtuoso) as store:
        refused = serve_once(*store.args, "--data", str(ROOT / "data"), "--data", str(extra), env=store.env)
    assert refused.returncode == 2, refused.stderr
    assert 'Not serving: the store changed 1 of the triples loaded, such as <http://example.org/test-only> ' \
           '<http://example.org/lasts> "PT2H"' in refused.stderr and '"7200.0"' in refused.stderr
