"""The format registry: one entry a format, and what each use of a format needs is there."""

import pickle

import pytest

from publisher.formats import (DOCUMENT_FORMATS, DUMP_FORMATS, FORMATS, GRAPH_RESULT_FORMATS, PART_FORMATS,
                               SOLUTION_FORMATS, W3C, by_key)
from publisher.represent.rdf import SERIALIZERS


def test_keys_extensions_and_media_types_name_one_format_each():
    assert len({fmt.key for fmt in FORMATS}) == len(FORMATS)
    for kind in (DOCUMENT_FORMATS, GRAPH_RESULT_FORMATS, SOLUTION_FORMATS):
        assert len({fmt.media_type for fmt in kind}) == len(kind)
    with_files = [fmt for fmt in FORMATS if fmt.extension]
    assert len({fmt.extension for fmt in with_files}) == len(with_files)


@pytest.mark.parametrize("fmt", [fmt for fmt in FORMATS if fmt.rdf], ids=lambda fmt: fmt.key)
def test_every_rdf_format_has_a_serializer_a_w3c_iri_and_a_file_name(fmt):
    assert fmt.key in SERIALIZERS
    assert fmt.iri.startswith(W3C)
    assert fmt.extension and fmt.label


@pytest.mark.parametrize("fmt", DUMP_FORMATS + PART_FORMATS, ids=lambda fmt: fmt.key)
def test_a_dump_format_is_written_by_pyoxigraph_and_named_in_the_catalog(fmt):
    """Whole-graph dumps are written by the store; the catalog names each file's EU file type."""
    assert fmt.oxigraph is not None and fmt.file_type


def test_a_format_sent_to_another_process_is_the_registry_s_own():
    for fmt in FORMATS:
        assert pickle.loads(pickle.dumps(fmt)) is fmt is by_key(fmt.key)


def test_an_alias_is_never_a_type_offered_under_its_own_name():
    for kind in (DOCUMENT_FORMATS, GRAPH_RESULT_FORMATS, SOLUTION_FORMATS):
        offered = {fmt.media_type for fmt in kind}
        assert not offered & {alias for fmt in kind for alias in fmt.aliases + fmt.endpoint_aliases}
