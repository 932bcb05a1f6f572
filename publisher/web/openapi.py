"""The HTTP interface as OpenAPI 3.1, served at /openapi.json (and fuzzed by schemathesis in the tests)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from publisher.addresses import ROUTES
from publisher.formats import DOCUMENT_FORMATS, DUMP_FORMATS, GRAPH_RESULT_FORMATS, SOLUTION_FORMATS
from publisher.site import Site
from publisher.web.routing import route
from publisher.web.state import current_snapshot

blueprint = Blueprint("openapi", __name__)

DOCUMENT_TYPES = [f.media_type for f in DOCUMENT_FORMATS]
DUMP_EXTENSIONS = [f.extension for f in DUMP_FORMATS]
DUMP_TYPES = [f.media_type for f in DUMP_FORMATS] + ["application/gzip"]
TEXT = {"text/plain": {"schema": {"type": "string"}}}


def _responses(types: list[str], *codes: int) -> dict:
    answers = {"200": {"description": "The document", "content": {t: {"schema": {"type": "string"}} for t in types}}}
    meaning = {303: "See the dataset description", 301: "Moved", 400: "Bad request", 403: "Refused (read-only)",
               404: "Not found (negotiated format)", 406: "Not acceptable: the available types are listed",
               413: "Too large", 415: "Unsupported media type", 503: "Time limit or busy"}
    for code in codes:
        answers[str(code)] = {"description": meaning[code], "content": TEXT}
    return answers


ACCEPT = {"name": "Accept", "in": "header", "required": False, "schema": {"type": "string"}}
PAGE = {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}}


def _at(name: str) -> str:
    return "/" + ROUTES[name].template()


def specification(base_url: str, site: Site) -> dict:
    sparql_types = sorted({f.media_type for f in SOLUTION_FORMATS + GRAPH_RESULT_FORMATS} | {"text/html"})
    query_parameters = [
        {"name": "query", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 20000}},
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string"}},
        {"name": "example", "in": "query", "required": False, "schema": {"type": "string"}},
        ACCEPT,
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{site.name('en')} linked-data publisher", "version": "1",
                 "description": f"{site.description('en')}\n\nLinked open data: every IRI dereferences with "
                                "content negotiation; a read-only SPARQL 1.1 endpoint; VoID, DCAT-AP catalog and dumps."},
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            "/": {"get": {"summary": "Home page (the main event); data clients are sent to the dataset",
                          "parameters": [ACCEPT], "responses": _responses(["text/html"], 303, 406)}},
            "/{path}": {"get": {"summary": "Dereference a resource IRI (negotiated), or an explicit format URL",
                                "parameters": [{"name": "path", "in": "path", "required": True,
                                                "schema": {"type": "string"}}, PAGE, ACCEPT],
                                "responses": _responses(DOCUMENT_TYPES, 404, 406)}},
            **{f"/{lang}/{{path}}": {"get": {"summary": f"The {site.languages.name(lang, 'en')} page of a resource",
                                              "parameters": [{"name": "path", "in": "path", "required": True,
                                                              "schema": {"type": "string"}}, PAGE],
                                              "responses": _responses(["text/html"], 404)}}
               for lang in site.languages.others},
            _at("sparql"): {
                "get": {"summary": "SPARQL 1.1 query (GET), the service description, or the query page",
                        "parameters": query_parameters,
                        "responses": _responses(sparql_types, 400, 403, 406, 413, 503)},
                "post": {"summary": "SPARQL 1.1 query (POST, form-encoded or application/sparql-query)",
                         "parameters": [ACCEPT],
                         "requestBody": {"content": {
                             "application/x-www-form-urlencoded": {"schema": {
                                 "type": "object", "properties": {"query": {"type": "string", "maxLength": 20000}}}},
                             "application/sparql-query": {"schema": {"type": "string", "maxLength": 20000}}}},
                         "responses": _responses(sparql_types, 400, 403, 406, 413, 415, 503)}},
            _at("void"): {"get": {"summary": "VoID description of the dataset", "parameters": [ACCEPT],
                                          "responses": _responses(DOCUMENT_TYPES, 406)}},
            _at("catalog"): {"get": {"summary": "DCAT-AP 3.0 catalog", "parameters": [ACCEPT],
                                 "responses": _responses(DOCUMENT_TYPES, 406)}},
            _at("dump"): {"get": {"summary": f"Whole-graph dump ({', '.join(DUMP_EXTENSIONS)}, and .gz)",
                                          "parameters": [{"name": "extension", "in": "path", "required": True,
                                                          "schema": {"type": "string",
                                                                     "enum": DUMP_EXTENSIONS + [
                                                                         f"{ext}.gz" for ext in DUMP_EXTENSIONS]}}],
                                          "responses": _responses(DUMP_TYPES, 404)}},
            _at("event_calendar"): {"get": {"summary": "The main event as iCalendar",
                                   "responses": _responses(["text/calendar"], 404)}},
            _at("sitemap"): {"get": {"summary": "Sitemap with hreflang alternates (an index of sitemaps "
                                                "when the pages are more than one file may list)",
                                     "responses": _responses(["application/xml"])}},
            _at("sitemap_part"): {"get": {"summary": "The Nth sitemap named by the index",
                                              "parameters": [{"name": "number", "in": "path", "required": True,
                                                              "schema": {"type": "integer", "minimum": 1}}],
                                              "responses": _responses(["application/xml"], 404)}},
            _at("changes"): {"get": {"summary": "Atom feed of changes to the data: the newest, and the link "
                                                "to the newest archive (RFC 5005 archived feed)",
                                     "responses": _responses(["application/atom+xml"])}},
            _at("changes_archive"): {"get": {"summary": "The Nth archive document of the feed, counted from "
                                                        "the oldest changes; never changes once full",
                                             "parameters": [{"name": "number", "in": "path", "required": True,
                                                             "schema": {"type": "integer", "minimum": 1}}],
                                             "responses": _responses(["application/atom+xml"], 404)}},
            _at("robots"): {"get": {"summary": "robots.txt naming the sitemap", "responses": _responses(["text/plain"])}},
        },
    }


@route(blueprint, "openapi")
def openapi_json():
    snapshot = current_snapshot()
    response = jsonify(specification(snapshot.base_url, snapshot.site))
    response.cache_control.public = True
    return response
