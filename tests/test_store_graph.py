"""The server renders from the data in an on-disk Oxigraph store; the static export from an
in-memory rdflib copy. Both must be the same data and give the same documents."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from conftest import BASE
from publisher.config import DEFAULT_DATA, Settings
from publisher.formats import RDF_DOCUMENT_FORMATS
from publisher.namespaces import SCHEMA
from publisher.preparing import build_snapshot
from publisher.rendering import Rendering
from publisher.store.oxigraph_graph import store_of
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
    served, exported = map(Rendering, snapshots)
    for iri in sorted(served.snapshot.resources):
        for fmt in RDF_DOCUMENT_FORMATS:
            assert served.document(iri, fmt).body == exported.document(iri, fmt).body, (iri, fmt.key)
        for lang in ("pl", "en"):
            assert served.html(iri, lang).body == exported.html(iri, lang).body, (iri, lang)


def test_the_served_graph_cannot_be_changed_and_impossible_lookups_find_nothing(snapshots):
    served, _exported = snapshots
    with pytest.raises(TypeError):
        served.graph.add((URIRef(BASE + "x"), SCHEMA.name, Literal("x")))
    assert list(served.graph.triples((Literal("not a subject"), None, None))) == []
    assert (URIRef(BASE + "nothing-here"), None, None) not in served.graph


@pytest.mark.slow  # prepares the whole snapshot again, in a child process
@pytest.mark.parametrize("in_memory", [False, True], ids=["served", "exported"])
def test_large_data_is_prepared_in_a_child_process_with_the_same_outcome(snapshots, monkeypatch, in_memory):
    # The export starts the child before validating (both then use a core); serving after.
    import publisher.preparing as preparing

    served, _exported = snapshots
    monkeypatch.setattr(preparing, "PREPARE_ELSEWHERE_BYTES", 0)  # the real data counts as large
    started = []
    real = preparing._PreparingElsewhere
    monkeypatch.setattr(preparing, "_PreparingElsewhere", lambda *args: started.append(args) or real(*args))
    elsewhere = build_snapshot(served.settings, in_memory=in_memory)
    try:
        assert started, "the preparation did not run in a child process"
        assert (store_of(elsewhere.graph) is None) == in_memory
        assert set(elsewhere.graph) == set(served.graph)
        assert sorted(elsewhere.resources) == sorted(served.resources) and elsewhere.home == served.home
        assert {name: dump.etag for name, dump in elsewhere.dumps.items()} == \
            {name: dump.etag for name, dump in served.dumps.items()}
        assert isomorphic(elsewhere.void, served.void) and isomorphic(elsewhere.catalog, served.catalog)
        mine, theirs = Rendering(elsewhere), Rendering(served)
        for iri in sorted(served.resources):
            for fmt in RDF_DOCUMENT_FORMATS:
                assert mine.document(iri, fmt).body == theirs.document(iri, fmt).body, (iri, fmt.key)
            assert mine.html(iri, "en").body == theirs.html(iri, "en").body, iri
    finally:
        elsewhere.discard()


def test_refused_data_stops_the_child_preparing_it_and_leaves_no_folder(tmp_path, monkeypatch):
    import multiprocessing

    import publisher.preparing as preparing
    from publisher.preparing import InvalidData

    broken = tmp_path / "event.ttl"
    broken.write_text((DEFAULT_DATA / "event.ttl").read_text(encoding="utf-8")
                      .replace('schema:startDate "2017-11-16"^^xsd:date ;', ""), encoding="utf-8")
    monkeypatch.setattr(preparing, "PREPARE_ELSEWHERE_BYTES", 0)
    folders = []
    real = preparing.scratch_dir
    monkeypatch.setattr(preparing, "scratch_dir", lambda kind: folders.append(real(kind)) or folders[-1])
    with pytest.raises(InvalidData):
        build_snapshot(Settings(base_url=BASE, data_paths=(broken,)), in_memory=True)
    assert folders and not folders[0].exists()
    assert not [p for p in multiprocessing.active_children() if p.name == "publisher-prepare"]
