"""Text responses are compressed when the client asks, by the app and by nginx over the export;
assets have fingerprinted names and are cached for a year."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
import requests

from publisher.web.compression import chosen_encoding

TEXT = ["", "en/", "event/miejsca-otwarte-2017.ttl", "dataset", "sitemap.xml", "changes.atom",
        "sparql?query=SELECT+*+WHERE+%7B%3Fs+%3Fp+%3Fo%7D&format=csv"]


def raw(url: str, encoding: str, **headers):
    """The response as sent, not decoded (requests would undo the compression)."""
    response = requests.get(url, headers={"Accept-Encoding": encoding, **headers}, timeout=30, stream=True)
    body = response.raw.read(decode_content=False)
    return response, body


@pytest.mark.parametrize("accept, expected", [
    ("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("identity", None), ("", None),
    ("*", "br"), ("gzip;q=0, *;q=0.5", "br"), ("gzip;q=0, br;q=0", None), ("GZIP;Q=0.5", "gzip"),
])
def test_the_client_chooses_the_encoding_brotli_first(accept, expected):
    assert chosen_encoding(accept) == expected


def check_compressed(url: str, encodings=(("gzip", gzip.decompress), ("br", brotli.decompress))) -> None:
    plain, plain_body = raw(url, "identity")
    assert plain.headers.get("Content-Encoding") is None and "Accept-Encoding" in plain.headers["Vary"]
    for encoding, decode in encodings:
        response, body = raw(url, encoding)
        assert response.headers.get("Content-Encoding") == encoding, (url, response.headers)
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decode(body) == plain_body and len(body) < len(plain_body)


@pytest.mark.parametrize("path", TEXT)
def test_the_app_compresses_text_with_gzip_or_brotli_when_asked_and_says_vary(server, path):
    check_compressed(server + path)


def test_a_compressed_page_has_a_weak_etag_and_revalidates_to_304(server):
    response, _ = raw(server, "gzip")
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')
    again = requests.get(server, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}, timeout=30)
    assert again.status_code == 304


def test_a_dump_is_sent_as_its_gzip_file_without_compressing_again(server):
    response, body = raw(server + "dump.nt", "gzip")
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"].startswith("application/n-triples")
    assert body == requests.get(server + "dump.nt.gz", timeout=30, headers={"Accept-Encoding": "identity"}).content
    assert response.headers["Content-Length"] == str(len(body))


def test_a_range_and_an_image_are_never_compressed(server):
    part = requests.get(server + "dump.nt", headers={"Accept-Encoding": "identity", "Range": "bytes=0-99"}, timeout=30)
    assert part.status_code == 206 and len(part.content) == 100 and "Content-Encoding" not in part.headers
    image, _ = raw(server + "event/miejsca-otwarte-2017.png", "gzip, br")
    assert "Content-Encoding" not in image.headers


def assets_of(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]*/static/[^"]+)"', page)


def check_assets(base: str) -> None:
    page = requests.get(base, timeout=30).text
    links = assets_of(page)
    assert len(links) >= 2 and all(re.search(r"\.[0-9a-f]{8}\.[a-z]+$", link) for link in links), links
    for link in links:
        response = requests.get(link, timeout=30)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    css = next(link for link in links if link.endswith(".css"))
    assert requests.get(css, timeout=30).content == requests.get(base + "static/style.css", timeout=30).content


def test_the_app_links_assets_by_fingerprint_and_caches_them_for_a_year(server):
    check_assets(server)
    assert requests.get(server + "static/style.0badc0de.css", timeout=30).status_code == 404


@pytest.mark.slow  # builds the export and starts nginx
@pytest.mark.parametrize("path", TEXT[:-1] + ["dump.ttl"])
def test_nginx_compresses_the_export_as_the_app_does(small_city, path):
    """gzip only: Debian's nginx has no Brotli module (a client asking only for br gets identity)."""
    check_compressed(small_city.base + path, (("gzip", gzip.decompress),))
    assert raw(small_city.base + path, "br")[0].headers.get("Content-Encoding") is None


@pytest.mark.slow  # builds the export and starts nginx
def test_nginx_links_and_caches_assets_as_the_app_does(small_city):
    check_assets(small_city.base)
    response, _ = raw(small_city.base, "gzip")
    assert response.headers["ETag"].startswith('W/"')
