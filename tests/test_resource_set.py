"""Which IRIs a snapshot serves: the data's (kept as digests), the VoID and catalog graphs',
less those served by their own routes and those that left the data."""

from __future__ import annotations

import pickle

from rdflib import URIRef

from conftest import BASE
from publisher.config import DEFAULT_DATA, Settings
from publisher.describe import resource_iris
from publisher.resource_set import ResourceSet, digests
from publisher.preparing import build_snapshot

DATA = [URIRef(BASE + f"event/{n}") for n in range(1000)]
EXTRA = [URIRef(BASE + "catalog"), URIRef(BASE + "event/7")]  # one of them is also in the data
EXCLUDED = [URIRef(BASE + "event/3"), URIRef(BASE + "sparql")]


def resource_set() -> ResourceSet:
    return ResourceSet(digests(DATA), EXTRA, EXCLUDED, lambda: set(DATA))


def test_it_answers_as_the_set_it_stands_for():
    expected = (set(DATA) | set(EXTRA)) - set(EXCLUDED)
    resources = resource_set()
    for iri in [*DATA, *EXTRA, *EXCLUDED, URIRef(BASE + "event/1000"), URIRef(BASE + "event/")]:
        assert (iri in resources) == (iri in expected), iri
    assert "not an IRI" not in resources and 7 not in resources
    assert len(resources) == len(expected) == 1000
    assert sorted(resources) == sorted(expected)


def test_the_data_part_is_a_few_bytes_an_iri_and_survives_being_handed_to_another_process():
    data = pickle.loads(pickle.dumps(digests(DATA)))
    assert len(pickle.dumps(data)) < 10 * len(DATA)
    assert URIRef(BASE + "event/999") in ResourceSet(data, [], [], lambda: set(DATA))


def test_a_snapshot_serves_every_local_iri_of_its_graphs_but_its_routes_and_ended_ones():
    snapshot = build_snapshot(Settings(base_url=BASE, data_paths=(DEFAULT_DATA,)))
    try:
        named = (resource_iris(snapshot.graph, BASE) | resource_iris(snapshot.void, BASE)
                 | resource_iris(snapshot.catalog, BASE))
        routes = {URIRef(BASE), URIRef(BASE + "sparql"), URIRef(BASE + "changes.atom"),
                  URIRef(BASE + ".well-known/void")} | {URIRef(BASE + name) for name in snapshot.dumps | snapshot.part_dumps}
        expected = {iri for iri in named - routes if iri not in snapshot.lifecycle}
        assert len(expected) > 20
        assert set(snapshot.resources) == expected and len(snapshot.resources) == len(expected)
        assert all(iri in snapshot.resources for iri in expected)
        assert not any(iri in snapshot.resources for iri in routes)
    finally:
        snapshot.discard()
