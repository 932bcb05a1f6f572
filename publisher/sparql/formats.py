"""Result formats of the endpoint, by query form, with their media types and `format` names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResultFormat:
    key: str
    media_type: str
    names: tuple[str, ...]  # values of the `format` parameter that ask for it
    sd_iri: str  # how the service description names it (W3C formats registry)

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


F = "http://www.w3.org/ns/formats/"
HTML = ResultFormat("html", "text/html", ("html",), "")
SOLUTION_FORMATS = (
    ResultFormat("json", "application/sparql-results+json", ("json", "srj"), F + "SPARQL_Results_JSON"),
    ResultFormat("xml", "application/sparql-results+xml", ("xml", "srx"), F + "SPARQL_Results_XML"),
    ResultFormat("csv", "text/csv", ("csv",), F + "SPARQL_Results_CSV"),
    ResultFormat("tsv", "text/tab-separated-values", ("tsv",), F + "SPARQL_Results_TSV"),
)
GRAPH_FORMATS = (
    ResultFormat("turtle", "text/turtle", ("turtle", "ttl", "n3"), F + "Turtle"),
    ResultFormat("jsonld", "application/ld+json", ("jsonld", "json-ld", "json"), F + "JSON-LD"),
    ResultFormat("ntriples", "application/n-triples", ("ntriples", "nt", "n-triples"), F + "N-Triples"),
    ResultFormat("rdfxml", "application/rdf+xml", ("rdfxml", "rdf", "xml"), F + "RDF_XML"),
)
# Clients that ask for plain JSON or XML mean the usual results format of the query form.
SOLUTION_ALIASES = {"application/json": "application/sparql-results+json",
                    "application/xml": "application/sparql-results+xml",
                    "text/xml": "application/sparql-results+xml"}
# Turtle is valid N3, so clients asking for N3 (SPARQLWrapper's N3) get Turtle.
GRAPH_ALIASES = {"application/json": "application/ld+json", "application/xml": "application/rdf+xml",
                 "text/xml": "application/rdf+xml", "application/x-turtle": "text/turtle",
                 "application/turtle": "text/turtle", "text/n3": "text/turtle", "text/rdf+n3": "text/turtle"}


def formats_for(is_graph: bool) -> tuple[ResultFormat, ...]:
    return GRAPH_FORMATS if is_graph else SOLUTION_FORMATS


def by_name(name: str, is_graph: bool) -> ResultFormat | None:
    name = name.strip().lower()
    for fmt in formats_for(is_graph) + (HTML,):
        if name in fmt.names or name == fmt.media_type:
            return fmt
    return None
