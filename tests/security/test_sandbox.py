"""The query sandbox alone, with the guard bypassed: a query worker cannot open a network
connection, whatever query it is given, and it keeps answering ordinary queries afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pyoxigraph as ox
import pytest

from conftest import BASE, ROOT
from publisher.sparql import QueryError
from publisher.sparql.pool import QueryPool
from publisher.sparql.sandbox import ALLOW_UNSANDBOXED
from publisher.sparql.worker import Job
from security.listener import Listener

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    """Three triples: what the sandbox refuses does not depend on the data."""
    path = tmp_path_factory.mktemp("sandbox") / "oxigraph"
    store = ox.Store(str(path))
    store.extend(ox.Quad(ox.NamedNode(f"http://e/{i}"), ox.NamedNode("http://e/p"), ox.Literal(i)) for i in range(3))
    store.flush()
    del store  # closed before a worker opens it read-only
    return path


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


def job(query: str) -> Job:
    """A job whose form is given, as for a query the pool remembers: the worker skips the guard's parse."""
    return Job(query=query, solution_key="csv", graph_key=None, max_rows=1000, base_iri=BASE, prefixes={},
               max_bytes=1 << 20, form="SELECT")


def run_python(code: str, env: dict | None = None) -> dict:
    """Runs `code` in a fresh interpreter (as a worker process is) and returns what it printed as JSON."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_inside_a_sandboxed_worker_no_socket_can_be_opened_and_its_pipes_still_work(listener):
    found = run_python(f"""
        import json, os, socket
        from publisher.sparql.worker import _enter_sandbox
        reader, writer = os.pipe()
        refused = _enter_sandbox()
        results = {{"refused": refused}}
        for name in ("AF_INET", "AF_INET6", "AF_UNIX"):
            try:
                socket.socket(getattr(socket, name), socket.SOCK_STREAM).close()
                results[name] = "opened"
            except OSError as error:
                results[name] = error.errno
        try:
            socket.create_connection(("127.0.0.1", {listener.port}), timeout=2).close()
            results["connect"] = "connected"
        except OSError as error:
            results["connect"] = error.errno
        os.write(writer, b"x")
        results["pipe"] = os.read(reader, 1).decode()
        print(json.dumps(results))
    """)
    assert found == {"refused": None, "AF_INET": 1, "AF_INET6": 1, "AF_UNIX": 1, "connect": 1, "pipe": "x"}
    assert listener.received == []


def test_a_service_query_run_by_a_worker_never_reaches_a_loopback_listener(store_path, listener):
    pool = QueryPool(str(store_path), size=1, timeout=20, queue_wait=60)
    try:
        for target in (listener.url, f"http://localhost:{listener.port}/sparql"):
            with pytest.raises(QueryError) as failed:
                pool.run(job(f"SELECT ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"))
            assert failed.value.status == 400 and "SECRET" not in failed.value.message
        # SILENT turns the failure into no rows; still nothing is sent anywhere.
        silent = pool.run(job(f"SELECT ?s WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}"))
        assert b"SECRET" not in silent.body and silent.body.strip() == b"s"
        # In a subquery it fails; in FILTER EXISTS the engine keeps going without the service.
        with pytest.raises(QueryError):
            pool.run(job(f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }} }} }}"))
        exists = pool.run(job(f"SELECT ?s WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }} }}"))
        assert b"SECRET" not in exists.body
        assert listener.received == []
        # The worker (or its replacement) answers the next ordinary query.
        assert pool.run(job(COUNT)).body.split() == [b"n", b"3"]
    finally:
        pool.close()


# Before the worker starts, a filter that refuses seccomp(2) itself: the kernel then refuses ours.
REFUSING_KERNEL = """
    import ctypes, json, multiprocessing, platform, struct, threading
    from publisher.sparql import worker
    seccomp_nr = {"x86_64": 317, "aarch64": 277}[platform.machine()]
    code = b"".join([struct.pack("HBBI", 0x20, 0, 0, 0),  # load the system call number
                     struct.pack("HBBI", 0x15, 0, 1, seccomp_nr),
                     struct.pack("HBBI", 0x06, 0, 0, 0x00050001),  # seccomp: EPERM
                     struct.pack("HBBI", 0x06, 0, 0, 0x7FFF0000)])  # anything else: allowed
    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    buffer = ctypes.create_string_buffer(code, len(code))
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
    assert libc.prctl(22, 2, ctypes.byref(Program(4, ctypes.cast(buffer, ctypes.c_void_p))), 0, 0) == 0
    parent, child = multiprocessing.Pipe()
    threading.Thread(target=worker.main, args=(child, STORE, 0, 0), daemon=True).start()
    first = parent.recv()  # Ready, or the Outcome that says why the worker does not start
    print(json.dumps({"ready": True} if isinstance(first, worker.Ready)
                     else {"ready": False, "status": first.status, "message": first.message}))
"""


def test_a_worker_refuses_to_start_when_the_kernel_refuses_the_sandbox(store_path):
    found = run_python(REFUSING_KERNEL.replace("STORE", repr(str(store_path))))
    assert found["ready"] is False and found["status"] == 503
    assert "sandbox could not be installed" in found["message"]


def test_running_without_the_sandbox_needs_the_documented_setting(store_path):
    found = run_python(REFUSING_KERNEL.replace("STORE", repr(str(store_path))), env={ALLOW_UNSANDBOXED: "1"})
    assert found == {"ready": True}


def test_the_app_never_runs_a_query_outside_the_sandbox_not_even_a_repeated_one(listener):
    from publisher.web import create_app
    app = create_app()
    state = app.extensions["publisher"]
    try:
        query = f"SELECT ?s WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}"
        for _ in range(3):  # the first is quick in a worker (the service fails at once), then remembered
            assert b"SECRET" not in state.query_pool().run(job(query)).body
        assert listener.received == []
    finally:
        state.close()
