"""A query worker process: it opens the store read-only and answers jobs from its pipe.

A job is the whole of a query's work: the guard's parse (publisher.sparql.guard.judge), the
choice of result format by the form found, the run and the writing. The parent kills a worker
that runs past the time limit, so a query costly to parse is stopped like a runaway one, and
moves a worker whose query has used its share of CPU to the idle scheduling class, so that it
yields the CPU to page requests. The worker caps its memory, joins the server's CPU bound
(publisher.sparql.cpu_bound) and dies with its parent.
"""

from __future__ import annotations

import ctypes
import logging
import os
import resource
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from publisher.sparql import is_graph_form
from publisher.sparql.cpu_bound import CpuGroup

PR_SET_PDEATHSIG = 1

log = logging.getLogger("publisher.sparql")


@dataclass(frozen=True)
class Job:
    query: str
    solution_key: str | None  # the result format for SELECT and ASK; None: not acceptable (406)
    graph_key: str | None  # for CONSTRUCT and DESCRIBE
    max_rows: int
    base_iri: str
    prefixes: dict
    max_bytes: int  # of the result as written: the worker stops writing past it
    # The form a worker found for this very text before (the pool remembers verdicts): the
    # parse is then skipped. None: the worker parses.
    form: str | None = None

    def format_for(self, form: str) -> str | None:
        return self.graph_key if is_graph_form(form) else self.solution_key


@dataclass(frozen=True)
class Outcome:
    ok: bool
    body: bytes = b""
    status: int = 200
    message: str = ""
    form: str | None = None  # as the parse found it; None when the query was refused
    cacheable: bool = False  # the results do not depend on when or how often the query runs


@dataclass(frozen=True)
class Ready:
    """A worker's first message once it can take jobs: the native id of the thread that runs them."""
    job_thread: int


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass  # not Linux: the pipe closing still ends an idle worker


def _enter_sandbox() -> str | None:
    """Makes this process unable to open any network connection; the reason it must not start
    if the kernel refuses (unless a setting explicitly allows running without the sandbox)."""
    from publisher.sparql import sandbox

    try:
        sandbox.install()
    except sandbox.SandboxUnavailable as error:
        if sandbox.allowed_without():
            log.warning("SPARQL worker runs WITHOUT its network sandbox (%s=1): %s", sandbox.ALLOW_UNSANDBOXED, error)
            return None
        log.error("SPARQL worker refuses to start: %s (set %s=1 to run without it)", error, sandbox.ALLOW_UNSANDBOXED)
        return f"the query sandbox could not be installed: {error}"
    return None


def main(connection, store_path: str | None, niceness: int, memory_limit: int, cpu_group: str | None = None) -> None:
    _die_with_parent()
    if cpu_group is not None:  # first, so that all this start costs is within the bound
        try:
            CpuGroup(Path(cpu_group)).join(os.getpid())
        except OSError as error:  # e.g. the server is stopping and removed it
            log.warning("SPARQL worker runs outside its CPU bound %s: %s", cpu_group, error)
    # Before any other thread starts, so that all of them (the engine's too) inherit it: no
    # renicing from outside. Measured: reaping a worker whose threads had all been reniced to 19
    # cost its fork server ~30 ms of CPU (the kernel flushing their /proc entries while they
    # exit slowly), ~3 ms for one born at niceness 0.
    if os.getpriority(os.PRIO_PROCESS, 0) < niceness:
        os.nice(niceness - os.getpriority(os.PRIO_PROCESS, 0))
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    import pyoxigraph as ox

    try:  # no store: a worker that only parses, for a store elsewhere (publisher.store.remote)
        store = ox.Store.read_only(store_path) if store_path is not None else None
    except (OSError, RuntimeError) as error:  # e.g. the snapshot was retired while this started
        connection.send(Outcome(ok=False, status=503, message=f"the store could not be opened: {error}"))
        return
    refused = _enter_sandbox()
    if refused:
        connection.send(Outcome(ok=False, status=503, message=refused))
        return
    # Each nesting level costs rdflib's parser ~20 frames: jobs run in a thread with a large
    # stack, so that it follows the nesting the guard allows and more; an overflow ends only
    # this process, which the pool replaces.
    sys.setrecursionlimit(200_000)
    threading.stack_size(64 << 20)
    thread = threading.Thread(target=_serve, args=(connection, store), name="publisher-sparql-job")
    thread.start()
    thread.join()


def _serve(connection, store) -> None:
    connection.send(Ready(threading.get_native_id()))
    while True:
        try:
            job: Job = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send(answer(store, job))
        except (BrokenPipeError, OSError):
            return


def answer(store, job: Job) -> Outcome:
    """The job's results from `store`, or the error to answer with; without a store, what the
    guard's parse found (the form), or the refusal."""
    # Imported here, not with this module (which serving processes import for Job): the fork
    # server has it loaded already, and any other worker imports it once its memory is capped.
    from publisher.sparql import QueryError
    from publisher.sparql.formats import not_acceptable
    from publisher.sparql.guard import judge
    from publisher.sparql.results import TooLarge, TooManyResults, write_boolean, write_solutions, write_triples

    # With a remembered form the pool knows whether the result is cacheable; else the parse says.
    form, cacheable = job.form, False
    if form is None:
        try:
            form, cacheable = judge(job.query)
        except QueryError as refused:
            return Outcome(ok=False, status=refused.status, message=refused.message)
    known = {"form": form, "cacheable": cacheable}
    if store is None:
        return Outcome(ok=True, **known)
    format_key = job.format_for(form)
    if format_key is None:
        return Outcome(ok=False, status=406, message=not_acceptable(form), **known)
    try:
        result = store.query(job.query, base_iri=job.base_iri)
        if form == "ASK":
            body = write_boolean(bool(result), format_key)
        elif form == "SELECT":
            body = write_solutions(result, format_key, job.max_rows, job.max_bytes)
        else:
            body = write_triples(result, format_key, job.max_rows, job.prefixes, job.max_bytes)
        return Outcome(ok=True, body=body, **known)
    except SyntaxError as error:
        return Outcome(ok=False, status=400, message=f"Query syntax error: {error}", **known)
    except (TooManyResults, TooLarge) as error:
        return Outcome(ok=False, status=400, message=str(error), **known)
    except MemoryError:
        return Outcome(ok=False, status=503, message="The query needed more memory than this endpoint allows.", **known)
    except Exception as error:  # an engine error on this query; the worker stays usable
        return Outcome(ok=False, status=400, message=f"The query could not be evaluated: {error}", **known)
