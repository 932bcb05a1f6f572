"""What `publisher serve` does beyond dereferencing: it refuses bad data, and honours a path base."""

from __future__ import annotations

from rdflib import URIRef

from conftest import ROOT, run_cli
from servers import free_port, publisher_server
from test_dereference import get, parse


def test_serve_refuses_invalid_data_and_prints_the_report(tmp_path):
    broken = tmp_path / "event.ttl"
    broken.write_text((ROOT / "data" / "event.ttl").read_text(encoding="utf-8")
                      .replace('schema:startDate "2017-11-16"^^xsd:date ;', ""), encoding="utf-8")
    result = run_cli("serve", "--port", "1", "--data", str(broken), "--lang", "en")
    assert result.returncode == 1
    assert "schema:startDate" in result.stderr and "Refused: the data does not conform" in result.stderr


def test_a_base_url_with_a_path_prefix_is_served_below_it():
    port = free_port()
    base = f"http://127.0.0.1:{port}/dane/"
    with publisher_server("--base-url", base, port=port):
        response = get(base + "event/miejsca-otwarte-2017", "text/turtle")
        assert response.status_code == 200
        assert URIRef(base + "event/miejsca-otwarte-2017") in set(parse(response.content, "turtle", base).subjects())
        assert get(f"http://127.0.0.1:{port}/event/miejsca-otwarte-2017", "text/turtle").status_code == 404


def test_workers_skip_validation_only_for_exactly_the_files_the_master_validated(tmp_path):
    import os

    import pytest

    from publisher.config import Handover, Settings
    from publisher.load import fingerprint
    from publisher.preparing import InvalidData, check_data

    live = tmp_path / "event.ttl"
    live.write_text((ROOT / "data" / "event.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(data_paths=(live,))
    handover = Handover(validated=fingerprint(settings.data_paths))
    assert check_data(settings, handover=handover) is None  # trusted: not read, not validated
    assert check_data(settings).triple_count() == 399  # validated
    # The file changes after the master's check: the worker validates, and refuses it.
    live.write_text(live.read_text(encoding="utf-8").replace('schema:startDate "2017-11-16"^^xsd:date ;', ""),
                    encoding="utf-8")
    os.utime(live, ns=(1, 1))
    with pytest.raises(InvalidData):
        check_data(settings, handover=handover)


def test_settings_and_the_masters_handover_travel_to_workers_through_the_environment_unchanged():
    from pathlib import Path

    from publisher.config import Handover, Settings

    settings = Settings(base_url="http://127.0.0.1:1/dane", data_paths=(Path("a.ttl"), Path("b")),
                        store_url="http://127.0.0.1:2/query", serve_sparql=False, query_timeout=3.5,
                        reload_interval=0.5)
    handover = Handover(validated="abc")
    environ = {**settings.to_environ(), **handover.to_environ()}
    assert Settings.from_environ(environ) == settings and Handover.from_environ(environ) == handover
    assert Settings.from_environ({}) == Settings() and Handover.from_environ({}) == Handover()


def test_a_server_removes_the_working_folders_of_killed_servers_and_builds(tmp_path, monkeypatch):
    import os
    import tempfile

    from publisher.working_dirs import server_scratch

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = 2 ** 30  # above any pid_max: no such process
    killed = [tmp_path / f"publisher-serve-{dead}-abc", tmp_path / f"publisher-dumps-{dead}-def"]
    kept = [tmp_path / f"publisher-dumps-{os.getpid()}-ghi", tmp_path / "publisher-export-jkl", tmp_path / "other"]
    for folder in killed + kept:
        folder.mkdir()
    with server_scratch() as root:
        assert root.name.startswith(f"publisher-serve-{os.getpid()}-")
        assert [f for f in killed if f.exists()] == [] and all(f.exists() for f in kept)
    assert not root.exists()
