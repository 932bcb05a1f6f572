"""`publisher build`: the static export, served by nginx, is the app's publication byte for byte.

Most tests share one small build (conftest's `small_city`: the real data, the lifecycle fixture
and 45 synthetic events); the 1,000- and 10,000-event builds are measured in bench/.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef

from conftest import COMUNICA_ACCEPT, ROOT, run_cli
from nu import assert_valid_html
from publisher.load import load
from servers import fetch, nginx_export

ACCEPTS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
           "application/n-quads"]
DCT_SOURCE = URIRef("http://purl.org/dc/terms/source")
SEE_ALSO = URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso")


def every_kind(paths: list[str]) -> list[str]:
    """The real and lifecycle resources, and the synthetic ones of event 0, venue 0, organisation
    0 and person 0: every kind of resource the synthetic calendar has, once."""
    return [p for p in paths if "synth-" not in p or re.search(r"synth-(venue-)?0+(/|$)", p)]


@pytest.mark.slow  # builds the export and starts nginx
def test_nginx_serves_the_same_bytes_as_the_app_for_every_kind_of_iri_and_format(small_city):
    app, base = small_city.app, small_city.base
    iris = sorted({str(n).split("#")[0] for n in load(small_city.data, base).graph.all_nodes()
                   if isinstance(n, URIRef) and str(n).startswith(base)})
    paths = every_kind([iri[len(base):] for iri in iris])
    assert {"event/test-removed", "organization/test-duplicate", "event/synth-000000/part-0",
            "place/synth-venue-0/address", "person/synth-0", "synthetic"} <= set(paths)
    checked = 0
    for path in paths + ["", ".well-known/void", "catalog", "dataset", "no-such-thing"]:
        for accept in ACCEPTS + ["image/png", "application/json", "*/*", COMUNICA_ACCEPT]:
            assert fetch(app + path, accept) == fetch(base + path, accept), (path, accept)
            checked += 1
    for path in ["en/", "sitemap.xml", "robots.txt", "event.ics", "dump.ttl", "dump.nt.gz", "dump.jsonld", "dump.nq",
                 "dump.nq.gz", "dump.trig", "dump.trig.gz", "event/miejsca-otwarte-2017.png", "en/event/miejsca-otwarte-2017.ics", "static/style.css",
                 "event/synth-000000.png", "en/event/synth-000000.ics",
                 "en/event/synth-000000.png"] + \
                [f"en/{p}" for p in paths] + \
                [f"{p}.{ext}" for p in paths for ext in ("ttl", "jsonld", "nt", "rdf", "nq", "trig", "html")]:
        assert fetch(app + path) == fetch(base + path), path
        checked += 1
    assert checked > 900


@pytest.mark.slow  # builds the export and starts nginx
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


@pytest.mark.slow  # rapper on every RDF file, Nu on a sample of pages
def test_every_rdf_file_of_the_export_parses_and_its_pages_pass_the_nu_checker(small_city):
    public = small_city.export / "public"
    rdf = {"ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml", "nq": "nquads", "trig": "trig"}
    files = [path for path in public.rglob("*") if path.suffix.lstrip(".") in rdf]
    kinds = {re.sub(r"synth-[^/.]*", "synth-N", str(p.relative_to(public).with_suffix(""))) for p in files}
    assert {"_gone/event/test-removed", "event/synth-N", "event/synth-N/part-0", "event/synth-N/role/content-partner",
            "place/synth-N/address", "synthetic.page-3", "dump"} <= kinds, sorted(kinds)

    def rapper(path: Path) -> tuple[Path, int, str]:
        result = subprocess.run(["rapper", "-q", "-c", "-i", rdf[path.suffix.lstrip(".")], str(path), small_city.base],
                                capture_output=True, text=True, timeout=120)
        return path, result.returncode, result.stderr

    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [(p, err) for p, code, err in pool.map(rapper, files) if code != 0]
    assert failures == []
    pages = sorted(public.rglob("*.html"))
    assert_valid_html(random.Random(1).sample(pages, 40))
    # Served by nginx: a synthetic event dereferences like the real one.
    status, content_type, body = fetch(small_city.base + "event/synth-000042", "text/turtle")
    assert status == 200 and content_type == "text/turtle; charset=utf-8" and b"Synthetic event 42" in body


@pytest.mark.slow  # three processes each build the whole snapshot
def test_every_representation_is_the_same_bytes_in_every_process():
    """The app and the export are different processes: Python's hash seed must not change a byte."""
    script = ("import hashlib\nfrom publisher.config import Settings\nfrom publisher.preparing import build_snapshot\n"
              "from publisher.rendering import Rendering\nfrom publisher.formats import RDF_DOCUMENT_FORMATS\n"
              "s = build_snapshot(Settings())\nr = Rendering(s)\nh = hashlib.sha256()\n"
              "for iri in sorted(s.resources):\n    for f in RDF_DOCUMENT_FORMATS: h.update(r.document(iri, f).body)\n"
              "    for lang in ('pl', 'en'): h.update(r.html(iri, lang).body)\nprint(h.hexdigest())\ns.discard()\n")
    digests = {subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(digests) == 1


@pytest.mark.slow  # builds the export and starts nginx
def test_documents_with_many_links_are_paged_alike_by_app_and_nginx(small_city):
    app, base = small_city.app, small_city.base
    source = "synthetic"  # every synthetic resource names it: three pages of 100 links
    for query in ("", "?page=1", "?page=2", "?page=3", "?page=4", "?page=0", "?page=x"):
        for accept in ACCEPTS:
            assert fetch(app + source + query, accept) == fetch(base + source + query, accept), (query, accept)
        assert fetch(app + "en/" + source + query) == fetch(base + "en/" + source + query), query
    assert fetch(base + source + "?page=4", "text/turtle")[0] == 404
    assert fetch(base + source, "text/html") == fetch(base + source + "?page=1", "text/html")
    seen, page = set(), 1
    while True:  # a crawler following rdfs:seeAlso reaches every link
        _, _, body = fetch(f"{base}{source}?page={page}", "text/turtle")
        document = Graph().parse(data=body, format="turtle")
        seen |= set(document.subjects(DCT_SOURCE, URIRef(base + source)))
        following = document.value(URIRef(base + source), SEE_ALSO)
        if following is None:
            break
        assert str(following) == f"{base}{source}?page={page + 1}"
        page += 1
    synthetic = Graph().parse(small_city.data[-1], format="turtle", publicID=base)
    assert page == 3 and len(seen) == len(set(synthetic.subjects(DCT_SOURCE, URIRef(base + source)))) > 200
    html = fetch(base + source + "?page=2", "text/html")[2].decode()
    assert 'rel="prev"' in html and 'rel="next"' in html and "strona 2 z 3" in html
