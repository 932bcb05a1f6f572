"""Bad data never replaces good data: a character XML cannot carry is refused with a plain
report, and a reload that fails, however it fails, leaves the last valid data serving."""

from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest
import requests
from lxml import etree

from conftest import BASE, run_cli
from publisher.config import Handover, Settings
from publisher.server import reload_if_valid
from publisher.preparing import build_snapshot
from publisher.web.state import PublisherState
from publisher.xml_chars import NOT_XML_CHAR
from servers import publisher_server, server_master
from test_reload import ORIGINAL, dump, live_copy

NAME_EN = '"OPEN PLACES. A space for neighbourhood encounters"@en'
LOCALITY = '"Warszawa"@pl'
WEBSITE = "schema:url <http://miejscaotwarte.pl/> ;"


def with_escape(escape: str, where: str) -> str:
    """The event data with one Turtle escape in a name, in a locality (not a shaped text) or in an IRI."""
    if where == "name":
        return ORIGINAL.replace(NAME_EN, f'"OPEN {escape}PLACES"@en')
    if where == "locality":
        return ORIGINAL.replace(LOCALITY, f'"War{escape}szawa"@pl')
    return ORIGINAL.replace(WEBSITE, f"schema:url <http://miejscaotwarte.pl/{escape}> ;")


def test_exactly_the_characters_xml_1_0_forbids_are_refused():
    """The check agrees with a real XML parser (a character reference must be a Char) on every
    code point of the BMP, surrogate halves included, and on the edges of the other planes."""
    for point in [*range(0x10000), 0x10000, 0x1FFFE, 0x1FFFF, 0x10FFFF]:
        try:
            etree.fromstring(f"<a>&#x{point:X};</a>".encode())
            xml_allows = True
        except etree.XMLSyntaxError:
            xml_allows = False
        assert bool(NOT_XML_CHAR.search(chr(point))) is not xml_allows, f"U+{point:04X}"


@pytest.mark.parametrize("escape, code, where", [
    ("\\uD800", "U+D800", "name"), ("\\uDFFF", "U+DFFF", "locality"), ("\\uFFFE", "U+FFFE", "name"),
    ("\\uFFFF", "U+FFFF", "locality"), ("\\u0001", "U+0001", "locality"), ("\\u001B", "U+001B", "name"),
    ("\\uD800", "U+D800", "iri"), ("\\uFFFF", "U+FFFF", "iri"), ("\\u0008", "U+0008", "iri"),
])
def test_validate_refuses_a_character_xml_cannot_carry_with_a_plain_report(tmp_path, escape, code, where):
    bad = tmp_path / "event.ttl"
    bad.write_text(with_escape(escape, where), encoding="utf-8")
    result = run_cli("validate", "--lang", "en", str(bad))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    thing = "This IRI" if where == "iri" else "This value"
    assert f"{thing} contains what XML does not allow: {code}" in result.stdout
    problem = next(text for text in result.stdout.split("ERROR  ")[1:] if code in text)
    assert re.match(r"\S*event\.ttl:\d+ ", problem)  # the file, and the line of the resource
    assert f"value: {'http://miejscaotwarte.pl/' if where == 'iri' else ''}" in problem and escape in problem


def test_the_report_is_in_polish_and_as_json_too(tmp_path):
    bad = tmp_path / "event.ttl"
    bad.write_text(with_escape("\\uD800", "name"), encoding="utf-8")
    polish = run_cli("validate", str(bad))
    assert polish.returncode == 1 and "Ta wartość zawiera coś, czego XML nie dopuszcza: U+D800" in polish.stdout
    as_json = run_cli("validate", "--format", "json", "--lang", "en", str(bad))
    assert as_json.returncode == 1 and "Traceback" not in as_json.stderr
    problems = json.loads(as_json.stdout)["problems"]
    found = [p for p in problems if "U+D800" in p["message"]]
    assert found == [{**found[0], "path": "schema:name", "value": "OPEN \\uD800PLACES", "node": "event/miejsca-otwarte-2017"}]
    described_at = ORIGINAL.splitlines().index("<event/miejsca-otwarte-2017> a schema:Event ;") + 1
    assert found[0]["file"].endswith("event.ttl") and found[0]["line"] == described_at


def test_characters_xml_allows_are_accepted(tmp_path):
    good = tmp_path / "event.ttl"
    good.write_text(ORIGINAL.replace(NAME_EN, '"OPEN\\tPLACES \\uFFFD \\uFDD0 \\U0010FFFF \\r"@en'), encoding="utf-8")
    result = run_cli("validate", "--lang", "en", str(good))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # a real serve, watched through two changes
def test_a_watched_file_with_a_bad_character_is_refused_and_the_next_valid_change_is_served(tmp_path):
    data, live, log = live_copy(tmp_path)
    with publisher_server("--data", str(data), "--reload-interval", "0.5", "--workers", "1", log=log) as base:
        before = dump(base)
        live.write_text(with_escape("\\uD800", "name"), encoding="utf-8")
        wait_for(lambda: "still serving the last valid data" in log.read_text(), timeout=60)
        assert dump(base) == before and "U+D800" in log.read_text()
        assert "Traceback" not in log.read_text()

        live.write_text(ORIGINAL.replace(NAME_EN, '"OPEN PLACES (after)"@en'), encoding="utf-8")
        wait_for(lambda: b"OPEN PLACES (after)" in dump(base), timeout=60)  # the watcher survived


def stopped(pid: int) -> bool:
    """Ended (a zombie until the test's Popen reaps it counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.slow  # a real serve, reloaded twice
def test_sighup_with_a_bad_character_keeps_serving_and_sigterm_still_stops(tmp_path):
    data, live, log = live_copy(tmp_path)
    # Two workers: both are replaced. (Validating inside the signal handler once stalled Granian's
    # main loop, the workers never replaced: publisher.server.SighupReloader.)
    with publisher_server("--data", str(data), "--reload-interval", "0", "--workers", "2", log=log) as base:
        master = server_master(int(base.rsplit(":", 1)[1].strip("/")))
        before = dump(base)
        live.write_text(with_escape("\\uD800", "name"), encoding="utf-8")
        os.kill(master, signal.SIGHUP)
        wait_for(lambda: "SIGHUP: data reload rejected" in log.read_text(), timeout=60)  # validated first
        assert "U+D800" in log.read_text()
        for _ in range(10):  # the worker, with its dumps and sitemaps on disk
            assert dump(base) == before
            assert requests.get(base + "sitemap.xml", timeout=30).status_code == 200

        live.write_text(ORIGINAL.replace(NAME_EN, '"OPEN PLACES (hup)"@en'), encoding="utf-8")
        os.kill(master, signal.SIGHUP)
        # Granian replaces the workers one after the other: a new one starts, then the old stops.
        wait_for(lambda: all(f"Stopped old worker-{n}" in log.read_text() for n in (1, 2)), timeout=90)
        assert all(b"OPEN PLACES (hup)" in dump(base) for _ in range(10)), log.read_text()[-3000:]

        os.kill(master, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not stopped(master):
            time.sleep(0.2)
        assert stopped(master)
        with pytest.raises(requests.ConnectionError):  # no orphaned worker kept the port
            requests.get(base, timeout=5)


def test_an_unexpected_error_in_a_watched_reload_is_logged_and_the_watcher_keeps_watching(tmp_path, monkeypatch,
                                                                                          caplog):
    """Whatever a reload raises (here a failure injected into building the snapshot), the
    thread logs it and loads the next valid change."""
    from publisher.web import reload

    data, live, _log = live_copy(tmp_path)
    settings = Settings(base_url=BASE, data_paths=(data,), query_timeout=1)
    state = PublisherState(settings, build_snapshot(settings))
    first = state.snapshot
    attempts = []

    def first_attempt_fails(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("injected failure")
        return build_snapshot(*args, **kwargs)

    monkeypatch.setattr(reload, "build_snapshot", first_attempt_fails)
    watcher = reload.data_watcher(state, 0.2)
    try:
        live.write_text(ORIGINAL.replace(NAME_EN, '"OPEN PLACES (one)"@en'), encoding="utf-8")
        wait_for(lambda: "injected failure" in caplog.text)  # logged once the attempt has failed
        assert attempts and state.snapshot is first
        live.write_text(ORIGINAL.replace(NAME_EN, '"OPEN PLACES (two)"@en'), encoding="utf-8")
        wait_for(lambda: state.snapshot is not first)
        assert "OPEN PLACES (two)" in state.snapshot.dumps["dump.nt"].path.read_text(encoding="utf-8")
    finally:
        watcher.stop()
        state.close()


def test_an_unexpected_error_in_a_sighup_reload_is_a_rejected_reload(monkeypatch, caplog):
    """It is logged and the workers are not replaced; nothing escapes into the server's loop."""
    from publisher import preparing

    def fails(*_args, **_kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(preparing, "check_data", fails)
    replaced = []
    reload_if_valid(Settings(base_url=BASE), Handover(), lambda: replaced.append(True))
    assert replaced == [] and "SIGHUP: data reload failed" in caplog.text and "injected failure" in caplog.text


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.1)
    assert condition()


@pytest.mark.slow  # a real serve, watched through two changes
def test_a_named_pipe_among_the_data_files_is_refused_and_never_blocks_the_watcher(tmp_path):
    """A reader of a named pipe waits for a writer that never comes: the watcher would hang for
    good. It is refused as not a plain file, and the next valid change is served."""
    data, live, log = live_copy(tmp_path)
    with publisher_server("--data", str(data), "--reload-interval", "0.5", "--workers", "1", log=log) as base:
        before = dump(base)
        os.mkfifo(data / "pipe.ttl")
        wait_for(lambda: "not a plain file" in log.read_text(), timeout=60)
        assert dump(base) == before
        (data / "pipe.ttl").unlink()
        live.write_text(ORIGINAL.replace(NAME_EN, '"OPEN PLACES (after the pipe)"@en'), encoding="utf-8")
        wait_for(lambda: b"OPEN PLACES (after the pipe)" in dump(base), timeout=60)


def test_validate_refuses_a_named_pipe_with_a_message(tmp_path):
    data, _live, _log = live_copy(tmp_path)
    os.mkfifo(data / "pipe.ttl")
    result = run_cli("validate", "--lang", "en", str(data))
    assert result.returncode != 0 and "not a plain file" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
