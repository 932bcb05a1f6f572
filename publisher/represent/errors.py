"""Error documents (404, 406) in every format: the app and the static export share the bytes."""

from __future__ import annotations

import json

from publisher.i18n import N_
from publisher.represent import ALIASES, FORMATS, HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, Format
from publisher.represent.html import render_error_page
from publisher.represent.urls import Urls

NOT_FOUND = (404, N_("Not found"), N_("There is no resource with this address in the dataset."))


def error_body(fmt: Format | None, status: int, title: str, detail: str, urls: Urls, lang: str) -> bytes:
    if fmt is HTML:
        return render_error_page(urls, lang, status, title, detail)
    comment = f"{status} {title}: {detail}".replace("\n", " ")
    if fmt in (TURTLE, NTRIPLES):
        return f"# {comment}\n".encode("utf-8")
    if fmt is RDFXML:
        safe = comment.replace("--", "- -")
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {safe} -->\n'
                f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n').encode("utf-8")
    if fmt is JSONLD:
        return json.dumps({"@graph": [], "error": {"status": status, "title": title, "detail": detail}},
                          ensure_ascii=False).encode("utf-8")
    return f"{comment}\n".encode("utf-8")


def not_acceptable_body() -> bytes:
    types = ", ".join([fmt.media_type for fmt in FORMATS] + list(ALIASES))
    return f"406 Not Acceptable: this resource is available as {types}.\n".encode("utf-8")
