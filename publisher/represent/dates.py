"""Dates as a page says them, in the page's language (Babel's long form)."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from rdflib import Graph, Literal, URIRef

from publisher.i18n import babel_locale
from publisher.namespaces import SCHEMA


def format_date_literal(literal: Literal, lang: str) -> str:
    value = literal.toPython()
    if isinstance(value, (date, datetime)):
        return format_date(value, format="long", locale=babel_locale(lang))
    return str(literal)


def date_range(graph: Graph, event: URIRef, lang: str) -> str:
    """"16–17 listopada 2017" / "16–17 November 2017": the shared month and year said once."""
    start, end = graph.value(event, SCHEMA.startDate), graph.value(event, SCHEMA.endDate)
    if start is None:
        return ""
    first, last = start.toPython(), end.toPython() if end is not None else None
    if not isinstance(first, date) or not isinstance(last, date) or last == first:
        return format_date_literal(start, lang)
    locale = babel_locale(lang)
    if (first.year, first.month) == (last.year, last.month):
        head = format_date(first, "d", locale=locale)
        return f"{head}–{format_date(last, 'long', locale=locale)}"
    head = format_date(first, "d MMMM" if first.year == last.year else "long", locale=locale)
    return f"{head} – {format_date(last, 'long', locale=locale)}"
