"""What a harvester sees change: two versions of the data, committed to git, and the change feed
and the catalog's modified_since filter that follow from them.

Version 1 is the real data without the 2023 edition, plus one extra organisation; version 2
changes the 2021 edition, adds the 2023 edition and removes the extra organisation (tombstone).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import requests

from conftest import ROOT
from servers import free_port, nginx_export, publisher_server, world_readable_directory
from test_catalog import harvest

ATOM = "{http://www.w3.org/2005/Atom}"
V1, V2 = "2030-01-01T10:00:00+00:00", "2030-02-01T10:00:00+00:00"
EXTRA = """@prefix schema: <http://schema.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
<organization/test-extra> a schema:Organization ;
    schema:name "Organizacja testowa"@pl , "Test organisation"@en ;
    dct:source <https://example.org/test> .
"""
REMOVED = """@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<organization/test-extra> prov:invalidatedAtTime "2030-02-01"^^xsd:date .
"""


def git(repo, *args, when: str | None = None):
    env = {**os.environ, **({"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {})}
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=Editor", "-c", "user.email=editor@example.org", *args],
                   check=True, capture_output=True, env=env)


@pytest.fixture(scope="module")
def repo():
    """A city's data repository with two commits: version 1, then version 2."""
    repo = world_readable_directory()
    data = repo / "data"
    (data / "editions").mkdir(parents=True)
    for name in ("event.ttl", "series.ttl", "editions/miejsca-otwarte-2021.ttl"):
        shutil.copy(ROOT / "data" / name, data / name)
    (data / "extra.ttl").write_text(EXTRA, encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "data")
    git(repo, "commit", "-qm", "Version 1", when=V1)
    edition = data / "editions" / "miejsca-otwarte-2021.ttl"
    edition.write_text(edition.read_text(encoding="utf-8").replace("ponad 110 miejsc", "ponad 110 miejsc (zmiana)"),
                       encoding="utf-8")
    shutil.copy(ROOT / "data" / "editions" / "miejsca-otwarte-2023.ttl", data / "editions")
    (data / "extra.ttl").write_text(REMOVED, encoding="utf-8")
    git(repo, "add", "data")
    git(repo, "commit", "-qm", "Version 2", when=V2)
    yield data
    shutil.rmtree(repo, ignore_errors=True)


@pytest.fixture(scope="module")
def servers(repo):
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    args = ("--data", str(repo), "--catalog-page-size", "1")
    with nginx_export("--sparql-endpoint", base + "sparql", *args, port=port), \
            publisher_server("--base-url", base, *args) as app:
        yield app, base


@pytest.fixture(scope="module")
def app_alone(repo):
    """The app on its own base URL: its Hydra links lead back to it (a static export does not
    filter by modified_since: behind nginx a harvester gets every dataset)."""
    with publisher_server("--data", str(repo), "--catalog-page-size", "1") as app:
        yield app


def feed_entries(url: str) -> list[tuple[str, str, str]]:
    """(resource, activity, updated) of every change, newest first: the subscription document,
    then each archive its rel="prev-archive" leads to (RFC 5005 §4.2), each entry once."""
    entries, seen = [], set()
    while url:
        feed = ET.fromstring(requests.get(url, timeout=30).content)
        for entry in feed.iter(f"{ATOM}entry"):
            if entry.find(f"{ATOM}id").text not in seen:
                seen.add(entry.find(f"{ATOM}id").text)
                link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
                entries.append((link, entry.find(f"{ATOM}category").get("term"), entry.find(f"{ATOM}updated").text))
        following = feed.find(f"{ATOM}link[@rel='prev-archive']")
        url = following.get("href") if following is not None else None
    return entries


def test_the_feed_lists_exactly_the_differences_between_the_versions(app_alone):
    app = base = app_alone
    entries = feed_entries(app + "changes.atom")
    latest = {(link[len(base):], kind) for link, kind, updated in entries if updated == "2030-02-01T10:00:00Z"}
    assert latest == {("event/miejsca-otwarte-2021", "Update"), ("event/miejsca-otwarte-2023", "Create"),
                      ("place/krakow", "Create"), ("organization/fundacja-biuro-inicjatyw-spolecznych", "Create"),
                      ("organization/test-extra", "Delete")}
    first = [kind for _link, kind, updated in entries if updated == "2030-01-01T10:00:00Z"]
    assert first and set(first) == {"Create"}  # version 1: everything was new
    assert len(entries) == len(first) + len(latest)  # nothing else, and newest first:
    assert [updated for *_, updated in entries] == sorted((u for *_, u in entries), reverse=True)


def test_entry_ids_are_stable_and_the_feed_is_valid_atom(app_alone):
    app = app_alone
    first, again = (ET.fromstring(requests.get(app + "changes.atom", timeout=30).content) for _ in range(2))
    ids = [e.find(f"{ATOM}id").text for e in first.iter(f"{ATOM}entry")]
    assert ids == [e.find(f"{ATOM}id").text for e in again.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids)) and all(i.startswith("urn:uuid:") for i in ids)
    for required in ("id", "title", "updated", "author"):
        assert first.find(f"{ATOM}{required}") is not None
    english = ET.fromstring(requests.get(app + "en/changes.atom", timeout=30).content)
    titles = [e.find(f"{ATOM}title").text for e in english.iter(f"{ATOM}entry")]
    assert "Removed: organization/test-extra" in titles and "Changed: MIEJSCA OTWARTE (OPEN PLACES) 2021" in titles


@pytest.mark.slow  # runs CKAN's harvester
def test_a_harvester_asking_what_changed_gets_only_the_changed_datasets(app_alone):
    app = base = app_alone
    harvested = harvest(app + "catalog?modified_since=2030-01-15")
    uris = {e["value"] for d in harvested["datasets"] for e in d["extras"] if e["key"] == "uri"}
    assert uris == {base + "dataset", base + "dataset/editions/miejsca-otwarte-2021",
                    base + "dataset/editions/miejsca-otwarte-2023", base + "dataset/extra"}
    assert len(harvested["pages"]) == 4  # one dataset a page: it followed hydra:next three times
    everything = harvest(app + "catalog")
    assert len(everything["datasets"]) == 6 and len(everything["pages"]) == 6
    assert harvest(app + "catalog?modified_since=2031-01-01")["datasets"] == []


@pytest.mark.slow  # builds the export and starts nginx
def test_the_static_export_publishes_the_same_feed_and_catalog_pages(servers):
    app, base = servers
    for path in ("changes.atom", "en/changes.atom", "changes-1.atom", "en/changes-1.atom", "catalog",
                 "catalog?page=2", "catalog?page=6", "dataset/extra", "data/editions/miejsca-otwarte-2023.nt"):
        ours = requests.get(app + path, headers={"Accept": "text/turtle"}, timeout=30)
        theirs = requests.get(base + path, headers={"Accept": "text/turtle"}, timeout=30)
        assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content), path
        assert ours.status_code == 200
    assert requests.get(base + "catalog?page=7", timeout=30).status_code == 404
    # Fewer changes than an archive holds: the first block is still filling, there is no second,
    # and the pages of the paged feed this one replaced are gone from both alike.
    for path in ("changes-2.atom", "changes-01.atom", "en/changes-0.atom", "changes.atom?page=2"):
        ours, theirs = (requests.get(server + path, timeout=30) for server in (app, base))
        assert ours.status_code == theirs.status_code == 404, path
    assert requests.get(base + "organization/test-extra", timeout=30).status_code == 410
