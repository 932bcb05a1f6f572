"""Writing query results, counting rows and bytes as they stream so the limits hold in one pass.

SELECT results are written by pyoxigraph (JSON, XML, CSV, TSV, the W3C result formats), ASK
results here; graph results by pyoxigraph, or by the publisher's JSON-LD writer.
"""

from __future__ import annotations

import io
import json

import pyoxigraph as ox

from publisher.formats import by_key


class TooManyResults(Exception):
    def __init__(self, limit: int, unit: str):
        super().__init__(f"The result has more than {limit} {unit}, this endpoint's limit: "
                         f"add a LIMIT clause or narrow the query.")


class TooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"The result is larger than {limit} bytes, this endpoint's limit: add a LIMIT "
                         f"clause, select fewer or shorter values, or download the data dump.")


# The row limit is counted on TSV (one line a row), converted afterwards to the wanted format.
# TSV can be a few times larger than CSV (a typed literal is written in full), so it may use
# this multiple of the byte limit; the result as sent is held to the limit itself.
INTERMEDIATE_FACTOR = 4


def limited(items, limit: int, unit: str):
    for count, item in enumerate(items, start=1):
        if count > limit:
            raise TooManyResults(limit, unit)
        yield item


class _Capped(io.RawIOBase):
    """Collects what a writer writes and stops it once it passes `max_bytes` (the result's
    limit is `limit`, for the message) or, counting lines, `max_rows` rows after a header line
    (TSV: newlines inside literals are escaped)."""

    def __init__(self, max_bytes: int, limit: int, max_rows: int | None = None):
        super().__init__()
        self.max_bytes, self.limit, self.max_rows = max_bytes, limit, max_rows
        self.size, self.lines, self.chunks = 0, 0, []

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise TooLarge(self.limit)
        if self.max_rows is not None:
            self.lines += bytes(chunk).count(b"\n")
            if self.lines > self.max_rows + 1:
                raise TooManyResults(self.max_rows, "rows")
        self.chunks.append(bytes(chunk))
        return len(chunk)

    def value(self) -> bytes:
        return b"".join(self.chunks)


def write_solutions(solutions, key: str, max_rows: int, max_bytes: int) -> bytes:
    # pyoxigraph's own writers are several times faster than Python's. To keep the row limit
    # while streaming, the results go out as TSV (lossless terms) through a counter, and are
    # converted to the wanted format by pyoxigraph (the same bytes as written directly).
    tsv = _Capped(max_bytes if key == "tsv" else INTERMEDIATE_FACTOR * max_bytes, max_bytes, max_rows)
    solutions.serialize(tsv, format=ox.QueryResultsFormat.TSV)
    if key == "tsv":
        return tsv.value()
    written = _Capped(max_bytes, max_bytes)
    ox.parse_query_results(tsv.value(), format=ox.QueryResultsFormat.TSV).serialize(written, format=by_key(key).oxigraph)
    return written.value()


def write_boolean(value: bool, key: str) -> bytes:
    if key == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if key == "xml":
        return ('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode("utf-8")
    # CSV and TSV have no boolean form; a one-cell table is what common endpoints answer.
    return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode("utf-8") if key == "csv" \
        else f"?_askResult\n{'true' if value else 'false'}\n".encode("utf-8")


def write_triples(triples, key: str, max_triples: int, prefixes: dict[str, str], max_bytes: int) -> bytes:
    triples = limited(triples, max_triples, "triples")
    if key == "jsonld":
        # Same compact JSON-LD as the linked-data documents: parse the N-Triples into rdflib.
        from rdflib import Graph

        from publisher.jsonld import to_jsonld

        data = _Capped(INTERMEDIATE_FACTOR * max_bytes, max_bytes)
        ox.serialize(triples, data, format=ox.RdfFormat.N_TRIPLES)
        body = to_jsonld(Graph().parse(data=data.value(), format="nt"))
        if len(body) > max_bytes:
            raise TooLarge(max_bytes)
        return body
    written = _Capped(max_bytes, max_bytes)
    # Formats without prefixes (N-Triples) ignore them.
    ox.serialize(triples, written, format=by_key(key).oxigraph, prefixes=prefixes)
    return written.value()
