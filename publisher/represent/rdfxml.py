"""RDF/XML written in a fixed order (subjects, then predicates and objects, sorted).

rdflib's RDF/XML writers walk the store through sets, so two processes could write the same
graph differently; the static export and the app must agree byte for byte.
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_LOCAL_NAME = re.compile(r"[A-Za-z_][\w.-]*$")  # the longest such tail: after the last / # or :


def _local_name(predicate: str) -> re.Match | None:
    """The tail RDF/XML writes as the element's local name: the longest that is an XML name
    (a URN such as urn:publisher:limits:maxResultRows has one too); None when there is none."""
    found = _LOCAL_NAME.search(predicate)
    return found if found is not None and found.start() > 0 else None


def has_element_name(predicate: str) -> bool:
    """Whether RDF/XML can write `predicate`: validation refuses data with one it cannot."""
    return _local_name(predicate) is not None


@lru_cache(maxsize=4096)  # a few dozen predicates, met in every document
def _split(predicate: str) -> tuple[str, str]:
    """A predicate as namespace and local name (RDF/XML writes it as an element name)."""
    found = _local_name(predicate)
    if found is None:
        raise ValueError(f"no RDF/XML name for predicate {predicate}")
    return predicate[:found.start()], found.group()


def to_rdfxml(graph: Graph) -> bytes:
    known = {str(namespace): prefix for prefix, namespace in graph.namespaces()}
    prefixes: dict[str, str] = {RDF_NS: "rdf"}
    for namespace in sorted({_split(str(p))[0] for p in graph.predicates()}):
        if namespace not in prefixes:
            prefix = known.get(namespace)
            if not prefix or prefix in prefixes.values() or not _NCNAME.match(prefix):
                prefix = f"ns{len(prefixes)}"
            prefixes[namespace] = prefix
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    lines += [f"  xmlns:{prefix}={quoteattr(namespace)}" for namespace, prefix in
              sorted(prefixes.items(), key=lambda item: item[1])]
    lines[-1] += ">"
    for subject in sorted(set(graph.subjects())):
        about = (f"rdf:nodeID={quoteattr(str(subject))}" if isinstance(subject, BNode)
                 else f"rdf:about={quoteattr(str(subject))}")
        lines.append(f"  <rdf:Description {about}>")
        for predicate, obj in sorted(graph.predicate_objects(subject)):
            namespace, local = _split(str(predicate))
            name = f"{prefixes[namespace]}:{local}"
            if isinstance(obj, URIRef):
                lines.append(f"    <{name} rdf:resource={quoteattr(str(obj))}/>")
            elif isinstance(obj, BNode):
                lines.append(f"    <{name} rdf:nodeID={quoteattr(str(obj))}/>")
            else:
                literal: Literal = obj
                attribute = (f" xml:lang={quoteattr(literal.language)}" if literal.language else
                             f" rdf:datatype={quoteattr(str(literal.datatype))}" if literal.datatype else "")
                lines.append(f"    <{name}{attribute}>{escape(str(literal))}</{name}>")
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return ("\n".join(lines) + "\n").encode("utf-8")
