"""Writing query results, counting rows as they stream so the size limit holds in one pass.

SELECT and ASK results are written here (JSON, XML, CSV, TSV, W3C result formats); graph
results are serialised by pyoxigraph, or by the publisher's JSON-LD writer.
"""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class TooManyResults(Exception):
    def __init__(self, limit: int, unit: str):
        super().__init__(f"The result has more than {limit} {unit}, this endpoint's limit: "
                         f"add a LIMIT clause or narrow the query.")


def limited(items, limit: int, unit: str):
    for count, item in enumerate(items, start=1):
        if count > limit:
            raise TooManyResults(limit, unit)
        yield item


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        entry = {"type": "literal", "value": term.value}
        if term.language:
            entry["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            entry["datatype"] = term.datatype.value
        return entry
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate), "object": _json_term(term.object)}}


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if hasattr(term, "value") else str(term)


def write_solutions(solutions, key: str, max_rows: int) -> bytes:
    variables = [v.value for v in solutions.variables]
    rows = limited(solutions, max_rows, "rows")
    if key == "json":
        bindings = [{name: _json_term(row[name]) for name in variables if row[name] is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if key == "xml":
        out = ['<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head><results>"]
        for row in rows:
            cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
                            for v in variables if row[v] is not None)
            out.append(f"<result>{cells}</result>")
        out.append("</results></sparql>\n")
        return "\n".join(out).encode("utf-8")
    if key == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_value(row[v]) for v in variables])
        return buffer.getvalue().encode("utf-8")
    if key == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        for row in rows:
            lines.append("\t".join("" if row[v] is None else str(row[v]) for v in variables))
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(key)


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


def write_triples(triples, key: str, max_triples: int, prefixes: dict[str, str]) -> bytes:
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
