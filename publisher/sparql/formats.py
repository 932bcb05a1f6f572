"""Result formats of the endpoint, by query form: read from the format registry."""

from __future__ import annotations

from publisher.formats import GRAPH_RESULT_FORMATS as GRAPH_FORMATS
from publisher.formats import HTML, SOLUTION_FORMATS, Format
from publisher.sparql import is_graph_form



def _aliases(formats: tuple[Format, ...]) -> dict[str, str]:
    return {alias: fmt.media_type for fmt in formats for alias in fmt.aliases + fmt.endpoint_aliases}


SOLUTION_ALIASES = _aliases(SOLUTION_FORMATS)
GRAPH_ALIASES = _aliases(GRAPH_FORMATS)


def formats_for(is_graph: bool) -> tuple[Format, ...]:
    return GRAPH_FORMATS if is_graph else SOLUTION_FORMATS


def not_acceptable(form: str) -> str:
    names = ", ".join(f.media_type for f in formats_for(is_graph_form(form)))
    return f"Not acceptable. The results of this {form} query are available as {names}, text/html."


def by_name(name: str, is_graph: bool) -> Format | None:
    name = name.strip().lower()
    for fmt in formats_for(is_graph) + (HTML,):
        if name in fmt.names or name == fmt.media_type:
            return fmt
    return None
