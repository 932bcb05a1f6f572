"""/static/…: the site's assets, for a year under their fingerprinted names (publisher.assets)."""

from __future__ import annotations

from flask import Blueprint, send_file, send_from_directory

from publisher.assets import ASSETS, IMMUTABLE, asset_for

blueprint = Blueprint("assets", __name__)


@blueprint.route("/static/<path:name>")
def asset(name: str):
    path = asset_for(name)
    if path is None:  # the plain name (an old link): revalidated on every use
        return send_from_directory(ASSETS, name)
    response = send_file(path, conditional=True, etag=True)
    response.headers["Cache-Control"] = IMMUTABLE
    return response
