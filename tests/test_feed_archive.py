"""The change feed is an archived feed (RFC 5005 §4): a harvester reads the subscription document,
walks `prev-archive` back to the first change, and never fetches a full archive twice, because
its bytes never change, whatever changes later (a rename of a resource it lists included).

The data's history is a real git repository: organisations added and renamed commit by commit.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rdflib import Graph

from publisher.addresses import Urls
from publisher.config import DEFAULT_SITE_DESCRIPTION
from publisher.history import history
from publisher.represent.feed import PAGE_SIZE, archive_numbers, render_feed
from publisher.site import read_site
from test_incremental_build import commit

BASE = "http://127.0.0.1:8000/"
ATOM, FH = "{http://www.w3.org/2005/Atom}", "{http://purl.org/syndication/history/1.0}"
SITE = read_site(DEFAULT_SITE_DESCRIPTION, BASE)[0]
URLS = Urls(BASE, None, None, SITE.languages)


def organisations(numbers, renamed: dict[int, str] | None = None) -> str:
    names = renamed or {}
    return "@prefix schema: <http://schema.org/> .\n" + "".join(
        f'<organization/o-{n:04}> a schema:Organization ; schema:name "{names.get(n, f"Organizacja {n}")}"@pl .\n'
        for n in numbers)


def published(data: Path, text: str, when: str) -> dict[str, bytes]:
    """Commit `text` as the data at `when`; every document of the feed, by address, in Polish."""
    data.write_text(text, encoding="utf-8")
    commit(data, when)
    graph = Graph().parse(data, publicID=BASE)
    changes = history([data], graph, BASE, datetime.fromisoformat(when).astimezone(timezone.utc))
    documents = {URLS.changes("pl"): render_feed(changes, URLS, "pl", SITE)}
    for number in archive_numbers(changes):
        documents[URLS.changes_archive("pl", number)] = render_feed(changes, URLS, "pl", SITE, number)
    return documents


def links(document: bytes) -> dict[str, str]:
    return {link.get("rel"): link.get("href") for link in ET.fromstring(document).findall(f"{ATOM}link")}


def ids(document: bytes) -> list[str]:
    return [entry.find(f"{ATOM}id").text for entry in ET.fromstring(document).iter(f"{ATOM}entry")]


@pytest.fixture(scope="module")
def three_commits(tmp_path_factory) -> list[dict[str, bytes]]:
    """150 organisations; then the first renamed and 30 more; then 70 more (251 changes)."""
    data = tmp_path_factory.mktemp("repo") / "organisations.ttl"
    return [published(data, organisations(range(150)), "2030-01-01T10:00:00+00:00"),
            published(data, organisations(range(180), {0: "Nowa nazwa"}), "2030-02-01T10:00:00+00:00"),
            published(data, organisations(range(250), {0: "Nowa nazwa"}), "2030-03-01T10:00:00+00:00")]


def test_a_full_archive_keeps_its_bytes_whatever_changes_later(three_commits):
    first, second, third = three_commits
    oldest = URLS.changes_archive("pl", 1)
    assert len(ids(first[oldest])) == PAGE_SIZE and ET.fromstring(first[oldest]).find(f"{FH}archive") is not None
    assert b"Organizacja 0<" in first[oldest]  # the organisation renamed later, as it was named then
    assert first[oldest] == second[oldest] == third[oldest]
    # The block still filling grows and is no archive until full; then it never changes either.
    filling = URLS.changes_archive("pl", 2)
    assert len(ids(first[filling])) == 50 and ET.fromstring(first[filling]).find(f"{FH}archive") is None
    assert len(ids(third[filling])) == PAGE_SIZE and ET.fromstring(third[filling]).find(f"{FH}archive") is not None
    assert set(third) - set(first) == {URLS.changes_archive("pl", 3)}


def test_walking_back_from_the_subscription_document_meets_every_change_once(three_commits):
    *_, documents = three_commits
    subscription = documents[URLS.changes("pl")]
    assert len(ids(subscription)) == PAGE_SIZE and ET.fromstring(subscription).find(f"{FH}archive") is None
    archives, address = [], links(subscription)["prev-archive"]
    while address:  # RFC 5005 §4.2: the subscription document, then each prev-archive in turn
        archives.append(address)
        assert links(documents[address])["current"] == URLS.changes("pl")
        address = links(documents[address]).get("prev-archive")
    assert archives == [URLS.changes_archive("pl", 2), URLS.changes_archive("pl", 1)]
    archived = [i for address in archives for i in ids(documents[address])]
    # The archives hold each change once; the subscription document adds the 51 not yet archived
    # and repeats the newest archived ones with the same ids (§4.2: a client keeps one).
    assert len(archived) == len(set(archived)) == 2 * PAGE_SIZE
    every = set(archived) | set(ids(subscription))
    assert len(every) == 251 and len(set(ids(subscription)) & set(archived)) == PAGE_SIZE - 51
    # Forward, next-archive leads from the first archive to the block still filling: the same 51.
    address, forward = URLS.changes_archive("pl", 1), []
    while address:
        forward.append(address)
        address = links(documents[address]).get("next-archive")
    assert forward == [URLS.changes_archive("pl", n) for n in (1, 2, 3)]
    assert set(ids(documents[forward[-1]])) == every - set(archived)
