"""Crawlers refuse a sitemap of more than 50,000 URLs: a publication with more pages (a city
calendar of 10,000 events has ~90,000 page versions) gets a sitemap index and its sitemaps, in
the app and in the static export alike. Here the limit is lowered to split the real data."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree

from conftest import BASE, REFERENCE
from publisher.config import Settings
from publisher.export.build import export
from publisher import rendering as rendering_module
from publisher.represent import sitemap as sitemap_module
from publisher.preparing import build_snapshot
from publisher.rendering import Rendering
from publisher.web import create_app

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
URLSET = etree.XMLSchema(etree.parse(str(REFERENCE / "sitemap" / "sitemap.xsd")))
INDEX = etree.XMLSchema(etree.parse(str(REFERENCE / "sitemap" / "siteindex.xsd")))


@pytest.fixture(scope="module")
def snapshot():
    built = build_snapshot(Settings(base_url=BASE))
    yield built
    built.discard()


def locations(document) -> list[str]:
    return document.xpath("//s:loc/text()", namespaces=NS)


def test_one_sitemap_lists_every_page_when_they_fit(snapshot):
    client = create_app(snapshot=snapshot).test_client()
    document = etree.fromstring(client.get("/sitemap.xml").data)
    URLSET.assertValid(document)
    assert len(locations(document)) > 80
    assert client.get("/sitemap-1.xml").status_code == 404


def test_more_pages_than_one_file_may_list_get_an_index_and_its_sitemaps(snapshot, monkeypatch):
    whole = locations(etree.fromstring(Rendering(snapshot).sitemap(0).body))
    monkeypatch.setattr(sitemap_module, "URLS_PER_SITEMAP", 40)  # 20 pages, each in pl and en
    split = build_snapshot(Settings(base_url=BASE))
    try:
        client = create_app(snapshot=split).test_client()
        response = client.get("/sitemap.xml")
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/xml")
        index = etree.fromstring(response.data)
        INDEX.assertValid(index)
        named = locations(index)
        assert named == [f"{BASE}sitemap-{n}.xml" for n in range(1, len(named) + 1)]
        assert len(named) == -(-len(whole) // 40)
        listed = []
        for url in named:
            part = client.get(url.removeprefix(BASE.rstrip("/")))
            assert part.status_code == 200 and part.headers.get("ETag")
            document = etree.fromstring(part.data)
            URLSET.assertValid(document)
            assert len(locations(document)) <= 40
            for entry in document.xpath("//s:url", namespaces=NS):  # a page's versions stay together
                assert set(entry.xpath("x:link/@href", namespaces=NS)) <= set(locations(document))
            listed += locations(document)
        assert listed == whole
        for missing in ("/sitemap-0.xml", f"/sitemap-{len(named) + 1}.xml", "/sitemap--1.xml"):
            assert client.get(missing).status_code == 404, missing
    finally:
        split.discard()


def test_a_client_cycling_through_the_sitemaps_makes_the_server_list_the_pages_once(monkeypatch):
    """Listing the pages reads the whole resource list (seconds at 100,000 events, with ~18
    sitemaps): asking for each sitemap in turn, again and again, must not repeat it."""
    monkeypatch.setattr(sitemap_module, "URLS_PER_SITEMAP", 40)
    split = build_snapshot(Settings(base_url=BASE))
    listings = []
    app = create_app(snapshot=split)
    rendering = app.extensions["publisher"].rendering
    list_pages = rendering.html_pages
    monkeypatch.setattr(rendering, "html_pages", lambda: listings.append(1) or list_pages())
    try:
        client = app.test_client()
        numbers = list(rendering.sitemap_numbers())
        assert len(numbers) > 3
        for _ in range(3):
            for number in reversed(numbers):
                assert client.get("/" + sitemap_module.sitemap_name(number)).status_code == 200
        assert len(listings) == 1
    finally:
        split.discard()


def test_the_export_writes_the_same_sitemaps_and_nginx_serves_them_as_files(snapshot, monkeypatch, tmp_path):
    monkeypatch.setattr(sitemap_module, "URLS_PER_SITEMAP", 40)
    split = build_snapshot(Settings(base_url=BASE), in_memory=True)
    try:
        export(split, tmp_path, "127.0.0.1:8080", progress=False)
        client = create_app(snapshot=split).test_client()
        written = sorted(p.name for p in (tmp_path / "public").glob("sitemap*.xml"))
        assert len(written) == Rendering(split).sitemap_count() + 1 > 2
        for name in written:
            assert (tmp_path / "public" / name).read_bytes() == client.get("/" + name).data, name
    finally:
        split.discard()
    config = (tmp_path / "nginx" / "server.conf").read_text(encoding="utf-8")
    static = next(re.compile(pattern) for pattern in re.findall(r'location ~ "(\^[^"]*sitemap[^"]*)"', config))
    assert all(static.match(f"/{name}") for name in ("sitemap.xml", "sitemap-1.xml", "sitemap-12.xml"))


def test_a_crawler_revalidating_a_sitemap_gets_304_and_the_file_streamed_otherwise(snapshot):
    client = create_app(snapshot=snapshot).test_client()
    first = client.get("/sitemap.xml")
    assert first.status_code == 200 and first.data == Rendering(snapshot).sitemap(0).body
    assert first.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert int(first.headers["Content-Length"]) == len(first.data)
    assert first.headers["Last-Modified"] and "max-age" in first.headers["Cache-Control"]
    again = client.get("/sitemap.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_a_snapshot_is_not_removed_while_its_sitemaps_are_being_written(monkeypatch):
    """At 100,000 events writing the sitemaps takes seconds: a reload retiring the snapshot
    meanwhile waits for them, so the request that writes them gets them whole."""
    retiring = build_snapshot(Settings(base_url=BASE))
    writing = threading.Event()
    write = rendering_module.sitemap
    monkeypatch.setattr(rendering_module, "sitemap",
                        lambda *args: writing.set() or time.sleep(0.5) or write(*args))
    with ThreadPoolExecutor(1) as pool:
        written = pool.submit(Rendering(retiring).sitemap_file, 0)
        assert writing.wait(30)
        retiring.discard()
        path, etag = written.result()
    assert etag and not path.exists() and not retiring.directory.exists()


def test_a_sitemap_whose_snapshot_a_reload_retires_meanwhile_comes_from_the_new_one(monkeypatch):
    old, new = build_snapshot(Settings(base_url=BASE)), build_snapshot(Settings(base_url=BASE))
    app = create_app(snapshot=old)
    state = app.extensions["publisher"]
    lookup = state.rendering.sitemap_file

    def retired_meanwhile(number):
        found = lookup(number)
        state.swap(new)
        old.discard()
        return found

    monkeypatch.setattr(state.rendering, "sitemap_file", retired_meanwhile)
    try:
        response = app.test_client().get("/sitemap.xml")
        assert response.status_code == 200 and response.data == Rendering(new).sitemap(0).body
    finally:
        state.close()
