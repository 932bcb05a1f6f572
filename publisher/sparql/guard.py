"""Checks made before a query runs: its form, and no update or federation.

A small lexer drops comments, strings and IRIs, so keywords are seen only where SPARQL reads
them. SERVICE is refused because the engine would open an outbound connection; updates because
the endpoint is read-only. Both are refused before execution, with a message saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publisher.sparql import QueryError

# Order matters: long strings before short ones; IRIREF never contains spaces (SPARQL grammar).
_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*",
    re.DOTALL,
)
_WORD = re.compile(r"(?<![\w?$:@.-])([A-Za-z]+)(?![\w:-])")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


@dataclass(frozen=True)
class CheckedQuery:
    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def keywords(query: str) -> list[str]:
    return [word.upper() for word in _WORD.findall(_NOISE.sub(" ", query))]


def check(query: str, max_length: int) -> CheckedQuery:
    if len(query) > max_length:
        raise QueryError(413, f"The query is {len(query)} characters long; this endpoint accepts at most {max_length}.")
    words = keywords(query)
    if "SERVICE" in words:
        raise QueryError(403, "SERVICE (federated query) is not allowed: this endpoint never opens outbound connections.")
    form = next((w for w in words if w in QUERY_FORMS), None)
    first = next((w for w in words if w not in ("PREFIX", "BASE")), None)
    if first in UPDATE_WORDS or (form is None and UPDATE_WORDS & set(words)):
        raise QueryError(403, "This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, …) is not accepted.")
    if form is None:
        raise QueryError(400, "Not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE.")
    return CheckedQuery(query, form)
