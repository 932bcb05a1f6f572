"""Checks made before a query runs: its length, its form, and no update or federation.

The decision is taken on the parsed query, never on tokens: rdflib's SPARQL parser reads it and
the parse tree is searched for SERVICE (the engine would open an outbound connection) and for
updates (the endpoint is read-only). Both are refused with a message saying why; a query the
parser cannot read is refused as a syntax error.

rdflib's parser is slow on hostile input (about 1 ms per term of a long expression, seconds for
20,000 characters) and recurses once per nesting level, so it runs in checker processes with a
deep stack and a time limit, never in the serving process; verdicts are remembered by digest.

Where rdflib and the engine (pyoxigraph) read the same text differently, the query is refused
before parsing: a carriage return without a line feed ends a comment for the engine only, and
rdflib expands `\\u` escapes everywhere while the engine expands them only in strings and IRIs.
The query processes cannot open sockets anyway (publisher.sparql.sandbox).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import queue
import re
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import accumulate

from publisher.sparql import QueryError

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
MAX_NESTING = 64  # brackets; real queries nest a handful deep
CHECK_SECONDS = 2.0  # the bench queries parse in 2-60 ms, on a busy machine too
CHECKERS = 1  # per serving process, ~40 MB each: verdicts are remembered, parses take milliseconds
REMEMBERED = 4096

SERVICE_REFUSED = "SERVICE (federated query) is not allowed: this endpoint never opens outbound connections."
UPDATE_REFUSED = "This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, …) is not accepted."

_LONE_CR = re.compile(r"\r(?!\n)")
# A superset of what rdflib expands (`\u` or `\U`, then 4 or 8 hex digits, case-insensitive).
_ESCAPE = re.compile(r"\\[uU]([0-9A-Fa-f]{4})([0-9A-Fa-f]{4})?")
_BRACKETS = re.compile(r"[(){}\[\]]")
_DEPTH_STEP = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


@dataclass(frozen=True)
class CheckedQuery:
    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def check(query: str, max_length: int) -> CheckedQuery:
    if len(query) > max_length:
        raise QueryError(413, f"The query is {len(query)} characters long; this endpoint accepts at most {max_length}.")
    refuse_ambiguities(query)
    verdict = _checkers().verdict(query)
    if verdict[0] == "syntax":
        raise QueryError(400, verdict[1])
    if verdict[2]:
        raise QueryError(403, SERVICE_REFUSED)
    if verdict[0] == "update":
        raise QueryError(403, UPDATE_REFUSED)
    return CheckedQuery(query, verdict[1])


def refuse_ambiguities(query: str) -> None:
    """Refuses (400) text that rdflib and the engine could parse differently, and nesting deeper
    than the checker is meant to follow."""
    if _LONE_CR.search(query):
        raise QueryError(400, "The query has a carriage return without a line feed; SPARQL parsers disagree on "
                              "whether it ends a comment, so this endpoint refuses it: end lines with a line feed.")
    for escape in _ESCAPE.finditer(query):
        # rdflib takes 8 digits where there are 8; the engine's \u takes 4.
        readings = {int(escape[1] + (escape[2] or ""), 16)} | ({int(escape[1], 16)} if escape[0][1] == "u" else set())
        if any(code < 0x80 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF for code in readings):
            raise QueryError(400, f"The query has the escape {escape[0]!r}, which SPARQL parsers read differently "
                                  "(an ASCII character, a surrogate or an ambiguous length); write the character "
                                  "itself.")
    depth = max(accumulate(_DEPTH_STEP[b] for b in _BRACKETS.findall(query)), default=0)
    if depth > MAX_NESTING:
        raise QueryError(400, f"The query nests brackets {depth} deep; this endpoint accepts at most {MAX_NESTING}.")


def parse_verdict(query: str) -> tuple:
    """What rdflib's parser reads in `query`: ("query", form, has SERVICE), ("update", None,
    has SERVICE) or ("syntax", message). Runs in a checker process."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        found = _names(parseQuery(query))
        return "query", next(FORMS[name] for name in found if name in FORMS), "ServiceGraphPattern" in found
    except ParseBaseException as error:
        refused = error
    except RecursionError:
        return "syntax", f"The query nests too deeply for this endpoint's parser (at most {MAX_NESTING} brackets)."
    except Exception as error:  # rdflib's parse actions raise plain exceptions, e.g. on a bad escape
        return "syntax", f"Query syntax error: {error}"
    try:
        update = parseUpdate(query)
        if "request" in update:  # an empty text (or a prologue alone) is an update of nothing
            return "update", None, "ServiceGraphPattern" in _names(update)
    except Exception:  # not an update either: report where the query stopped making sense
        pass
    if re.match(r"service\b", query[refused.loc:], re.IGNORECASE):  # rdflib stopped at a SERVICE
        return "query", None, True
    if not re.search(r"\b(select|ask|construct|describe)\b", query, re.IGNORECASE):
        return "syntax", "Not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE."
    return "syntax", f"Query syntax error at {refused.lineno}:{refused.col}: {refused.msg}"


def _names(tree) -> set[str]:
    """The names of all parse-tree nodes (rdflib's CompValue) under `tree`, without recursion:
    the tree of a deeply nested query is as deep as the query."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    found, pending = set(), [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, CompValue):
            found.add(node.name)
            pending.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            pending.extend(node)
    return found


def _checker_main(connection) -> None:
    """A checker process: answers each query text it receives with its verdict."""
    # Each nesting level costs rdflib ~20 frames; a thread with a large stack follows MAX_NESTING
    # levels and more, and an overflow ends only this process.
    sys.setrecursionlimit(200_000)
    threading.stack_size(64 << 20)

    def serve() -> None:
        parse_verdict("SELECT * WHERE { ?s ?p ?o FILTER(?o > 1) }")  # the first parse is slow
        connection.send("ready")
        while True:
            try:
                connection.send(parse_verdict(connection.recv()))
            except (EOFError, OSError):  # the serving process has gone
                return

    thread = threading.Thread(target=serve, name="publisher-sparql-checker")
    thread.start()
    thread.join()


class _Checkers:
    """Checker processes, started when first needed and replaced when one runs past the limit."""

    def __init__(self):
        self.pid = os.getpid()
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.LifoQueue = queue.LifoQueue()
        for _ in range(CHECKERS):
            self._idle.put(None)  # a free slot whose process is not started yet
        self._known: OrderedDict[bytes, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def verdict(self, query: str) -> tuple:
        key = hashlib.blake2b(query.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        with self._lock:
            if key in self._known:
                self._known.move_to_end(key)
                return self._known[key]
        found = self._ask(query)
        with self._lock:
            self._known[key] = found
            if len(self._known) > REMEMBERED:
                self._known.popitem(last=False)
        return found

    def _ask(self, query: str) -> tuple:
        try:
            slot = self._idle.get(timeout=CHECK_SECONDS * 2)
        except queue.Empty:
            raise QueryError(503, "The query checker is busy; try again shortly.") from None
        try:
            if slot is None:
                slot = self._start()
            connection = slot[1]
            connection.send(query)
            if connection.poll(CHECK_SECONDS):
                found = connection.recv()
                self._idle.put(slot)
                return found
            failure = QueryError(400, f"This endpoint could not check the query within {CHECK_SECONDS:g} s: "
                                      "it is too long or too complex for its parser; simplify it.")
        except (EOFError, OSError):
            failure = QueryError(503, "The query checker ended unexpectedly; try again shortly.")
        except BaseException:
            self._idle.put(slot)
            raise
        self._stop(slot)
        self._idle.put(None)
        raise failure

    def _start(self) -> tuple:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_checker_main, args=(child,), daemon=True,
                                         name="publisher-sparql-checker")
        process.start()
        child.close()
        try:
            if parent.poll(60) and parent.recv() == "ready":
                return process, parent
        except EOFError:
            pass
        self._stop((process, parent))
        raise OSError("the query checker did not start")

    @staticmethod
    def _stop(slot) -> None:
        if slot is not None:
            process, connection = slot
            process.kill()
            process.join(timeout=5)
            connection.close()


_shared: _Checkers | None = None
_shared_lock = threading.Lock()


def _checkers() -> _Checkers:
    global _shared
    with _shared_lock:
        if _shared is None or _shared.pid != os.getpid():  # processes are not shared across a fork
            _shared = _Checkers()
        return _shared
