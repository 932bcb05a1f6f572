"""The site's identity is data: a deployment (here the synthetic city that `publisher synth`
writes, with its own site description) is named after itself everywhere, and never after the
conference whose data the project ships; the real data keeps its own name."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Graph, URIRef

from conftest import run_cli
from servers import free_port, publisher_server
from test_catalog import DCAT, DCT, shacl_results

CONFERENCE = re.compile(r"miejsca\s*otwarte|miejscaotwarte", re.IGNORECASE)
CITY = {"pl": "Miasto Syntetyczne", "en": "Synthetic City"}
CC0 = URIRef("http://publications.europa.eu/resource/authority/licence/CC0")
ATOM = "{http://www.w3.org/2005/Atom}"
# Every kind of thing the site says about itself: pages in both languages, the query page, the
# catalog and VoID in every RDF format, the change feed, the API description.
ADDRESSES = ["", "en/", "event/synth-000007", "en/event/synth-000007", "sparql", "en/sparql",
             "catalog.ttl", "catalog.jsonld", "catalog.nt", "catalog.rdf", "catalog", "en/catalog",
             "dataset.ttl", "dataset.jsonld", "dataset.nt", "dataset.rdf", ".well-known/void",
             "changes.atom", "en/changes.atom", "openapi.json"]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """`publisher synth --events 20`: the calendar and the site description written beside it."""
    folder = tmp_path_factory.mktemp("city")
    made = run_cli("synth", "--events", "20", "--out", str(folder / "city.ttl"))
    assert made.returncode == 0, made.stderr
    assert (folder / "city.site.ttl").exists() and "city.site.ttl" in made.stderr
    return folder


@pytest.fixture(scope="module")
def city_site(city):
    with publisher_server("--data", str(city / "city.ttl"), "--site-description", str(city / "city.site.ttl"),
                          "--workers", "1") as base:
        answers = {path: requests.get(base + path, timeout=30) for path in ADDRESSES}
        yield base, answers


def test_the_synthetic_city_is_served_under_its_own_name_and_never_the_conferences(city_site):
    _, answers = city_site
    for path, response in answers.items():
        assert response.status_code == 200, path
        assert not CONFERENCE.search(response.text), f"/{path} names the conference"
        for header, value in response.headers.items():
            assert not CONFERENCE.search(value), f"/{path} {header}: {value}"


def test_every_page_header_and_title_names_the_city(city_site):
    _, answers = city_site
    for lang, prefix in (("pl", ""), ("en", "en/")):
        for path in (prefix, f"{prefix}event/synth-000007", f"{prefix}catalog"):
            assert re.search(rf'<a class="home" href="[^"]*">{CITY[lang]}</a>', answers[path].text), path
        assert f"<title>{'Zapytanie SPARQL' if lang == 'pl' else 'SPARQL query'} — {CITY[lang]}</title>" \
            in answers[f"{prefix}sparql"].text


def test_catalog_void_feed_and_api_name_the_city_and_its_licence(city_site):
    base, answers = city_site
    catalog = Graph().parse(data=answers["catalog.ttl"].text, format="turtle")
    titles = {t.language: str(t) for t in catalog.objects(URIRef(base + "catalog"), DCT.title)}
    assert titles == {"pl": f"Katalog danych: {CITY['pl']}", "en": f"Data catalogue: {CITY['en']}"}
    assert set(catalog.objects(URIRef(base + "dataset"), DCT.license)) == {CC0}
    void = Graph().parse(data=answers["dataset.ttl"].text, format="turtle")
    assert set(void.objects(URIRef(base + "dataset"), DCT.license)) == {CC0}
    assert any(CITY["en"] in t for t in void.objects(URIRef(base + "dataset"), DCT.title))
    for lang, path in (("pl", "changes.atom"), ("en", "en/changes.atom")):
        feed = ET.fromstring(answers[path].content)
        assert CITY[lang] in feed.find(f"{ATOM}title").text
    assert answers["openapi.json"].json()["info"]["title"].startswith(CITY["en"])


def test_the_synthetic_catalog_passes_the_official_dcat_ap_shapes(city_site):
    catalog = Graph().parse(data=city_site[1]["catalog.ttl"].text, format="turtle")
    assert next(catalog.subjects(DCAT.dataset, None)) is not None
    assert shacl_results(catalog, "shapes.ttl") == []


def test_the_real_data_keeps_its_own_name(server):
    home = requests.get(server, timeout=30).text
    assert re.search(r'<a class="home" href="[^"]*">MIEJSCA OTWARTE</a>', home)
    feed = ET.fromstring(requests.get(server + "changes.atom", timeout=30).content)
    assert feed.find(f"{ATOM}title").text == "Zmiany w danych: MIEJSCA OTWARTE"
    catalog = Graph().parse(data=requests.get(server + "catalog.ttl", timeout=30).text, format="turtle")
    assert "Data catalogue: MIEJSCA OTWARTE" in {str(t) for t in catalog.objects(URIRef(server + "catalog"), DCT.title)}
    assert requests.get(server + "openapi.json", timeout=30).json()["info"]["title"].startswith("MIEJSCA OTWARTE")


def test_a_site_description_without_a_name_is_refused_with_what_is_missing(tmp_path, city):
    nameless = tmp_path / "nameless.site.ttl"
    nameless.write_text((city / "city.site.ttl").read_text(encoding="utf-8")
                        .replace('"Synthetic City"@en', '"Synthetic City"@de'), encoding="utf-8")
    refused = run_cli("serve", "--port", str(free_port()), "--data", str(city / "city.ttl"),
                      "--site-description", str(nameless))
    assert refused.returncode == 2
    assert "nameless.site.ttl" in refused.stderr and "the site's name (schema:name on <>) in 'en'" in refused.stderr


@pytest.mark.slow  # a real serve of its own
def test_a_site_descriptions_logo_heads_every_page_its_contact_is_the_catalogs_and_license_overrides_it(
        tmp_path, city):
    described = tmp_path / "logo.site.ttl"
    described.write_text((city / "city.site.ttl").read_text(encoding="utf-8") + """
<> schema:logo <static/city-logo.svg> .
<dataset> <http://www.w3.org/ns/dcat#contactPoint> <catalog#office> .
<catalog#office> a <http://www.w3.org/2006/vcard/ns#Kind> ;
    <http://www.w3.org/2006/vcard/ns#fn> "Biuro danych" ;
    <http://www.w3.org/2006/vcard/ns#hasEmail> <mailto:dane@example.org> .
""", encoding="utf-8")
    out = tmp_path / "export"
    built = run_cli("build", str(out), "--base-url", "http://127.0.0.1:9/", "--data", str(city / "city.ttl"),
                    "--site-description", str(described), "--license", "https://creativecommons.org/licenses/by/4.0/",
                    "--sparql-endpoint", "https://example.org/sparql")
    assert built.returncode == 0, built.stderr
    for page in ("index.html", "en/index.html", "catalog.html"):
        assert '<a class="home" href="http://127.0.0.1:9/' in (out / "public" / page).read_text(encoding="utf-8")
        assert '<img src="http://127.0.0.1:9/static/city-logo.svg" alt=""> ' in \
            (out / "public" / page).read_text(encoding="utf-8")
    void = Graph().parse(out / "public" / "dataset.ttl", format="turtle")
    assert set(void.objects(URIRef("http://127.0.0.1:9/dataset"), DCT.license)) == {
        URIRef("https://creativecommons.org/licenses/by/4.0/")}
    catalog = Graph().parse(out / "public" / "catalog.ttl", format="turtle")
    contacts = {(str(node), str(contact)) for node, contact in catalog.subject_objects(DCAT.contactPoint)}
    assert contacts == {("http://127.0.0.1:9/dataset", "http://127.0.0.1:9/catalog#office"),
                        ("http://127.0.0.1:9/catalog#sparql-service", "http://127.0.0.1:9/catalog#office")}
