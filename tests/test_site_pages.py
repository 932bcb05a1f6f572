"""The publication's own pages (catalog, dataset, SPARQL, publisher): every link goes somewhere,
every fact is labelled in words."""

from __future__ import annotations

import re

import pytest
import requests

PAGES = ["catalog", "dataset", "en/catalog", "en/dataset", "sparql", "en/sparql", "publisher", "en/publisher"]


def page(url: str) -> str:
    response = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200, url
    return response.text


@pytest.mark.parametrize("path", PAGES)
def test_every_link_on_the_publications_own_pages_has_a_name_and_answers(server, path):
    body = page(server + path)
    links = re.findall(r'<a ([^>]*)>(.*?)</a>', body, re.S)
    assert links
    for attributes, text in links:
        assert re.sub(r"<[^>]+>", "", text).strip(), attributes  # no empty link (axe: link-name)
        href = re.search(r'href="([^"#]*)', attributes).group(1)
        if href.startswith(server):
            status = requests.head(href, timeout=30, allow_redirects=False).status_code
            assert status < 400, (href, status)
    assert "Te same dane jako ." not in body and "The same data as ." not in body


@pytest.mark.parametrize("path", ["catalog", "dataset", "en/catalog", "en/dataset", "publisher"])
def test_catalog_and_dataset_pages_label_every_fact_and_kind_in_words(server, path):
    body = page(server + path)
    labels = re.findall(r"<dt>([^<]*)</dt>", body) + re.findall(r'<p class="kind">([^<]*)</p>', body)
    assert labels and not [text for text in labels if "://" in text or re.match(r"\w+:\w", text)], labels


def test_the_publishers_page_shows_what_the_catalog_says_of_it(server):
    body = page(server + "en/publisher")
    assert "The publisher project team (demonstration deployment)" in body
    assert requests.get(server + "publisher.ttl", timeout=30).text.count("foaf:name") == 1
