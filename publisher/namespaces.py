"""The vocabularies the data and the publisher use, in one place."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

# schema.org's own JSON-LD context maps terms to http://schema.org/, so the data uses that form.
SCHEMA = Namespace("http://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
PS = Namespace("urn:publisher:shapes:")
DCT = DCTERMS

PREFIXES = {
    "schema": SCHEMA,
    "dct": DCT,
    "skos": SKOS,
    "xsd": XSD,
    "rdf": RDF,
    "rdfs": RDFS,
    "prov": PROV,
    "owl": OWL,
}

__all__ = ["SCHEMA", "SH", "PS", "DCT", "SKOS", "XSD", "RDF", "RDFS", "PROV", "OWL", "PREFIXES"]
