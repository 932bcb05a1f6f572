"""/static/…: the site's assets, for a year under their fingerprinted names (publisher.assets)."""

from __future__ import annotations

from flask import Blueprint, send_file, send_from_directory

from publisher.assets import ASSETS, IMMUTABLE, asset_for
from publisher.web.routing import route

blueprint = Blueprint("assets", __name__)


@route(blueprint, "static")
def asset(filename: str):
    path = asset_for(filename)
    if path is None:  # the plain name (an old link): revalidated on every use
        return send_from_directory(ASSETS, filename)
    response = send_file(path, conditional=True, etag=True)
    response.headers["Cache-Control"] = IMMUTABLE
    return response
