"""Every HTML page passes the Nu HTML checker (vnu.jar from npm, on Debian's Java)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import requests
from rdflib import URIRef

from publisher.sparql.examples import examples

from nu import nu_errors

pytestmark = pytest.mark.slow  # starts the Nu checker on Java


def html_pages(server: str, graph) -> list[str]:
    nodes = {str(n) for n in set(graph.subjects()) | set(graph.objects()) if isinstance(n, URIRef)}
    resources = sorted(n.split("#")[0] for n in nodes if n.startswith("http://127.0.0.1:8000/"))
    paths = {r[len("http://127.0.0.1:8000/"):] for r in resources}
    pages = [server, server + "en/", server + "no-such-page", server + "sparql", server + "en/sparql",
             server + "sparql?" + urlencode({"query": examples()[1].text}),
             server + "sparql?" + urlencode({"query": examples()[4].text}),
             server + "sparql?query=SELECT+*+WHERE+%7B"]
    for path in sorted(paths):
        pages += [server + path, server + "en/" + path]
    return pages


def test_every_html_page_has_no_nu_checker_error(server, graph, tmp_path):
    files = []
    for number, url in enumerate(html_pages(server, graph)):
        response = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
        assert response.headers["Content-Type"].startswith("text/html"), url
        path = tmp_path / f"page-{number:03}.html"
        path.write_bytes(response.content)
        files.append(path)
    assert len(files) > 80
    # A broken page checked with them shows the checker finds errors, and names their file.
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><html lang="en"><title>x</title><p><div>no</p></html>', encoding="utf-8")
    messages = nu_errors(files + [broken])
    assert {m["url"] for m in messages} == {broken.as_uri().replace("file:///", "file:/")}, \
        json.dumps(messages[:10], indent=1, ensure_ascii=False)

