"""Checks made on a query: its length, its form, and no update or federation.

The decision is taken on the parsed query, never on tokens: rdflib's SPARQL parser reads it and
the parse tree is searched for SERVICE (the engine would open an outbound connection), for
updates (the endpoint is read-only) and for IRIs in Virtuoso's `bif:` and `sql:` namespaces (on
a Virtuoso store they call its SQL functions and procedures, and name its free-text predicates).
FROM and FROM NAMED are refused too (400): the endpoint has one
dataset, and a shared store such as Virtuoso would add any graph they name, its own system
graphs included, to the query's. All are refused with a message saying why; a query the parser cannot read is refused as a syntax
error, and so are Virtuoso's other extensions (`define` pragmas such as `input:grab-…`, which
fetches URLs; `OPTION (…)`), which are not SPARQL.

rdflib's parser is slow on hostile input (about 1 ms per term of a long expression, seconds for
20,000 characters) and recurses once per nesting level, so the serving process only makes the
cheap checks (`precheck`: length, ambiguities, nesting); the parse (`judge`) is the first step of
the query's job in a worker process, under the query's own time limit, sandbox and fairness.

Where rdflib and the engine (pyoxigraph) read the same text differently, the query is refused
before parsing: a carriage return without a line feed ends a comment for the engine only, and
rdflib expands `\\u` escapes everywhere while the engine expands them only in strings and IRIs.
The query processes cannot open sockets anyway (publisher.sparql.sandbox).
"""

from __future__ import annotations

import re
from itertools import accumulate

from publisher.sparql import QueryError

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
MAX_NESTING = 64  # brackets; real queries nest a handful deep
# Built-in functions (rdflib's parse-tree names) whose value depends on when or how often the
# query runs: such a query's results are never cached.
VOLATILE = {"Builtin_NOW", "Builtin_RAND", "Builtin_UUID", "Builtin_STRUUID", "Builtin_BNODE"}

SERVICE_REFUSED = "SERVICE (federated query) is not allowed: this endpoint never opens outbound connections."
UPDATE_REFUSED = "This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, …) is not accepted."
DATASET_REFUSED = ("This endpoint has one default graph and no named graphs: FROM and FROM NAMED are not "
                   "supported; leave them out.")
# Virtuoso reads these namespaces as its SQL built-ins and stored procedures, whatever the query
# declares; refused on every engine, since no other gives them a meaning.
STORE_NAMESPACES = ("bif:", "sql:")
EXTENSION_REFUSED = ("{} is in a store's own namespace (Virtuoso's bif: and sql: call its SQL functions), "
                     "not SPARQL: this endpoint accepts standard SPARQL 1.1 only.")

_LONE_CR = re.compile(r"\r(?!\n)")
# A superset of what rdflib expands (`\u` or `\U`, then 4 or 8 hex digits, case-insensitive).
_ESCAPE = re.compile(r"\\[uU]([0-9A-Fa-f]{4})([0-9A-Fa-f]{4})?")
_BRACKETS = re.compile(r"[(){}\[\]]")
_DEPTH_STEP = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def precheck(query: str, max_length: int) -> None:
    """The checks cheap enough for the serving process: length (413), text that parsers read
    differently and nesting (400). The parse itself runs in the query worker (`judge`)."""
    if len(query) > max_length:
        raise QueryError(413, f"The query is {len(query)} characters long; this endpoint accepts at most {max_length}.")
    refuse_ambiguities(query)


def judge(query: str) -> tuple[str, bool]:
    """The query's form and whether its results may be cached; raises QueryError (400, 403) for
    what the endpoint refuses. Runs in a query worker."""
    verdict = parse_verdict(query)
    if verdict[0] == "syntax":
        raise QueryError(400, verdict[1])
    if verdict[2]:
        raise QueryError(403, SERVICE_REFUSED)
    if verdict[0] == "update":
        raise QueryError(403, UPDATE_REFUSED)
    if verdict[4]:
        raise QueryError(403, EXTENSION_REFUSED.format(verdict[4]))
    if verdict[5]:
        raise QueryError(400, DATASET_REFUSED)
    return verdict[1], not verdict[3]


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
    """What rdflib's parser reads in `query`: ("query", form, has SERVICE, is volatile, the first
    IRI in a store's own namespace or None, has FROM or FROM NAMED), ("update", None, has
    SERVICE, True) or ("syntax", message). Runs in a query worker, in a
    thread with a deep stack."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(query)
        found = _names(tree)
        return ("query", next(FORMS[name] for name in found if name in FORMS), "ServiceGraphPattern" in found,
                bool(found & VOLATILE), _store_extension(tree), "DatasetClause" in found)
    except ParseBaseException as error:
        refused = error
    except RecursionError:
        return "syntax", f"The query nests too deeply for this endpoint's parser (at most {MAX_NESTING} brackets)."
    except Exception as error:  # rdflib's parse actions raise plain exceptions, e.g. on a bad escape
        return "syntax", f"Query syntax error: {error}"
    try:
        update = parseUpdate(query)
        if "request" in update:  # an empty text (or a prologue alone) is an update of nothing
            return "update", None, "ServiceGraphPattern" in _names(update), True
    except Exception:  # not an update either: report where the query stopped making sense
        pass
    if re.match(r"service\b", query[refused.loc:], re.IGNORECASE):  # rdflib stopped at a SERVICE
        return "query", None, True, True, None, False
    if not re.search(r"\b(select|ask|construct|describe)\b", query, re.IGNORECASE):
        return "syntax", "Not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE."
    return "syntax", f"Query syntax error at {refused.lineno}:{refused.col}: {refused.msg}"


def _names(tree) -> set[str]:
    """The names of all parse-tree nodes (rdflib's CompValue) under `tree`."""
    from rdflib.plugins.sparql.parserutils import CompValue

    return {node.name for node in _nodes(tree) if isinstance(node, CompValue)}


def _store_extension(tree) -> str | None:
    """The first IRI (in a prefix or base declaration too) or prefixed name in Virtuoso's own
    namespaces (STORE_NAMESPACES), as written; None if there is none."""
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import CompValue

    for node in _nodes(tree):
        if isinstance(node, URIRef) and str(node).lower().startswith(STORE_NAMESPACES):
            return f"<{node}>"
        if isinstance(node, CompValue) and node.name == "pname" and f"{node['prefix']}:".lower() in STORE_NAMESPACES:
            return f"{node['prefix']}:{node['localname']}"
    return None


def _nodes(tree):
    """Every node under `tree`, rdflib's CompValue and the terms in them, without recursion: the
    tree of a deeply nested query is as deep as the query."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, CompValue):
            pending.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            pending.extend(node)
