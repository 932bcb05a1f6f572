"""`publisher build`: the static export, served by nginx, is the app's publication byte for byte."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef

from browser_tools import VNU, require
from conftest import ROOT, run_cli
from publisher.config import DEFAULT_DATA
from publisher.load import load
from servers import free_port, nginx_export, publisher_server, world_readable_directory

ACCEPTS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]


def fetch(url: str, accept: str | None = None) -> tuple:
    """What must match: status, content type and body; for a redirect, where it points."""
    response = requests.get(url, headers={"Accept": accept} if accept else {}, timeout=30, allow_redirects=False)
    if 300 <= response.status_code < 400:
        return response.status_code, response.headers["Location"]
    return response.status_code, response.headers.get("Content-Type", ""), response.content


def test_nginx_serves_the_same_bytes_as_the_app_for_every_iri_and_format():
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    # The export names the app's endpoint as its external one, as in the nginx-in-front set-up.
    with nginx_export("--sparql-endpoint", base + "sparql", port=port):
        with publisher_server("--base-url", base) as app:
            iris = sorted({str(n).split("#")[0] for n in load([DEFAULT_DATA], base).graph.all_nodes()
                           if isinstance(n, URIRef) and str(n).startswith(base)})
            paths = [iri[len(base):] for iri in iris]
            checked = 0
            for path in paths + ["", ".well-known/void", "catalog", "dataset", "no-such-thing"]:
                for accept in ACCEPTS + ["image/png", "application/json", "*/*"]:
                    assert fetch(app + path, accept) == fetch(base + path, accept), (path, accept)
                    checked += 1
            for path in ["en/", "sitemap.xml", "robots.txt", "event.ics", "dump.ttl", "dump.nt.gz", "dump.jsonld",
                         "event/miejsca-otwarte-2017.png", "en/event/miejsca-otwarte-2017.ics", "static/style.css"] + \
                        [f"en/{p}" for p in paths] + [f"{p}.{ext}" for p in paths for ext in ("ttl", "jsonld", "nt", "rdf", "html")]:
                assert fetch(app + path) == fetch(base + path), path
                checked += 1
            assert checked > 600


def test_export_without_an_endpoint_never_links_a_dead_one():
    with nginx_export() as (base, out):
        void = requests.get(base + ".well-known/void", headers={"Accept": "text/turtle"}, timeout=30).text
        catalog = requests.get(base + "catalog", headers={"Accept": "text/turtle"}, timeout=30).text
        home = requests.get(base, timeout=30).text
        assert "sparqlEndpoint" not in void and "DataService" not in catalog and "/sparql" not in home
        assert requests.get(base + "sparql", timeout=30).status_code == 404
        server_block = (out / "nginx" / "server.conf").read_text()
        assert "js_import" in (out / "nginx" / "http.conf").read_text() and "location @resource" in server_block


def test_build_refuses_invalid_data(tmp_path):
    broken = tmp_path / "event.ttl"
    broken.write_text((ROOT / "data" / "event.ttl").read_text(encoding="utf-8").replace(
        'schema:startDate "2017-11-16"^^xsd:date ;', ""), encoding="utf-8")
    result = run_cli("build", str(tmp_path / "out"), "--base-url", "http://127.0.0.1:1/", "--data", str(broken))
    assert result.returncode == 1 and "schema:startDate" in result.stderr
    assert "Wydarzenie główne musi mieć datę rozpoczęcia" in result.stderr  # the report in --lang (pl)
    assert not (tmp_path / "out" / "public").exists()


def test_synth_is_deterministic_labelled_and_never_writes_into_data(tmp_path):
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    assert run_cli("synth", "--events", "50", "--seed", "7", "--out", str(first)).returncode == 0
    assert run_cli("synth", "--events", "50", "--seed", "7", "--out", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert "SYNTHETIC DATA" in first.read_text(encoding="utf-8").splitlines()[0]
    refused = run_cli("synth", "--events", "5", "--out", str(ROOT / "data" / "synthetic.ttl"))
    assert refused.returncode == 2 and "never be published" in refused.stderr
    assert not (ROOT / "data" / "synthetic.ttl").exists()


@pytest.mark.slow
def test_build_of_1000_synthetic_events_is_valid_rdf_and_html():
    synthetic = world_readable_directory() / "city.ttl"
    assert run_cli("synth", "--events", "1000", "--seed", "3", "--out", str(synthetic)).returncode == 0
    with nginx_export("--data", str(DEFAULT_DATA), "--data", str(synthetic)) as (base, out):
        public = out / "public"
        rdf = {"ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml"}
        files = [path for path in public.rglob("*") if path.suffix.lstrip(".") in rdf]
        assert len(files) > 12_000

        def rapper(path: Path) -> tuple[Path, int, str]:
            result = subprocess.run(["rapper", "-q", "-c", "-i", rdf[path.suffix.lstrip(".")], str(path), base],
                                    capture_output=True, text=True, timeout=120)
            return path, result.returncode, result.stderr

        with ThreadPoolExecutor(max_workers=4) as pool:
            failures = [(p, err) for p, code, err in pool.map(rapper, files) if code != 0]
        assert failures == []
        pages = sorted(public.rglob("*.html"))
        sample = random.Random(1).sample(pages, 40)
        result = subprocess.run(["java", "-jar", str(require(VNU, "vnu.jar")), "--errors-only", "--format", "json",
                                 *map(str, sample)], capture_output=True, text=True, timeout=600)
        assert json.loads(result.stderr or '{"messages": []}')["messages"] == []
        # Served by nginx: a synthetic event dereferences like the real one.
        status, content_type, body = fetch(base + "event/synth-000042", "text/turtle")
        assert status == 200 and content_type == "text/turtle; charset=utf-8" and b"Synthetic event 42" in body
    shutil.rmtree(synthetic.parent, ignore_errors=True)


def test_every_representation_is_the_same_bytes_in_every_process():
    """The app and the export are different processes: Python's hash seed must not change a byte."""
    script = ("import hashlib\nfrom publisher.config import Settings\nfrom publisher.snapshot import build_snapshot\n"
              "from publisher.represent import RDF_FORMATS\ns = build_snapshot(Settings())\nh = hashlib.sha256()\n"
              "for iri in sorted(s.resources):\n    for f in RDF_FORMATS: h.update(s.render(iri, f).body)\n"
              "    for lang in ('pl', 'en'): h.update(s.render_html(iri, lang).body)\nprint(h.hexdigest())\ns.discard()\n")
    digests = {subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(digests) == 1


def test_documents_with_many_links_are_paged_alike_by_app_and_nginx():
    synthetic = world_readable_directory() / "city.ttl"
    assert run_cli("synth", "--events", "300", "--seed", "5", "--out", str(synthetic)).returncode == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    data = ("--data", str(DEFAULT_DATA), "--data", str(synthetic))
    with nginx_export("--sparql-endpoint", base + "sparql", *data, port=port), \
            publisher_server("--base-url", base, *data) as app:
        concept = "role/content-partner"  # 301 roles point at it: four pages of 100
        for query in ("", "?page=1", "?page=2", "?page=4", "?page=5", "?page=0", "?page=x"):
            for accept in ACCEPTS:
                assert fetch(app + concept + query, accept) == fetch(base + concept + query, accept), (query, accept)
            assert fetch(app + "en/" + concept + query) == fetch(base + "en/" + concept + query), query
        assert fetch(base + concept + "?page=5", "text/turtle")[0] == 404
        assert fetch(base + concept, "text/html") == fetch(base + concept + "?page=1", "text/html")
        seen, page = set(), 1
        while True:  # a crawler following rdfs:seeAlso reaches every link
            _, _, body = fetch(f"{base}{concept}?page={page}", "text/turtle")
            document = Graph().parse(data=body, format="turtle")
            seen |= set(document.subjects(URIRef("http://purl.org/dc/terms/type"), URIRef(base + concept)))
            following = document.value(URIRef(base + concept), URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"))
            if following is None:
                break
            assert str(following) == f"{base}{concept}?page={page + 1}"
            page += 1
        assert page == 4 and len(seen) == 301
        html = fetch(base + concept + "?page=2", "text/html")[2].decode()
        assert 'rel="prev"' in html and 'rel="next"' in html and "strona 2 z 4" in html
    shutil.rmtree(synthetic.parent, ignore_errors=True)
