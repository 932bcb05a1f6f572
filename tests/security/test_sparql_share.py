"""SPARQL cannot take the site down: its requests hold a bounded share of a serving process's
threads (a client that never sends its POST body included), and a query costly to parse is
parsed in a query worker, under the same limits and fairness as a costly run. Tried on a fresh
`publisher serve`, as an attacker would."""

from __future__ import annotations

import itertools
import random
import socket
import threading
import time

import pytest
import requests

from servers import free_port, publisher_server

THREADS = 8  # a serving process's threads; SPARQL may hold a third of them
SHARE = THREADS // 3
PAGE = "event/miejsca-otwarte-2017"
CSV = {"Accept": "text/csv"}


def costly_to_parse() -> str:
    """Seconds of rdflib's parser (about 1 ms a term), new each time so nothing remembers it."""
    return "SELECT * WHERE { FILTER(" + "+".join(["1"] * 2500) + f" > {random.randint(0, 10 ** 9)}) }}"


def a_body_that_never_arrives(port: int) -> socket.socket:
    """A POST whose headers promise a body that is never sent: the thread reading it would wait."""
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                       b"Accept: text/csv\r\nContent-Length: 100000\r\n\r\nASK")
    return connection


@pytest.mark.slow  # a real serve held by stalled connections
def test_bodies_that_never_arrive_hold_only_the_sparql_share_and_pages_keep_answering():
    port = free_port()
    with publisher_server("--workers", "1", "--threads", str(THREADS), "--reload-interval", "0", port=port) as base:
        assert requests.get(base + "sparql", params={"query": "ASK {}"}, headers=CSV, timeout=30).status_code == 200
        stalled = [a_body_that_never_arrives(port) for _ in range(SHARE + 3)]
        try:
            time.sleep(1)  # every stalled request has reached the server
            for _ in range(5):
                started = time.monotonic()
                assert requests.get(base + PAGE, timeout=10).status_code == 200
                assert time.monotonic() - started < 1
            refused = requests.get(base + "sparql", params={"query": "ASK {}"}, headers=CSV, timeout=10)
            assert refused.status_code == 503 and refused.headers["Retry-After"].isdigit()
            assert "try again" in refused.text
        finally:
            for connection in stalled:
                connection.close()
        time.sleep(1)  # the held places are given back once the connections close
        assert requests.get(base + "sparql", params={"query": "ASK {}"}, headers=CSV, timeout=30).status_code == 200


@pytest.mark.slow
def test_queries_costly_to_parse_leave_the_endpoint_to_small_queries_and_pages():
    """Four clients send costly-to-parse queries for ~10 s while another sends small new ones."""
    port = free_port()
    with publisher_server("--workers", "1", "--threads", "32", "--query-timeout", "3", "--reload-interval", "0",
                          port=port) as base:
        assert requests.get(base + "sparql", params={"query": "ASK {}"}, headers=CSV, timeout=30).status_code == 200
        stop = time.monotonic() + 10
        refusals: list[requests.Response] = []

        def attack() -> None:
            while time.monotonic() < stop:
                response = requests.post(base + "sparql", data=costly_to_parse(),
                                         headers={**CSV, "Content-Type": "application/sparql-query"}, timeout=30)
                if response.status_code != 200:
                    refusals.append(response)

        attackers = [threading.Thread(target=attack) for _ in range(4)]
        for thread in attackers:
            thread.start()
        time.sleep(1)  # the attack is under way
        small, pages = [], []
        for n in itertools.count(1):
            if time.monotonic() > stop - 1:
                break
            started = time.monotonic()
            response = requests.get(base + "sparql", params={"query": f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {n}"},
                                    headers=CSV, timeout=30)
            small.append(response.status_code == 200 and time.monotonic() - started < 2)
            started = time.monotonic()
            pages.append(requests.get(base + PAGE, timeout=30).status_code == 200 and time.monotonic() - started < 1)
            time.sleep(0.2)
        for thread in attackers:
            thread.join(timeout=60)
        print(f"small queries within 2 s: {sum(small)}/{len(small)}; pages within 1 s: {sum(pages)}/{len(pages)}; "
              f"costly queries refused: {len(refusals)}")
        assert len(small) >= 10
        assert sum(small) >= 0.9 * len(small), f"{sum(small)} of {len(small)} small queries answered within 2 s"
        assert all(pages), f"{pages.count(False)} of {len(pages)} pages slow or failed"
        assert refusals, "the costly queries were all answered: the attack did not cost anything"
        for response in refusals:
            assert response.status_code == 503 and response.headers["Retry-After"].isdigit(), response.text


@pytest.fixture
def app():
    """The app in this process, with its own query pool: (test client, its state)."""
    from publisher.web import create_app

    found = create_app()
    state = found.extensions["publisher"]
    yield found.test_client(), state
    state.close()


def test_a_refused_query_is_parsed_once_however_often_and_by_whichever_route_it_comes(app):
    client, state = app
    refused = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    for _ in range(3):  # the fast path answers these itself
        response = client.get("/sparql", query_string={"query": refused}, headers=CSV)
        assert response.status_code == 403 and "SERVICE" in response.text
    page = client.get("/sparql", query_string={"query": refused}, headers={"Accept": "text/html"})
    assert page.status_code == 403 and "SERVICE" in page.text
    assert state.query_pool().jobs_sent == 1


def test_a_query_asking_for_the_time_behind_a_comment_is_never_cached(app):
    client, state = app
    query = "SELECT ?now WHERE { BIND(NOW#c\n() AS ?now) }"
    answers = []
    for _ in range(2):
        response = client.get("/sparql", query_string={"query": query}, headers=CSV)
        assert response.status_code == 200
        answers.append(response.data)
        time.sleep(0.01)
    assert answers[0] != answers[1] and state.query_pool().jobs_sent == 2
