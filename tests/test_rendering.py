"""The render service of a snapshot: pages are rendered before they are served, once however many
requests ask at the same time, and each resource's page by the kind it is."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from rdflib import URIRef

from publisher import rendering as rendering_module
from publisher.config import Settings
from publisher.formats import RDF_DOCUMENT_FORMATS
from publisher.preparing import build_snapshot
from publisher.rendering import Rendering, page_kind
from publisher.web import create_app

BASE = "http://127.0.0.1:8000/"


@pytest.fixture(scope="module")
def snapshot():
    built = build_snapshot(Settings(base_url=BASE))
    yield built
    built.discard()


def test_a_warmed_snapshot_serves_every_document_and_page_without_rendering(snapshot):
    app = create_app(snapshot=snapshot)
    rendering = app.extensions["publisher"].rendering
    warmed = rendering.warm()
    assert warmed == len(snapshot.resources) + len(snapshot.lifecycle.gone) > 50
    documents, pages = rendering.document.cache_info().misses, rendering.cached_html.cache_info().misses
    assert documents == warmed * len(RDF_DOCUMENT_FORMATS) and pages == warmed * len(snapshot.site.languages)
    client = app.test_client()
    for path in ("/event/miejsca-otwarte-2017", "/en/event/miejsca-otwarte-2017", "/catalog.ttl", "/dataset.jsonld"):
        assert client.get(path, headers={"Accept": "text/html"}).status_code == 200, path
    assert (rendering.document.cache_info().misses, rendering.cached_html.cache_info().misses) == (documents, pages)


def test_threads_asking_for_one_unrendered_page_at_once_render_it_once(snapshot, monkeypatch):
    rendering = Rendering(snapshot)
    renders = []
    real = rendering_module.render_page

    def slow(*args, **kwargs):
        renders.append(1)
        time.sleep(0.3)  # long enough for every thread to ask meanwhile
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering_module, "render_page", slow)
    iri = URIRef(BASE + "place/bok-glebocka-66")
    assert page_kind(snapshot, iri).name == "resource"
    start = threading.Barrier(8)

    def ask(_):
        start.wait()
        return rendering.html(iri, "pl").body

    with ThreadPoolExecutor(8) as pool:
        bodies = set(pool.map(ask, range(8)))
    assert len(renders) == 1 and len(bodies) == 1


@pytest.mark.parametrize("path, kind", [("event/miejsca-otwarte-2017", "event"), ("event/miejsca-otwarte", "series"),
                                        ("place/bok-glebocka-66", "resource"), ("dataset", "resource")])
def test_each_resource_is_rendered_by_its_page_kind(snapshot, path, kind):
    assert page_kind(snapshot, URIRef(BASE + path)).name == kind
