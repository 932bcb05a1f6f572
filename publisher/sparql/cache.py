"""Results of repeated queries, kept in the serving process: answered again without running anything.

A snapshot never changes, so the same query on the same snapshot has the same answer: a cached
result is what a worker would write again. Only the result bytes are kept, never a way to run
the query here. Queries whose answer depends on when or how often they run (NOW(), RAND(),
UUID(), STRUUID(), BNODE(), as the worker's parse finds them) are not cached, nor are errors. Bounded in bytes, least recently
used first out.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from publisher.sparql.worker import Job

# What an entry costs besides its bytes (key, bookkeeping), so that many tiny results are bounded too.
ENTRY_OVERHEAD = 256


def digest_of(query: str) -> bytes:
    """A query by digest (it may be 20,000 characters); any text, lone surrogates too."""
    return hashlib.blake2b(query.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def key_of(snapshot: str, digest: bytes, job: Job) -> tuple:
    """Everything the result's bytes depend on: the formats for both forms, since the form
    is the worker's to find."""
    return snapshot, digest, job.solution_key, job.graph_key, job.max_rows, job.max_bytes, job.base_iri


class ResultCache:
    """At most `max_bytes` of results; one larger than `max_bytes // 16` is not kept, so that a
    few large results cannot push out the many small ones."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.max_entry = max_bytes, max_bytes // 16
        self.size = 0
        self._entries: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: tuple, body: bytes) -> None:
        if len(body) > self.max_entry:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = body
            self.size += len(body) + ENTRY_OVERHEAD
            while self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped) + ENTRY_OVERHEAD

    def discard(self, snapshot: str) -> None:
        """Drop the results of a snapshot no longer served."""
        with self._lock:
            for key in [key for key in self._entries if key[0] == snapshot]:
                self.size -= len(self._entries.pop(key)) + ENTRY_OVERHEAD
