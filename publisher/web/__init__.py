"""The Flask application factory."""

from __future__ import annotations

from flask import Flask, request

from publisher.config import Handover, Settings
from publisher.http_policy import CORS_HEADERS, MAX_REQUEST_BODY
from publisher.preparing import build_snapshot
from publisher.snapshot import Snapshot
from publisher.store.remote import RemoteStore
from publisher.web.state import PublisherState


def create_app(settings: Settings | None = None, snapshot: Snapshot | None = None,
               handover: Handover = Handover(), store: RemoteStore | None = None) -> Flask:
    """Build the app around a validated snapshot (built here from `settings` when not given);
    `store`: the remote store its queries go to."""
    settings = settings or (snapshot.settings if snapshot else Settings())
    app = Flask(__name__, static_folder=None)  # /static/… is publisher.web.assets
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BODY
    app.extensions["publisher"] = PublisherState(settings, snapshot or build_snapshot(settings, handover=handover), store,
                                                 handover.query_cgroup)

    from publisher.web import assets, dataset_documents, errors, openapi, resources, security, sparql
    from publisher.web.routing import OtherLanguage

    app.url_map.converters["other_language"] = OtherLanguage
    app.register_blueprint(assets.blueprint)
    app.register_blueprint(dataset_documents.blueprint)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(openapi.blueprint)
    app.register_blueprint(resources.blueprint)
    errors.register(app)
    security.register(app)
    from publisher.web.document_fast_path import FastPath
    from publisher.web.sparql_fast_path import SparqlFastPath
    from publisher.web.limits import RequestLimits

    state = app.extensions["publisher"]
    from publisher.web.compression import Compression

    app.wsgi_app = Compression(RequestLimits(SparqlFastPath(FastPath(app.wsgi_app, state), state)))
    app.after_request(_common_headers)
    return app


def _common_headers(response):
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.method == "OPTIONS":  # CORS preflight, e.g. for POST application/sparql-query
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
