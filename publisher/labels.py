"""Choosing the text to show for a node: its label in the reader's language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import pyoxigraph as ox
from rdflib import Graph, Literal

from rdflib.namespace import FOAF, RDFS

from publisher.namespaces import DCT, SCHEMA, SKOS

# The publication's own resources (DCAT, VoID, FOAF) are named with dct:title or foaf:name.
LABEL_PROPERTIES = (SCHEMA.name, SKOS.prefLabel, SCHEMA.roleName, DCT.title, FOAF.name, RDFS.label)


# The site's default language while a page of the site is rendered (`site_default`): a page in
# a language the data rarely has (Ukrainian) then shows the default's labels, not any.
_SITE_DEFAULT: ContextVar[str | None] = ContextVar("site_default", default=None)


@contextmanager
def site_default(lang: str) -> Iterator[None]:
    token = _SITE_DEFAULT.set(lang)
    try:
        yield
    finally:
        _SITE_DEFAULT.reset(token)


def pick_literal(values, lang: str):
    """The literal in `lang`, else one without a language, else in the site's default language
    (while a page is rendered), else any (so nothing is hidden). rdflib's literals or
    pyoxigraph's (read from a store, they need no conversion first).

    Sorted first: a store returns values in no fixed order, and the choice must not vary."""
    literals = sorted((v for v in values if isinstance(v, (Literal, ox.Literal))),
                      key=lambda v: (v.language or "", v.value if isinstance(v, ox.Literal) else str(v)))
    for wanted in (lang, None, _SITE_DEFAULT.get()):
        for literal in literals:
            if literal.language == wanted:
                return literal
    return literals[0] if literals else None


def label_literals(graph: Graph, node) -> tuple[Literal, ...]:
    """The literals of the first label property `node` has: those `label` chooses among."""
    for predicate in LABEL_PROPERTIES:
        literals = tuple(v for v in graph.objects(node, predicate) if isinstance(v, Literal))
        if literals:
            return literals
    return ()


def label(graph: Graph, node, lang: str) -> str | None:
    literal = pick_literal(label_literals(graph, node), lang)
    return None if literal is None else str(literal)
