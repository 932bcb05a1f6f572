"""Representations: one renderer per format, registered by media type and file extension."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    key: str
    extension: str
    media_type: str
    label: str
    rdf: bool = True

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


HTML = Format("html", "html", "text/html", "HTML", rdf=False)
TURTLE = Format("turtle", "ttl", "text/turtle", "Turtle")
JSONLD = Format("jsonld", "jsonld", "application/ld+json", "JSON-LD")
NTRIPLES = Format("ntriples", "nt", "application/n-triples", "N-Triples")
RDFXML = Format("rdfxml", "rdf", "application/rdf+xml", "RDF/XML")

# The order is the server's preference when a client accepts several equally (e.g. */*).
FORMATS = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)
RDF_FORMATS = tuple(f for f in FORMATS if f.rdf)
BY_EXTENSION = {f.extension: f for f in FORMATS}
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}
# Types clients use for a format we offer under its registered name.
ALIASES = {"application/json": JSONLD.media_type, "application/xml": RDFXML.media_type,
           "text/xml": RDFXML.media_type, "application/x-turtle": TURTLE.media_type,
           "text/n3": TURTLE.media_type}
