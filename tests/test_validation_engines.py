"""The fast validator (the shapes compiled to SPARQL over pyoxigraph) gives exactly pySHACL's report.

pySHACL is the reference; the compiled shapes are what `validate`, `serve` and `build` use,
because they check every focus node at once (20–40× faster from 1,000 events). Both read the
same files and must report the same problems, word for word, with the same file and line: on
the published data, on broken variants of it (every kind of fact removed, retyped, moved to
another language, duplicated, pointed elsewhere), on the lifecycle fixture and on synthetic data.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef

from publisher.load import LoadedData, StoredData, load, load_stored
from publisher.namespaces import SCHEMA
from publisher.shacl_sparql import Unsupported
from publisher.synth import write_synthetic
from publisher.validate import load_shapes, validate

from conftest import BASE, ROOT

SHAPES = load_shapes(ROOT / "shapes")
# The variants feed rdflib ill-typed literals on purpose; its warnings about them are expected.
# Slow: pySHACL, the reference, takes seconds a run.
pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning"), pytest.mark.slow]


def problems(report) -> list[tuple]:
    return sorted((tuple(asdict(p).values()) for p in report.problems), key=repr)


def assert_same_report(paths: list[Path]) -> list[tuple]:
    stored = load_stored(paths, BASE)
    assert isinstance(stored, StoredData)  # pyoxigraph read the files: no fallback hides a difference
    fast = validate(stored, SHAPES, lang="en", engine="sparql")
    reference = validate(load(paths, BASE), SHAPES, lang="en", engine="pyshacl")
    assert problems(fast) == problems(reference)
    assert fast.conforms == reference.conforms
    return problems(fast)


# The one place the two differ, on purpose: a value that cannot be compared with the other
# property's (here an ill-formed date) violates sh:lessThanOrEquals, as the SHACL spec says;
# pySHACL lets it pass. Such values are reported by sh:datatype either way.
# (pySHACL even fails with a TypeError when the ill-formed value is on the left.)
LESS_THAN_OR_EQUALS, PATH = (URIRef("http://www.w3.org/ns/shacl#" + name) for name in ("lessThanOrEquals", "path"))
COMPARED = {node for shape, other in SHAPES.subject_objects(LESS_THAN_OR_EQUALS)
            for node in (other, SHAPES.value(shape, PATH))}


def test_an_incomparable_value_violates_less_than_or_equals_as_the_spec_says(tmp_path):
    path = tmp_path / "event.ttl"
    path.write_text((ROOT / "data" / "event.ttl").read_text(encoding="utf-8").replace(
        'schema:endDate "2017-11-17"^^xsd:date', 'schema:endDate "17 XI 2017"^^xsd:date'), encoding="utf-8")
    paths = [path] + [p for p in (ROOT / "data").rglob("*.ttl") if p.name != "event.ttl"]
    found = {(p.path, p.value) for p in validate(load_stored(paths, BASE), SHAPES, lang="en").problems
             if p.severity == "violation"}
    assert ("schema:endDate", "17 XI 2017") in found  # ill-formed: sh:datatype
    assert ("schema:startDate", "2017-11-16") in found  # not comparable with it: sh:lessThanOrEquals


def variants(graph: Graph) -> list[tuple[str, object]]:
    """For the first statement of each property in the data: ways an editor could break it."""
    found = []
    for predicate in sorted(set(graph.predicates())):
        s, p, o = min(graph.triples((None, predicate, None)))
        found.append((f"remove {p}", [("remove", (s, p, o))]))
        if p == RDF.type:
            found.append((f"retype {s}", [("remove", (s, p, o)), ("add", (s, p, SCHEMA.Thing))]))
        elif isinstance(o, Literal) and o.language:
            found.append((f"{p} in German", [("remove", (s, p, o)), ("add", (s, p, Literal(str(o), lang="de")))]))
            found.append((f"second {p} @{o.language}", [("add", (s, p, Literal(str(o) + " (2)", lang=o.language)))]))
            found.append((f"{p} without language", [("remove", (s, p, o)), ("add", (s, p, Literal(str(o))))]))
        elif isinstance(o, Literal):
            if p not in COMPARED:
                found.append((f"{p} ill-formed", [("remove", (s, p, o)),
                                                  ("add", (s, p, Literal("nie", datatype=o.datatype)))]))
            found.append((f"{p} as an IRI", [("remove", (s, p, o)), ("add", (s, p, URIRef(BASE + "elsewhere")))]))
            later = "2030" + str(o)[4:] if o.datatype in (XSD.date, XSD.dateTime) else "2030-01-01"
            found.append((f"second {p}", [("add", (s, p, Literal(later, datatype=o.datatype or XSD.date)))]))
        else:
            found.append((f"{p} as text", [("remove", (s, p, o)), ("add", (s, p, Literal(str(o))))]))
            found.append((f"{p} to an undescribed node", [("remove", (s, p, o)), ("add", (s, p, URIRef(BASE + "nowhere")))]))
    return found


PUBLISHED = load([ROOT / "data"], BASE).graph
with warnings.catch_warnings():  # rdflib warns about the ill-typed literals made here on purpose
    warnings.simplefilter("ignore")
    VARIANTS = variants(PUBLISHED)
BATCH = 6  # variants applied together, on different facts: fewer runs of pySHACL


def broken(variants) -> Graph:
    """The published data with the edits of `variants` applied."""
    graph = Graph()
    graph += PUBLISHED
    for _name, edits in variants:
        for action, triple in edits:
            (graph.remove if action == "remove" else graph.add)(triple)
    return graph


@pytest.mark.parametrize("start", range(0, len(VARIANTS), BATCH))
def test_broken_variants_of_the_published_data_get_the_same_report(start, tmp_path):
    graph = broken(VARIANTS[start:start + BATCH])
    path = tmp_path / "broken.ttl"
    graph.serialize(path, format="turtle", base=BASE)
    assert_same_report([path])


def test_the_variants_break_the_data_in_many_ways():
    """The variants above are real breakage, caught by many different rules, not edits the shapes
    ignore (some are: properties no shape constrains)."""
    published = set(problems(validate(LoadedData(PUBLISHED, [], BASE), SHAPES, engine="sparql")))
    changed, rules = 0, set()
    for variant in VARIANTS:
        new = set(problems(validate(LoadedData(broken([variant]), [], BASE), SHAPES, engine="sparql"))) - published
        changed += bool(new)
        rules |= {(severity, message) for severity, _node, _label, _path, message, *_rest in new}
    assert changed >= 80 and len({m for s, m in rules if s == "violation"}) >= 30, (changed, len(rules))


def test_the_published_data_and_the_lifecycle_fixture_get_the_same_report():
    assert assert_same_report([ROOT / "data"])
    assert_same_report([ROOT / "data", ROOT / "tests" / "fixtures" / "lifecycle" / "changes.ttl"])


def test_synthetic_events_get_the_same_report(tmp_path):
    path = tmp_path / "city.ttl"
    write_synthetic(60, 3, path, ROOT / "data")
    assert assert_same_report([path])


def test_shapes_the_compiler_does_not_know_are_checked_by_pyshacl(tmp_path):
    extra = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix schema: <http://schema.org/> .
        <urn:x:ShortNames> a sh:NodeShape ; sh:targetClass schema:Event ;
            sh:property [ sh:path schema:name ; sh:maxLength 5 ; sh:message "Too long."@en ] .
        """, format="turtle")
    shapes = Graph()
    shapes += SHAPES
    shapes += extra
    data = load_stored([ROOT / "data"], BASE)
    with pytest.raises(Unsupported, match="maxLength"):
        validate(data, shapes, engine="sparql")
    report = validate(data, shapes, lang="en")  # auto: pySHACL takes over
    assert not report.conforms and any(p.message == "Too long." for p in report.problems)


def test_data_pyoxigraph_cannot_read_falls_back_to_rdflib_and_its_plain_error(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text('<a> <b> "unterminated .\n', encoding="utf-8")
    from publisher.load import DataError

    with pytest.raises(DataError, match="Turtle syntax error"):
        load_stored([broken], BASE)
    assert isinstance(load_stored([ROOT / "data"], BASE), StoredData)
    assert isinstance(load([ROOT / "data"], BASE), LoadedData)
