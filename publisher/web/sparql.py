"""/sparql: the W3C SPARQL 1.1 Protocol over the read-only store, and a query page for people."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from publisher.formats import JSONLD, TURTLE, Format
from publisher.negotiate import cached_for_short_headers, choose
from publisher.represent.html import environment, language_links, site_identity, site_links
from publisher.represent.rdf import render_rdf
from publisher.addresses import Urls
from publisher.etag import etag_of
from publisher.rendering import Rendered
from publisher.sparql.description import service_description
from publisher.sparql.examples import example, examples
from publisher.sparql.formats import GRAPH_ALIASES, HTML, SOLUTION_ALIASES, SOLUTION_FORMATS, by_name, formats_for
from publisher.sparql import QueryError, is_graph_form
from publisher.sparql.guard import precheck
from publisher.sparql.pool import Answer
from publisher.sparql.worker import Job
from publisher.web.documents import available_types, document_response, negotiate
from publisher.web.routing import route
from publisher.web.state import PublisherState, current_snapshot, current_state

blueprint = Blueprint("sparql", __name__)

PREFIXES = {"schema": "http://schema.org/", "dct": "http://purl.org/dc/terms/",
            "skos": "http://www.w3.org/2004/02/skos/core#", "xsd": "http://www.w3.org/2001/XMLSchema#"}


# Seconds a client told 503 (workers busy, a query stopped, a worker lost) should wait.
RETRY_AFTER = 2


def plain_error(status: int, message: str) -> Response:
    return _retry_later(Response(message + "\n", status=status, content_type="text/plain; charset=utf-8"))


def _retry_later(response: Response) -> Response:
    """Every 503 of the endpoint is temporary, and says when to come back."""
    if response.status_code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def _parameters() -> tuple[dict, Response | None]:
    """The protocol's parameters from GET, a form POST or a direct POST of the query."""
    if request.method in ("GET", "HEAD"):  # HEAD: as GET, without the body
        return request.args, None
    content_type = (request.mimetype or "").lower()
    if content_type == "application/x-www-form-urlencoded":
        return request.form, None
    if content_type == "application/sparql-query":
        params = request.args.copy()
        params["query"] = request.get_data(as_text=True)
        return params, None
    if content_type == "application/sparql-update":
        return {}, plain_error(403, "This endpoint is read-only: SPARQL Update is not accepted.")
    return {}, plain_error(415, "POST a query as application/x-www-form-urlencoded (query=…) "
                                "or as application/sparql-query.")


def _choose_format(params, is_graph: bool) -> Format | None:
    return result_format(params.get("format") or "", request.headers.get("Accept"), is_graph)


@cached_for_short_headers
def result_format(named: str, accept: str | None, is_graph: bool) -> Format | None:
    """The `format` parameter if it names a format we have, else negotiation on Accept.

    Cached: clients send few distinct pairs, and the fast path asks on every query."""
    found = by_name(named, is_graph) if named else None
    if found is not None:
        return found
    offered = [f.media_type for f in formats_for(is_graph)] + [HTML.media_type]
    chosen = choose(accept, offered, GRAPH_ALIASES if is_graph else SOLUTION_ALIASES)
    return next((f for f in formats_for(is_graph) + (HTML,) if f.media_type == chosen), None)


@route(blueprint, "sparql", methods=["GET", "POST"])
def endpoint(lang: str | None):
    lang = lang or current_snapshot().site.default_language
    params, refusal = _parameters()
    if refusal is not None:
        return refusal
    if "update" in params:
        return plain_error(403, "This endpoint is read-only: SPARQL Update is not accepted.")
    queries = params.getlist("query") if hasattr(params, "getlist") else [params["query"]] if "query" in params else []
    if not queries:
        return description_or_page(lang, params)
    if len(queries) > 1:
        return plain_error(400, "Give exactly one query parameter.")
    if params.get("default-graph-uri") or params.get("named-graph-uri"):
        return plain_error(400, "This endpoint has one default graph and no named graphs: "
                                "default-graph-uri and named-graph-uri are not supported.")
    query = queries[0]
    settings = current_snapshot().settings
    try:
        precheck(query, settings.max_query_length)
        solution_fmt, graph_fmt = _choose_format(params, False), _choose_format(params, True)
        # One job, whatever the form turns out to be: the page shows SELECT and ASK results
        # from JSON, graphs as Turtle.
        answer = run(query, "json" if solution_fmt is HTML else solution_fmt and solution_fmt.key,
                     "turtle" if graph_fmt is HTML else graph_fmt and graph_fmt.key)
    except QueryError as refused:
        return _failure(lang, query, refused.status, refused.message, params)
    fmt = graph_fmt if is_graph_form(answer.form) else solution_fmt
    if fmt is HTML:
        return query_page(lang, query, params, answer)
    response = Response(answer.body, content_type=fmt.content_type)
    response.set_etag(etag_of(answer.body))
    response.vary.add("Accept")
    response.cache_control.public = True
    response.cache_control.max_age = settings.max_age
    return response.make_conditional(request)


def run(query: str, solution_key: str | None, graph_key: str | None) -> Answer:
    return run_on(current_state(), query, solution_key, graph_key)


def run_on(state: PublisherState, query: str, solution_key: str | None, graph_key: str | None) -> Answer:
    """The query's form and results from a worker process (which parses and checks it first),
    written in the format for its form; raises QueryError (406 when that format is None)."""
    snapshot = state.snapshot
    job = Job(query=query, solution_key=solution_key, graph_key=graph_key,
              max_rows=snapshot.settings.max_result_rows, base_iri=snapshot.base_url, prefixes=PREFIXES,
              max_bytes=snapshot.settings.max_result_bytes)
    return state.query_pool().run(job)


def _failure(lang: str, query: str, status: int, message: str, params):
    if _choose_format(params, False) is HTML:
        return query_page(lang, query, params, None, error=message, status=status)
    return plain_error(status, message)


def description_or_page(lang: str, params):
    """A GET without a query: the service description for RDF clients, the query page for people."""
    snapshot = current_snapshot()
    chosen = negotiate()
    if chosen is None:
        return plain_error(406, "Not acceptable: the service description is available as "
                                + ", ".join(available_types()[1:]) + "; the query page as text/html.")
    if chosen is HTML or lang != snapshot.site.default_language:  # other languages: the page only
        key = params.get("example", "")
        found = example(key) if key else None
        return query_page(lang, found.text if found else "", params, None)
    graph = service_description(snapshot.settings, len(snapshot.graph))
    body = render_rdf(graph, chosen, snapshot.base_url)
    return document_response(snapshot, Rendered(body, etag_of(body)), chosen, location=None,
                             alternates=[], negotiated=True)


# The query page offers the solution formats and, of the graph formats, the two people read.
FORMAT_CHOICES = ([(fmt.key, fmt.label) for fmt in (HTML, *SOLUTION_FORMATS)]
                  + [(fmt.key, f"{fmt.label} (CONSTRUCT, DESCRIBE)") for fmt in (TURTLE, JSONLD)])


def _cells(binding: dict | None, urls: Urls, lang: str) -> dict:
    if binding is None:
        return {"text": ""}
    value = binding["value"]
    if binding["type"] == "uri":
        return {"text": value, "href": urls.href(value, lang)}
    if binding["type"] == "bnode":
        return {"text": "_:" + value}
    return {"text": value, "lang": binding.get("xml:lang")}


# What the query page shows of a result, rendered in the serving process: a result may hold up
# to --max-result-rows rows and 16 MiB (seconds of templating); the formats have all of it.
PAGE_ROWS = 500
PAGE_GRAPH_CHARACTERS = 200_000


def query_page(lang: str, query: str, params, answer: Answer | None, error: str | None = None, status: int = 200):
    snapshot = current_snapshot()
    urls = snapshot.urls
    endpoint = urls.site("sparql", lang)
    context = {
        "lang": lang, "query": query, "error": error, "table": None, "boolean": None, "graph_text": None,
        "cut": False,
        "endpoint": endpoint, "chosen_format": "html", "format_choices": FORMAT_CHOICES,
        "limits": {"timeout": f"{snapshot.settings.query_timeout:g}", "rows": snapshot.settings.max_result_rows},
        "canonical": endpoint,
        **language_links(urls, {other: urls.site("sparql", other) for other in urls.languages}),
        "formats": [], **site_links(urls, lang), **site_identity(snapshot.site, lang),
        "home_url": urls.page(snapshot.home, lang) if snapshot.home else snapshot.base_url,
        "static": urls.static,
        "example_list": [{"title": e.title(lang), "run": f"{endpoint}?{urlencode({'query': e.text})}",
                          "edit": f"{endpoint}?{urlencode({'example': e.key})}"} for e in examples()],
    }
    if answer is not None:
        if is_graph_form(answer.form):
            text = answer.body.decode("utf-8")
            context["graph_text"], context["cut"] = text[:PAGE_GRAPH_CHARACTERS], len(text) > PAGE_GRAPH_CHARACTERS
        else:
            results = json.loads(answer.body)
            if "boolean" in results:
                context["boolean"] = results["boolean"]
            else:
                columns, bindings = results["head"]["vars"], results["results"]["bindings"]
                rows = [[_cells(b.get(c), urls, lang) for c in columns] for b in bindings[:PAGE_ROWS]]
                context["table"] = {"columns": columns, "rows": rows, "total": len(bindings)}
                context["cut"] = len(bindings) > PAGE_ROWS
    body = environment(lang, urls.languages).get_template("sparql.html").render(context)
    response = Response(body, status=status, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return _retry_later(response)
