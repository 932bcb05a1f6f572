"""The server renders from the data in an on-disk Oxigraph store; the static export from an
in-memory rdflib copy. Both must be the same data and give the same documents."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from conftest import BASE
from publisher.config import DEFAULT_DATA, Settings
from publisher.namespaces import SCHEMA
from publisher.represent import RDF_FORMATS
from publisher.snapshot import build_snapshot
from publisher.store.graph import store_of
from publisher.void import graph_stats


@pytest.fixture(scope="module")
def snapshots():
    settings = Settings(base_url=BASE, data_paths=(DEFAULT_DATA,))
    served, exported = build_snapshot(settings), build_snapshot(settings, in_memory=True)
    yield served, exported
    served.discard()
    exported.discard()


def test_the_served_graph_is_read_from_the_store_and_the_exported_one_is_in_memory(snapshots):
    served, exported = snapshots
    assert store_of(served.graph) is not None and store_of(exported.graph) is None


def test_both_hold_the_same_triples_with_simple_literals_as_rdflib_parses_them(snapshots):
    served, exported = snapshots
    assert len(served.graph) == len(exported.graph) > 400
    assert set(served.graph) == set(exported.graph)
    names = set(served.graph.objects(URIRef(BASE + "event/miejsca-otwarte-2017"), SCHEMA.name))
    assert {name.language for name in names} == {"pl", "en"}
    assert all(o.datatype is None or str(o.datatype) != "http://www.w3.org/2001/XMLSchema#string"
               for o in served.graph.objects() if isinstance(o, Literal))


def test_counts_resources_void_and_catalog_agree(snapshots):
    served, exported = snapshots
    assert graph_stats(served.graph, BASE) == graph_stats(exported.graph, BASE)
    assert sorted(served.resources) == sorted(exported.resources)
    assert isomorphic(served.void, exported.void) and isomorphic(served.catalog, exported.catalog)


def test_every_document_is_the_same_bytes_from_either(snapshots):
    served, exported = snapshots
    for iri in sorted(served.resources):
        for fmt in RDF_FORMATS:
            assert served.render(iri, fmt).body == exported.render(iri, fmt).body, (iri, fmt.key)
        for lang in ("pl", "en"):
            assert served.render_html(iri, lang).body == exported.render_html(iri, lang).body, (iri, lang)


def test_the_served_graph_cannot_be_changed_and_impossible_lookups_find_nothing(snapshots):
    served, _exported = snapshots
    with pytest.raises(TypeError):
        served.graph.add((URIRef(BASE + "x"), SCHEMA.name, Literal("x")))
    assert list(served.graph.triples((Literal("not a subject"), None, None))) == []
    assert (URIRef(BASE + "nothing-here"), None, None) not in served.graph


def test_large_data_is_prepared_in_a_child_process_with_the_same_outcome(snapshots, monkeypatch):
    import publisher.snapshot as snapshot_module

    served, _exported = snapshots
    monkeypatch.setattr(snapshot_module, "PREPARE_ELSEWHERE_BYTES", 0)  # the real data counts as large
    calls = []
    real_executor = snapshot_module.ProcessPoolExecutor
    monkeypatch.setattr(snapshot_module, "ProcessPoolExecutor",
                        lambda *args, **kwargs: calls.append(args) or real_executor(*args, **kwargs))
    elsewhere = build_snapshot(served.settings)
    try:
        assert calls, "the preparation did not run in a child process"
        assert sorted(elsewhere.resources) == sorted(served.resources) and elsewhere.home == served.home
        assert {name: dump.etag for name, dump in elsewhere.dumps.items()} == \
            {name: dump.etag for name, dump in served.dumps.items()}
        assert isomorphic(elsewhere.void, served.void) and isomorphic(elsewhere.catalog, served.catalog)
        for iri in sorted(served.resources):
            for fmt in RDF_FORMATS:
                assert elsewhere.render(iri, fmt).body == served.render(iri, fmt).body, (iri, fmt.key)
            assert elsewhere.render_html(iri, "en").body == served.render_html(iri, "en").body, iri
    finally:
        elsewhere.discard()
