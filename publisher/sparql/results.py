"""Writing query results, counting rows as they stream so the size limit holds in one pass.

SELECT results are written by pyoxigraph (JSON, XML, CSV, TSV, the W3C result formats), ASK
results here; graph results by pyoxigraph, or by the publisher's JSON-LD writer.
"""

from __future__ import annotations

import io
import json

import pyoxigraph as ox

class TooManyResults(Exception):
    def __init__(self, limit: int, unit: str):
        super().__init__(f"The result has more than {limit} {unit}, this endpoint's limit: "
                         f"add a LIMIT clause or narrow the query.")


def limited(items, limit: int, unit: str):
    for count, item in enumerate(items, start=1):
        if count > limit:
            raise TooManyResults(limit, unit)
        yield item


RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                  "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


class _RowCounter(io.RawIOBase):
    """Collects TSV results and stops the serialiser once they pass the row limit: TSV has a
    header line, then one line a row (newlines inside literals are escaped)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.lines, self.chunks = limit, 0, []

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit + 1:
            raise TooManyResults(self.limit, "rows")
        self.chunks.append(bytes(chunk))
        return len(chunk)


def write_solutions(solutions, key: str, max_rows: int | None) -> bytes:
    """`max_rows` None: the rows are known to be within the limit, and are not counted."""
    if max_rows is None:
        return solutions.serialize(format=RESULT_FORMATS[key])
    # pyoxigraph's own writers are several times faster than Python's. To keep the row limit
    # while streaming, the results go out as TSV (lossless terms) through a counter, and are
    # converted to the wanted format by pyoxigraph (the same bytes as written directly).
    counter = _RowCounter(max_rows)
    solutions.serialize(counter, format=ox.QueryResultsFormat.TSV)
    tsv = b"".join(counter.chunks)
    if key == "tsv":
        return tsv
    return ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=RESULT_FORMATS[key])


def write_boolean(value: bool, key: str) -> bytes:
    if key == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if key == "xml":
        return ('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode("utf-8")
    # CSV and TSV have no boolean form; a one-cell table is what common endpoints answer.
    return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode("utf-8") if key == "csv" \
        else f"?_askResult\n{'true' if value else 'false'}\n".encode("utf-8")


OX_GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}


def write_triples(triples, key: str, max_triples: int | None, prefixes: dict[str, str]) -> bytes:
    if max_triples is not None:
        triples = limited(triples, max_triples, "triples")
    if key in OX_GRAPH_FORMATS:
        return ox.serialize(triples, format=OX_GRAPH_FORMATS[key],
                            prefixes=prefixes if key != "ntriples" else None) or b""
    if key == "jsonld":
        # Same compact JSON-LD as the linked-data documents: parse the N-Triples into rdflib.
        from rdflib import Graph

        from publisher.represent.jsonld import to_jsonld

        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        return to_jsonld(Graph().parse(data=data, format="nt"))
    raise ValueError(key)
