"""Deploying a broken data file loses nothing: the last valid data keeps serving, the log says why.
On the embedded store and in front of each remote store (`serve --store`: Oxigraph server, Virtuoso)."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from rdflib import Graph

from conftest import ROOT
from servers import server_master
from stores import REMOTE, serving

pytestmark = pytest.mark.slow  # each test deploys data to a server several times, waiting for it to reload

ORIGINAL = (ROOT / "data" / "event.ttl").read_text(encoding="utf-8")


# The event file's triples: its dump has a line each.
TRIPLES = len(Graph().parse(data=ORIGINAL, format="turtle", publicID="http://127.0.0.1/"))


# Where the data is served from: each worker's own store, or a remote store the workers share.
SETUPS = ["embedded", *REMOTE]


def dump(base: str) -> bytes:
    return requests.get(base + "dump.nt", timeout=30).content


def counted(base: str, text: str = "") -> int | str:
    """How many triples the SPARQL endpoint finds (those with `text` in their object), or its
    answer when it has none."""
    where = f'FILTER(CONTAINS(STR(?o), "{text}"))' if text else ""
    answer = requests.get(base + "sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o {where} }}",
                                                   "format": "csv"}, timeout=30)
    return int(answer.text.splitlines()[1]) if answer.status_code == 200 else f"{answer.status_code} {answer.text}"


def settle(seconds: float = 2.5) -> None:
    time.sleep(seconds)  # the watcher looks every 0.5 s and waits for the file to settle


def eventually(check, timeout: float = 60) -> bool:
    """Whether `check()` holds within `timeout` seconds: a reload validates, prepares and renders
    the new data before serving it, which takes longer on a busy machine."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


def snapshot_dirs(scratch) -> set[str]:
    """The snapshots' working directories of a server whose TMPDIR is `scratch` (in front of a
    remote store, with their copies of the store's data)."""
    return {path.name for kind in ("dumps", "store") for path in scratch.glob(f"publisher-serve-*/publisher-{kind}-*")}


def live_copy(tmp_path) -> tuple:
    """A data folder with a copy of the event file to deploy over, and where the server logs."""
    data = tmp_path / "data"
    data.mkdir()
    live = data / "event.ttl"
    shutil.copy(ROOT / "data" / "event.ttl", live)
    return data, live, tmp_path / "server.log"


@pytest.mark.parametrize("setup", SETUPS)
def test_bad_deployments_are_rejected_and_a_good_one_is_served(setup, request, tmp_path):
    data, live, log = live_copy(tmp_path)
    with serving(request, setup, "--data", str(data), "--reload-interval", "0.5", "--workers", "1", log=log) as base:
        before = dump(base)
        assert before.count(b"\n") == TRIPLES

        live.write_text(ORIGINAL.replace('schema:endDate "2017-11-17"^^xsd:date ;',
                                         'schema:endDate "2017-11-17"^^xsd:date'), encoding="utf-8")
        assert eventually(lambda: "Turtle syntax error" in log.read_text())
        assert dump(base) == before and "event.ttl:" in log.read_text()

        live.write_text(ORIGINAL[: len(ORIGINAL) // 2], encoding="utf-8")  # a truncated upload
        settle()
        assert dump(base) == before

        live.write_text(ORIGINAL.replace('schema:startDate "2017-11-16"^^xsd:date ;', ""), encoding="utf-8")
        assert eventually(lambda: "schema:startDate" in log.read_text())  # validated, then refused
        assert dump(base) == before and "still serving the last valid data" in log.read_text()

        # Replaced mid-write: half now, the rest a moment later; only the whole file is read.
        changed = ORIGINAL.replace("OPEN PLACES. A space for neighbourhood encounters", "OPEN PLACES (updated)")
        with live.open("w", encoding="utf-8") as handle:
            handle.write(changed[: len(changed) // 3])
            handle.flush()
            time.sleep(0.3)
            handle.write(changed[len(changed) // 3:])
        # In front of a remote store the worker is replaced: until the old one stops, either answers.
        assert eventually(lambda: all(b"OPEN PLACES (updated)" in dump(base) for _ in range(10)), timeout=90)
        after = dump(base)
        assert b"OPEN PLACES (updated)" in after and after.count(b"\n") == TRIPLES
        page = requests.get(base + "en/", timeout=30).text
        assert "OPEN PLACES (updated)" in page
        assert counted(base) == TRIPLES and counted(base, "OPEN PLACES (updated)") > 0


@pytest.mark.parametrize("setup", SETUPS)
def test_sighup_reloads_valid_data_and_refuses_invalid_data(setup, request, tmp_path):
    """Without file watching, SIGHUP to the server reloads; invalid data is refused first. A query
    during the reload finds all of the old data or all of the new, never part of it."""
    data, live, log = live_copy(tmp_path)
    # A short TMPDIR: the query workers' forkserver listens on a socket in it, and a socket's path
    # has at most 107 bytes (below pytest's tmp_path, SPARQL workers failed to start).
    scratch = Path(tempfile.mkdtemp(prefix="reload-"))
    request.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
    with serving(request, setup, "--data", str(data), "--reload-interval", "0", "--workers", "2",
                 env={"TMPDIR": str(scratch)}, log=log) as base:
        master = server_master(int(base.rsplit(":", 1)[1].strip("/")))
        before = dump(base)
        first = snapshot_dirs(scratch)
        live.write_text(ORIGINAL.replace('schema:startDate "2017-11-16"^^xsd:date ;', ""), encoding="utf-8")
        os.kill(master, signal.SIGHUP)
        assert eventually(lambda: "SIGHUP: data reload rejected" in log.read_text())
        assert "schema:startDate" in log.read_text()
        for _ in range(20):  # every worker still serves the last valid data
            assert dump(base) == before

        live.write_text(ORIGINAL.replace("OPEN PLACES. A space for neighbourhood encounters", "OPEN PLACES (hup)"),
                        encoding="utf-8")
        assert b"OPEN PLACES (hup)" not in dump(base)  # no watching: nothing changes by itself
        assert eventually(lambda: counted(base) == TRIPLES)  # query workers start on the first query
        counts, reloaded = [], threading.Event()
        reader = threading.Thread(target=lambda: [counts.append(counted(base)) for _ in iter(reloaded.is_set, True)])
        reader.start()
        os.kill(master, signal.SIGHUP)
        try:
            if setup == "embedded":
                # Granian replaces the workers one after the other: a new one starts, then the old stops.
                assert eventually(lambda: all(f"Stopped old worker-{n}" in log.read_text() for n in (1, 2)),
                                  timeout=120)
            else:  # the master loads the store, and each worker follows it: none is replaced
                assert eventually(lambda: all(b"OPEN PLACES (hup)" in dump(base) for _ in range(20)), timeout=120)
        finally:
            reloaded.set()
            reader.join()
        # A worker that is starting may be too busy to answer (503): that is no answer, not part of one.
        answers = [count for count in counts if isinstance(count, int)]
        assert answers and set(answers) == {TRIPLES}, counts
        assert all(count.startswith("503 ") for count in counts if not isinstance(count, int)), counts
        assert all(b"OPEN PLACES (hup)" in dump(base) for _ in range(20))  # every worker, new data
        assert counted(base, "OPEN PLACES (hup)") > 0  # and its queries read the new data
        if setup == "embedded":
            assert "SIGHUP: data valid, replacing the workers" in log.read_text()
            # A starting worker removes the files of workers that have ended: at most the last
            # replaced worker's files remain until the next start.
            assert len(snapshot_dirs(scratch) & first) <= 1 and len(snapshot_dirs(scratch)) <= 3
        else:
            assert "SIGHUP: data valid, loaded into the store; the workers follow it" in log.read_text()
            assert "Respawning" not in log.read_text()


@pytest.mark.parametrize("setup", SETUPS)
def test_reloads_and_shutdown_leave_no_snapshot_files_behind(setup, request, tmp_path):
    """Each snapshot writes its dumps and SPARQL store (or its copy of a remote store's data) to
    disk: a reload removes the old one's (once queries on it have had their time), stopping the
    server removes the rest."""
    data, live, log = live_copy(tmp_path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()

    with serving(request, setup, "--data", str(data), "--reload-interval", "0.5", "--workers", "1",
                 "--query-timeout", "1", env={"TMPDIR": str(scratch)}, log=log) as base:
        first = snapshot_dirs(scratch)
        assert first and requests.get(base + "dump.nt", timeout=30).status_code == 200
        live.write_text(ORIGINAL.replace("OPEN PLACES. A space for neighbourhood encounters", "OPEN PLACES (new)"),
                        encoding="utf-8")
        assert eventually(lambda: b"OPEN PLACES (new)" in dump(base))
        time.sleep(3)  # the old snapshot is kept for the query time-out + 1 s
        now = snapshot_dirs(scratch)
        assert now and not now & first and len(now) == len(first)
    assert list(scratch.iterdir()) == []
