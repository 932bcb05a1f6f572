"""Error documents (404, 406) in every format: the app and the static export share the bytes."""

from __future__ import annotations

from publisher.formats import ALIASES, DOCUMENT_FORMATS, HTML, Format
from publisher.i18n import N_
from publisher.represent.html import render_error_page
from publisher.represent.rdf import error_document, error_line
from publisher.addresses import Urls

NOT_FOUND = (404, N_("Not found"), N_("There is no resource with this address in the dataset."))


def error_body(fmt: Format | None, status: int, title: str, detail: str, urls: Urls, lang: str) -> bytes:
    if fmt is HTML:
        return render_error_page(urls, lang, status, title, detail)
    if fmt is not None:
        return error_document(fmt, status, title, detail)
    return f"{error_line(status, title, detail)}\n".encode("utf-8")


def not_acceptable_body() -> bytes:
    types = ", ".join([fmt.media_type for fmt in DOCUMENT_FORMATS] + list(ALIASES))
    return f"406 Not Acceptable: this resource is available as {types}.\n".encode("utf-8")
