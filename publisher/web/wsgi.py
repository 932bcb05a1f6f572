"""The WSGI entry point that server workers import; settings come from the environment."""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

from publisher.config import Settings
from publisher.web import create_app


def create():
    settings = Settings.from_environ()
    app = create_app(settings)
    prefix = urlsplit(settings.base_url).path.rstrip("/")
    if not prefix:
        return app
    # Published under a path (base https://host/dane/): the app answers below that path only.
    return DispatcherMiddleware(Response("Not found\n", status=404, content_type="text/plain"), {prefix: app})
