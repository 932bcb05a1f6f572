"""The DCAT-AP 3.0 catalog, as city open-data portals harvest it; sitemap and robots. From the app,
and from the app in front of each remote store (`serve --store`: Oxigraph server and Virtuoso)."""

from __future__ import annotations

import json
import subprocess

import pyshacl
import pytest
import requests
from lxml import etree
from rdflib import RDF, Graph, Namespace, URIRef

from conftest import REFERENCE, ROOT
from stores import REMOTE, served

CKAN_PYTHON = ROOT / ".venv-ckan" / "bin" / "python"
SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture(scope="module", params=["app", *REMOTE])
def server(request, server):
    with served(request, server) as base:
        yield base


@pytest.fixture(scope="module")
def catalog_turtle(server) -> str:
    response = requests.get(server + "catalog", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    return response.text


@pytest.fixture(scope="module")
def catalog(catalog_turtle) -> Graph:
    return Graph().parse(data=catalog_turtle, format="turtle")


def shacl_results(graph: Graph, shapes_file: str) -> list[tuple[str, str, str]]:
    shapes = Graph().parse(REFERENCE / "dcat-ap-3.0.1" / shapes_file)
    _, results, _ = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True)
    return sorted((str(results.value(r, SH.resultSeverity)).split("#")[1], str(results.value(r, SH.focusNode)),
                   str(results.value(r, SH.resultPath))) for r in results.subjects(SH.resultSeverity, None))


@pytest.mark.parametrize("shapes_file", ["shapes.ttl", "range.ttl"])
def test_catalog_passes_the_official_dcat_ap_shapes_with_no_violation(catalog, shapes_file):
    assert shacl_results(catalog, shapes_file) == []


def test_only_the_recommended_facts_that_no_source_gives_remain(catalog, server):
    remaining = {(focus.replace(server, ""), path.rsplit("/", 1)[-1].rsplit("#", 1)[-1])
                 for _, focus, path in shacl_results(catalog, "shapes_recommended.ttl")}
    # Each is listed in docs/portals.md with its reason.
    assert remaining == {("publisher", "type"), (f"{EU}country/POL", "bbox"), (f"{EU}country/POL", "centroid"),
                         ("catalog#distribution-sparql", "format")}


@pytest.mark.parametrize("accept, rdflib_format", [("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                                                    ("application/n-triples", "nt")])
def test_catalog_is_negotiated_like_every_resource(server, catalog, accept, rdflib_format):
    response = requests.get(server + "catalog", headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200 and "Accept" in response.headers["Vary"]
    assert len(Graph().parse(data=response.content, format=rdflib_format)) == len(catalog)


def test_catalog_describes_the_dataset_distributions_and_service(server, catalog):
    dataset = URIRef(server + "dataset")
    assert (URIRef(server + "catalog"), DCAT.dataset, dataset) in catalog
    assert {o.language for o in catalog.objects(dataset, DCT.title)} == {"pl", "en"}
    assert {str(t) for t in catalog.objects(dataset, DCAT.theme)} == {
        f"{EU}data-theme/SOCI", f"{EU}data-theme/EDUC", f"{EU}data-theme/REGI"}
    assert {str(t) for t in catalog.objects(dataset, DCT.language)} == {f"{EU}language/POL", f"{EU}language/ENG"}
    period = catalog.value(dataset, DCT.temporal)
    # From the first edition's start to the last known edition's end.
    assert (str(catalog.value(period, DCAT.startDate)), str(catalog.value(period, DCAT.endDate))) == ("2017-11-16", "2023-11-30")
    contact = catalog.value(dataset, DCAT.contactPoint)
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    assert str(catalog.value(contact, vcard.hasTelephone)) == "tel:+48224430198"
    assert str(catalog.value(contact, vcard.hasEmail)) == "mailto:ext.acirlic@um.warszawa.pl"
    assert URIRef("http://miejscaotwarte.pl/") in set(catalog.objects(dataset, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
    # Ten dumps, the SPARQL endpoint and the change feed; each data file's own downloads on its dataset.
    distributions = set(catalog.objects(dataset, DCAT.distribution))
    assert len(distributions) == 12 and not any(d.startswith("_:") for d in map(str, distributions))
    every = set(catalog.subjects(RDF.type, DCAT.Distribution))
    assert len(every) == 12 + 2 * len(list(catalog.subjects(DCT.isPartOf, dataset)))
    for distribution in every:
        url = catalog.value(distribution, DCAT.downloadURL)
        if url is None:
            access = catalog.value(distribution, DCAT.accessURL)
            if catalog.value(distribution, DCAT.accessService) is None:
                feed = requests.get(str(access), timeout=30)
                assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("application/atom+xml")
            continue
        body = requests.get(str(url), timeout=30)
        assert body.status_code == 200
        assert int(catalog.value(distribution, DCAT.byteSize)) == len(body.content)
        checksum = catalog.value(distribution, URIRef("http://spdx.org/rdf/terms#checksum"))
        import hashlib
        assert str(catalog.value(checksum, URIRef("http://spdx.org/rdf/terms#checksumValue"))) == hashlib.sha256(body.content).hexdigest()
        assert str(catalog.value(distribution, DCAT.mediaType)).startswith("http://www.iana.org/assignments/media-types/")
        assert str(catalog.value(distribution, DCT["format"])).startswith(f"{EU}file-type/")
        assert catalog.value(distribution, DCT.license) is not None
    service = catalog.value(URIRef(server + "catalog"), DCAT.service)
    assert catalog.value(service, DCAT.endpointURL) == URIRef(server + "sparql")
    assert catalog.value(service, DCAT.servesDataset) == dataset
    description = requests.get(str(catalog.value(service, DCAT.endpointDescription)), headers={"Accept": "text/turtle"}, timeout=30)
    assert "sparql-service-description" in description.text


@pytest.mark.parametrize("extension, media_type, file_type, label", [
    ("nq", "application/n-quads", "RDF_N_QUADS", "N-Quads"), ("trig", "application/trig", "RDF_TRIG", "TriG")])
def test_the_quad_dumps_are_distributions_with_their_iana_and_eu_file_types(server, catalog, extension, media_type,
                                                                           file_type, label):
    dataset = URIRef(server + "dataset")
    by_url = {catalog.value(d, DCAT.downloadURL): d for d in catalog.objects(dataset, DCAT.distribution)}
    for name in (f"dump.{extension}", f"dump.{extension}.gz"):
        distribution = by_url[URIRef(server + name)]
        assert catalog.value(distribution, DCAT.mediaType) == URIRef(
            f"http://www.iana.org/assignments/media-types/{media_type}")
        assert catalog.value(distribution, DCT["format"]) == URIRef(f"{EU}file-type/{file_type}")
        titles = [str(title) for title in catalog.objects(distribution, DCT.title)]
        assert len(titles) == 2 and all(label in title for title in titles)
    assert catalog.value(by_url[URIRef(server + "dump.nq.gz")], DCAT.compressFormat) == URIRef(
        "http://www.iana.org/assignments/media-types/application/gzip")


def harvest(url: str) -> dict:
    """What a CKAN portal creates from the catalog at `url` (tests/harvest_ckan.py, in CKAN's venv)."""
    assert CKAN_PYTHON.exists(), "the CKAN harvester venv is missing: scripts/test.sh makes .venv-ckan"
    result = subprocess.run([str(CKAN_PYTHON), str(ROOT / "tests" / "harvest_ckan.py"), url],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


@pytest.mark.slow  # runs CKAN's harvester
def test_a_ckan_portal_harvests_the_dataset_and_one_dataset_a_data_file(server):
    harvested = harvest(server + "catalog")
    by_uri = {d["extras_by_key"]["uri"]: d for d in (
        {**d, "extras_by_key": {e["key"]: e["value"] for e in d["extras"]}} for d in harvested["datasets"])}
    assert set(by_uri) == {server + "dataset"} | {f"{server}dataset/{name}" for name in (
        "event", "series", "editions/miejsca-otwarte-2021", "editions/miejsca-otwarte-2023")}
    dataset = by_uri[server + "dataset"]
    assert dataset["title"] == "MIEJSCA OTWARTE — open data about the conference" or "MIEJSCA OTWARTE" in dataset["title"]
    extras = dataset["extras_by_key"]
    assert extras["contact_email"] == "ext.acirlic@um.warszawa.pl"
    assert (extras["temporal_start"], extras["temporal_end"]) == ("2017-11-16", "2023-11-30")
    assert "miejscaotwarte.pl" in extras["provenance"]
    downloads = {r["download_url"]: r for r in dataset["resources"] if r.get("download_url")}
    assert set(downloads) == {server + f"dump.{extension}{gz}" for extension in ("ttl", "nt", "jsonld", "nq", "trig")
                              for gz in ("", ".gz")}
    for url, resource in downloads.items():
        assert resource["format"].startswith(f"{EU}file-type/") and resource["license"].endswith("CC_BY_4_0")
        assert requests.head(url, timeout=30).status_code == 200
    assert any(r.get("access_url") == server + "sparql" for r in dataset["resources"])
    assert any(r.get("access_url") == server + "changes.atom" for r in dataset["resources"])
    edition = by_uri[f"{server}dataset/editions/miejsca-otwarte-2021"]
    assert "MIEJSCA OTWARTE (OPEN PLACES) 2021" in edition["title"]
    assert (edition["extras_by_key"]["temporal_start"], edition["extras_by_key"]["temporal_end"]) == \
        ("2021-11-23", "2021-11-25")
    files = {r["download_url"] for r in edition["resources"]}
    assert files == {f"{server}data/editions/miejsca-otwarte-2021.{ext}" for ext in ("ttl", "nt")}
    for url in files:
        graph = Graph().parse(data=requests.get(url, timeout=30).text, format="turtle" if url.endswith("ttl") else "nt")
        assert (URIRef(server + "event/miejsca-otwarte-2021"), None, None) in graph


def test_void_catalog_and_pages_point_at_each_other(server):
    void = Graph().parse(data=requests.get(server + ".well-known/void", headers={"Accept": "text/turtle"}, timeout=30).text,
                         format="turtle")
    assert (URIRef(server + "dataset"), URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef(server + "catalog")) in void
    home = requests.get(server, timeout=30).text
    assert f'<link rel="alternate" type="text/turtle" href="{server}catalog.ttl" title="DCAT-AP">' in home
    assert f'<link rel="describedby" type="text/turtle" href="{server}dataset.ttl" title="VoID">' in home
    assert f'href="{server}catalog"' in home


def test_sitemap_validates_and_every_url_in_it_answers(server):
    response = requests.get(server + "sitemap.xml", timeout=30)
    assert response.headers["Content-Type"].startswith("application/xml")
    schema = etree.XMLSchema(etree.parse(str(REFERENCE / "sitemap" / "sitemap.xsd")))
    document = etree.fromstring(response.content)
    schema.assertValid(document)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locations = document.xpath("//s:loc/text()", namespaces=ns)
    assert server in locations and server + "en/" in locations and server + "catalog" in locations
    assert len(locations) == len(set(locations)) > 80
    for url in locations:
        page = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html"), url
    for entry in document.xpath("//s:url", namespaces=ns):
        assert sorted(entry.xpath("x:link/@hreflang", namespaces=ns)) == ["en", "pl", "x-default"]


def test_robots_txt_names_the_sitemap(server):
    robots = requests.get(server + "robots.txt", timeout=30)
    assert robots.headers["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {server}sitemap.xml" in robots.text.splitlines()
