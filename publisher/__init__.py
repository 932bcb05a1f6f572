"""Linked-open-data publisher: schema.org RDF, checked by SHACL, published over HTTP."""

__version__ = "0.1.0"
