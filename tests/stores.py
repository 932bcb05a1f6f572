"""Remote triple stores for `serve --store` tests: real engines on 127.0.0.1, stopped afterwards.

`remote_store(engine)` starts one and says how to put the app in front of it; the suites that
run on a remote store are parametrised over `ENGINES`.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import NamedTuple

import pytest

from servers import free_port, oxigraph_server, publisher_server, stop, wait_until_up

ENGINES = ["oxigraph", "virtuoso"]
VIRTUOSO = "/usr/bin/virtuoso-t"  # Debian's virtuoso-opensource (scripts/test.sh installs it)
ISQL = "/usr/bin/isql-vt"


class Virtuoso(NamedTuple):
    query_url: str
    user: str  # may write through the Graph Store Protocol
    password: str
    folder: Path  # its database and logs

    def requests_received(self) -> list[str]:
        """The lines of its HTTP access log (HTTPLogFile; it puts the date in the name): one a request."""
        return [line for log in sorted(self.folder.glob("http*.log"))
                for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]

    def queries_received(self) -> list[str]:
        """The requests to its SPARQL endpoint; not those to its Graph Store endpoint, where the
        app's workers look for a new load every few seconds."""
        return [line for line in self.requests_received() if re.search(r'"(GET|POST) /sparql[ ?]', line)]


class Store(NamedTuple):
    args: tuple  # what `publisher serve` is given
    env: dict  # and its environment: the store's credentials


REMOTE = [pytest.param(f"remote-{engine}", marks=pytest.mark.slow) for engine in ENGINES]  # each a real store


@contextmanager
def remote_store(engine: str, timeout_s: float = 10, virtuoso: tuple | None = None):
    """The engine's server (for Virtuoso, the one given, else a new one), and how to serve in
    front of it (Store)."""
    if engine == "oxigraph":
        with oxigraph_server(timeout_s=timeout_s) as query_url:
            yield Store(("--store", query_url), {})
    elif engine == "virtuoso":
        with (nullcontext(virtuoso) if virtuoso else virtuoso_server(timeout_s=timeout_s)) as found:
            yield Store(("--store", found.query_url, "--store-engine", "virtuoso"),
                        {"PUBLISHER_STORE_USER": found.user, "PUBLISHER_STORE_PASSWORD": found.password})
    else:
        raise ValueError(engine)


@contextmanager
def served(request, app: str):
    """For a suite parametrised over the app and REMOTE: the session's app, or the session's app
    in front of the remote store that the param names."""
    yield shared_app_on_store(request, request.param) if request.param.startswith("remote-") else app


def shared_app_on_store(request, param: str) -> str:
    """The app with the default options in front of the engine that a param of REMOTE names, one
    per engine for the session's modules that only read (conftest's `shared`): its base URL."""
    return request.getfixturevalue("shared").get(("serve on", param), lambda: app_on_store(request, param))


@contextmanager
def app_on_store(request, param: str, *args: str, env: dict | None = None, log: Path | None = None):
    """`publisher serve --store` in front of the engine that a param of REMOTE names: a new
    Oxigraph server, or the session's Virtuoso (one per session: it takes seconds to start; each
    app loads its data into graphs of its own). Yields the app's base URL."""
    engine = param.removeprefix("remote-")
    virtuoso = request.getfixturevalue("virtuoso") if engine == "virtuoso" else None
    with (remote_store(engine, virtuoso=virtuoso) as store,
          publisher_server(*store.args, *args, env={**store.env, **(env or {})}, log=log) as base):
        yield base


@contextmanager
def serving(request, param: str, *args: str, env: dict | None = None, log: Path | None = None):
    """For a test parametrised over "embedded" and REMOTE: `publisher serve` with these options,
    on its embedded store or in front of the remote store that the param names."""
    if param == "embedded":
        with publisher_server(*args, env=env, log=log) as base:
            yield base
    else:
        with app_on_store(request, param, *args, env=env, log=log) as base:
            yield base


def virtuoso_ini(folder: Path, sql_port: int, http_port: int, timeout_s: float, max_rows: int) -> str:
    """A private instance: its database in `folder`, listening on 127.0.0.1 only."""
    return f"""[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {folder}
; One thread a query: a runaway holds one core, not every core of a small machine.
ThreadsPerQuery = 1

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
Charset = UTF-8
HTTPLogFile = {folder}/http.log

[SPARQL]
; The engine's own bounds: a query is stopped after this many seconds, a result cut at this many
; rows. The app reads its copy of the data through the Graph Store Protocol, which this cuts too:
; at least the data's triples (the app refuses results beyond its own row limit itself).
MaxQueryExecutionTime = {timeout_s:g}
ResultSetMaxRows = {max_rows}
"""


@contextmanager
def virtuoso_server(timeout_s: float = 10, max_rows: int = 1_000_000):
    """Virtuoso (`virtuoso-t +foreground`) with its own ini and database in a temporary folder,
    never the system service. Yields a Virtuoso: its query URL and a user that may write through
    the Graph Store Protocol (a fresh password: the `dba` account is not what the app uses)."""
    assert Path(VIRTUOSO).exists(), "Virtuoso is missing: scripts/test.sh installs Debian's virtuoso-opensource"
    folder = Path(tempfile.mkdtemp(prefix="publisher-virtuoso-"))
    sql_port, http_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(virtuoso_ini(folder, sql_port, http_port, timeout_s, max_rows))
    process = subprocess.Popen([VIRTUOSO, "+configfile", str(folder / "virtuoso.ini"), "+foreground"], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{http_port}/sparql", process, timeout=300)
        user, password = "publisher", secrets.token_hex(12)
        isql(sql_port, f"DB.DBA.USER_CREATE('{user}', '{password}');", f"GRANT SPARQL_UPDATE TO \"{user}\";",
             # A fresh instance's administrator has the well-known password: not on this one.
             f"USER_PASSWORD_SET('dba', '{secrets.token_hex(12)}');")
        yield Virtuoso(f"http://127.0.0.1:{http_port}/sparql", user, password, folder)
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def isql(port: int, *statements: str) -> None:
    """Runs SQL statements as `dba` (the fresh database's password) with Virtuoso's isql, once
    its SQL listener answers (a moment after the HTTP one)."""
    deadline = time.monotonic() + 60
    while _isql(port, "SELECT 1;").returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError(f"Virtuoso's SQL port {port} did not answer in 60 s")
        time.sleep(0.5)
    done = _isql(port, *statements)
    if done.returncode != 0 or "Error" in done.stdout:
        raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")


def _isql(port: int, *statements: str) -> subprocess.CompletedProcess:
    return subprocess.run([ISQL, f"127.0.0.1:{port}", "dba", "dba", "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF",
                           "ERRORS=STDOUT", f"EXEC={' '.join(statements)}"], capture_output=True, text=True, timeout=60)
