"""Every format the publisher writes, in one table: documents, dumps and SPARQL results.

A format is one entry of FORMATS; every other list of formats is read from it: negotiation (the
app's, and nginx's through negotiate.js), the URLs and files of documents, the dumps, VoID's
void:feature, the catalog's distributions, the nginx MIME types, OpenAPI and the SPARQL service
description. Its writer is named by `key`: publisher.represent.rdf resolves it to a serializer of
documents, publisher.sparql.results to a writer of query results (heavy imports stay there).

Solution formats (SELECT and ASK results) are entries too, of another use: they have what a
document format has (a media type, aliases, a W3C format IRI, an oxigraph writer), and the
endpoint, OpenAPI and the service description list them beside the graph formats.

This module imports nothing of the publisher, so that every layer may read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

W3C = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    key: str  # names its writers (serializer, results writer); unique in FORMATS
    media_type: str
    label: str  # its name for people: links, distribution titles, the catalog's file-type label
    extension: str = ""  # of its documents and dump files
    iri: str = ""  # in the W3C formats registry (void:feature, sd:resultFormat)
    aliases: tuple[str, ...] = ()  # other media types clients ask for it by (application/json)
    endpoint_aliases: tuple[str, ...] = ()  # more that only the SPARQL endpoint accepts
    names: tuple[str, ...] = ()  # values of the endpoint's `format` parameter that ask for it
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None = None  # pyoxigraph's writer of it
    file_type: str = ""  # the EU file type (publications.europa.eu/resource/authority/file-type/…)
    rdf: bool = True
    quads: bool = False  # names each statement's graph (publisher.quads)
    # What it is offered for: resource documents, the whole-graph dumps, each data file's own
    # download, CONSTRUCT and DESCRIBE results, SELECT and ASK results.
    document: bool = False
    dump: bool = False
    part: bool = False
    graph_result: bool = False
    solution: bool = False

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    def __reduce__(self):
        # Pickled by key (snapshots are prepared in a child process): pyoxigraph's formats do not
        # pickle, and the copy is the registry's own object, so `fmt is TURTLE` still holds.
        return by_key, (self.key,)


HTML = Format("html", "text/html", "HTML", "html", names=("html",), rdf=False, document=True)
TURTLE = Format("turtle", "text/turtle", "Turtle", "ttl", W3C + "Turtle",
                aliases=("application/x-turtle", "text/n3"),
                # Turtle is valid N3, so clients asking for N3 (SPARQLWrapper's N3) get Turtle.
                endpoint_aliases=("application/turtle", "text/rdf+n3"), names=("turtle", "ttl", "n3"),
                oxigraph=ox.RdfFormat.TURTLE, file_type="RDF_TURTLE",
                document=True, dump=True, part=True, graph_result=True)
JSONLD = Format("jsonld", "application/ld+json", "JSON-LD", "jsonld", W3C + "JSON-LD", aliases=("application/json",),
                names=("jsonld", "json-ld", "json"), oxigraph=ox.RdfFormat.JSON_LD, file_type="JSON_LD",
                document=True, dump=True, graph_result=True)
NTRIPLES = Format("ntriples", "application/n-triples", "N-Triples", "nt", W3C + "N-Triples",
                  names=("ntriples", "nt", "n-triples"), oxigraph=ox.RdfFormat.N_TRIPLES, file_type="RDF_N_TRIPLES",
                  document=True, dump=True, part=True, graph_result=True)
RDFXML = Format("rdfxml", "application/rdf+xml", "RDF/XML", "rdf", W3C + "RDF_XML",
                aliases=("application/xml", "text/xml"), names=("rdfxml", "rdf", "xml"),
                oxigraph=ox.RdfFormat.RDF_XML, file_type="RDF_XML", document=True, graph_result=True)
# Quads, each in the graph of the data file's dataset that describes its subject (the catalog's
# datasets; the default graph when there is one file): quad-aware clients ask for N-Quads first,
# TriG second.
NQUADS = Format("nquads", "application/n-quads", "N-Quads", "nq", W3C + "N-Quads",
                oxigraph=ox.RdfFormat.N_QUADS, file_type="RDF_N_QUADS", quads=True, document=True, dump=True)
TRIG = Format("trig", "application/trig", "TriG", "trig", W3C + "TriG",
              oxigraph=ox.RdfFormat.TRIG, file_type="RDF_TRIG", quads=True, document=True, dump=True)
# Clients that ask the endpoint for plain JSON or XML mean the usual results format of the query form.
SPARQL_JSON = Format("json", "application/sparql-results+json", "SPARQL JSON", iri=W3C + "SPARQL_Results_JSON",
                     aliases=("application/json",), names=("json", "srj"), oxigraph=ox.QueryResultsFormat.JSON,
                     rdf=False, solution=True)
SPARQL_XML = Format("xml", "application/sparql-results+xml", "SPARQL XML", iri=W3C + "SPARQL_Results_XML",
                    aliases=("application/xml", "text/xml"), names=("xml", "srx"), oxigraph=ox.QueryResultsFormat.XML,
                    rdf=False, solution=True)
SPARQL_CSV = Format("csv", "text/csv", "CSV", iri=W3C + "SPARQL_Results_CSV", names=("csv",),
                    oxigraph=ox.QueryResultsFormat.CSV, rdf=False, solution=True)
SPARQL_TSV = Format("tsv", "text/tab-separated-values", "TSV", iri=W3C + "SPARQL_Results_TSV",
                    names=("tsv",), oxigraph=ox.QueryResultsFormat.TSV, rdf=False, solution=True)

# The order is the server's preference when a client accepts several equally (e.g. */*): a new
# format goes at the end of its kind, so that no client that is answered today gets another.
FORMATS = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML, NQUADS, TRIG, SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)

_BY_KEY = {fmt.key: fmt for fmt in FORMATS}
DOCUMENT_FORMATS = tuple(fmt for fmt in FORMATS if fmt.document)
RDF_DOCUMENT_FORMATS = tuple(fmt for fmt in DOCUMENT_FORMATS if fmt.rdf)
DUMP_FORMATS = tuple(fmt for fmt in FORMATS if fmt.dump)
PART_FORMATS = tuple(fmt for fmt in FORMATS if fmt.part)
GRAPH_RESULT_FORMATS = tuple(fmt for fmt in FORMATS if fmt.graph_result)
SOLUTION_FORMATS = tuple(fmt for fmt in FORMATS if fmt.solution)

BY_EXTENSION = {fmt.extension: fmt for fmt in DOCUMENT_FORMATS}
BY_MEDIA_TYPE = {fmt.media_type: fmt for fmt in DOCUMENT_FORMATS}
# A type a client asks for → the document format's own type that serves it.
ALIASES = {alias: fmt.media_type for fmt in DOCUMENT_FORMATS for alias in fmt.aliases}


def by_key(key: str) -> Format:
    return _BY_KEY[key]
