"""`publisher build` into the output of an earlier build renders and writes only what changed,
and leaves exactly what a clean build of the same data leaves."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from conftest import ROOT, run_cli
from publisher.export.incremental import INPUTS_FILE, STATE_FILE

BASE = "http://127.0.0.1:8000/"
SCHEMA = "http://schema.org/"


def build(out: Path, data: Path):
    result = run_cli("build", str(out), "--base-url", BASE, "--data", str(data))
    assert result.returncode == 0, result.stderr
    return int(re.search(r"Wrote (\d+) files", result.stdout + result.stderr).group(1))


def files(out: Path) -> dict[str, bytes]:
    """Every file of the export, the nginx config's own folder named alike whatever `out` is
    (not the build's own records, which name what it was built from)."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.parent.name != "tmp" and path.name not in (STATE_FILE, INPUTS_FILE):
            found[str(path.relative_to(out))] = path.read_bytes().replace(str(out.resolve()).encode(), b"OUT")
    return found


def stamps(out: Path) -> dict[str, int]:
    return {str(path): path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}


def commit(data: Path, when: str) -> None:
    """The data's history is its git history: a version a commit, at the given time."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for command in (["init", "-q"], ["add", data.name], ["commit", "-q", "-m", "data"]):
        subprocess.run(["git", "-C", str(data.parent), *command], check=True, env=env, capture_output=True)


@pytest.mark.slow  # four builds
def test_a_build_after_changing_the_data_equals_a_clean_build_and_rewrites_only_what_changed(tmp_path):
    (tmp_path / "repo").mkdir()
    data = tmp_path / "repo" / "city.ttl"
    assert run_cli("synth", "--events", "30", "--seed", "3", "--out", str(data)).returncode == 0
    commit(data, "2026-01-01T10:00:00Z")
    kept = tmp_path / "kept"
    everything = build(kept, data)

    before = stamps(kept)
    assert build(kept, data) == 0  # the same data again: nothing written, not even a time stamp
    assert stamps(kept) == before

    # An event renamed, a venue's street changed (shown on the pages of its events: two links
    # away), another event and its parts removed.
    graph = Graph().parse(data, publicID=BASE)
    renamed = URIRef(BASE + "event/synth-000003")
    name = URIRef(SCHEMA + "name")
    graph.remove((renamed, name, next(n for n in graph.objects(renamed, name) if n.language == "en")))
    graph.add((renamed, name, Literal("A renamed event", lang="en")))
    elsewhere = URIRef(BASE + "event/synth-000004")
    address = graph.value(graph.value(elsewhere, URIRef(SCHEMA + "location")), URIRef(SCHEMA + "address"))
    graph.set((address, URIRef(SCHEMA + "streetAddress"), Literal("ul. Nowa 2")))
    removed = [s for s in set(graph.subjects()) if str(s).startswith(BASE + "event/synth-000005")]
    for subject in removed:
        graph.remove((subject, None, None))
        graph.remove((None, None, subject))
    data.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    commit(data, "2026-02-01T10:00:00Z")

    changed = build(kept, data)
    assert 0 < changed < everything / 2
    assert not list(kept.rglob("synth-000005*"))
    clean = tmp_path / "clean"
    build(clean, data)
    kept_files, clean_files = files(kept), files(clean)
    assert sorted(kept_files) == sorted(clean_files)
    assert [name for name in kept_files if kept_files[name] != clean_files[name]] == []
    assert b"ul. Nowa 2" in kept_files["public/event/synth-000004.html"]
    # Each document dated by the newest change to what it shows: the same whichever way it was built.
    dated = {name: (kept / name).stat().st_mtime for name in kept_files if name.startswith("public/")
             and name.endswith(".html") and "/" in name[len("public/"):]}
    assert dated == {name: (clean / name).stat().st_mtime for name in dated}
    assert dated["public/event/synth-000004.html"] == datetime(2026, 2, 1, 10, tzinfo=timezone.utc).timestamp()
    untouched = [name for name, when in dated.items() if when == datetime(2026, 1, 1, 10, tzinfo=timezone.utc).timestamp()]
    assert len(untouched) > len(dated) / 2  # most pages show nothing that changed: the first version's time
    empty = [str(p) for p in kept.rglob("*") if p.is_dir() and not any(p.iterdir()) and p.name != "tmp"]
    assert empty == []  # no folder left behind by the removed event

    # Every synthetic resource links <synthetic>: its document has pages of 100 links, and
    # renaming an event renders again only the page that names it.
    before = stamps(kept)
    graph.remove((renamed, name, Literal("A renamed event", lang="en")))
    graph.add((renamed, name, Literal("Renamed again", lang="en")))
    data.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    commit(data, "2026-03-01T10:00:00Z")
    lost = kept / "public" / "en" / "changes-1.atom"  # a full archive is left as it is, unless it is gone
    archived = lost.read_bytes()
    lost.unlink()
    build(kept, data)
    assert lost.read_bytes() == archived
    after = stamps(kept)
    paged = {name: stamp for name, stamp in after.items() if re.search(r"/synthetic(\.page-\d+)?\.ttl$", name)}
    assert len(paged) >= 2 and sum(before[name] != stamp for name, stamp in paged.items()) == 1
    # The change feed: one more change rewrites its subscription document and the archive still
    # filling, never the full first archive, nor its date.
    public = kept / "public"
    feeds = sorted(str(Path(name).relative_to(public)) for name in after if name.endswith(".atom"))
    assert feeds == ["changes-1.atom", "changes-2.atom", "changes.atom",
                     "en/changes-1.atom", "en/changes-2.atom", "en/changes.atom"]
    assert [name for name in feeds if before[str(public / name)] != after[str(public / name)]] == [
        "changes-2.atom", "changes.atom", "en/changes-2.atom", "en/changes.atom"]
    assert (public / "changes-1.atom").stat().st_mtime == datetime(2026, 1, 1, 10, tzinfo=timezone.utc).timestamp()


@pytest.mark.slow  # builds three times in a watching process
def test_build_watch_rebuilds_on_a_change_and_keeps_the_last_good_output_when_the_data_is_refused(tmp_path):
    data = tmp_path / "city.ttl"
    assert run_cli("synth", "--events", "5", "--seed", "3", "--out", str(data)).returncode == 0
    out = tmp_path / "out"
    watching = subprocess.Popen([sys.executable, "-m", "publisher", "build", str(out), "--base-url", BASE,
                                 "--data", str(data), "--watch", "--lang", "en"],
                                cwd=ROOT, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watching.stderr], daemon=True).start()

    def until(text: str) -> str:
        said = ""
        while text not in said:
            said += lines.get(timeout=120)
        return said

    try:
        until("Wrote")
        page = out / "public" / "en" / "event" / "synth-000001.html"
        assert b"A renamed event" not in page.read_bytes()
        text = data.read_text(encoding="utf-8")
        data.write_text(re.sub(r'"Synthetic event 1: [^"]*"@en', '"A renamed event"@en', text), encoding="utf-8")
        until("Wrote")
        assert b"A renamed event" in page.read_bytes()

        data.write_text(text.replace('schema:startDate "', 'schema:noStartDate "'), encoding="utf-8")
        refused = until("waiting for the data to change")
        assert "startDate" in refused and watching.poll() is None  # the report, and it keeps watching
        assert b"A renamed event" in page.read_bytes()  # the last good output, untouched
    finally:
        watching.terminate()
        watching.wait(timeout=30)


def said(out: Path, data: Path) -> tuple[int, str]:
    """A build's exit status and what it printed."""
    result = run_cli("build", str(out), "--base-url", BASE, "--data", str(data), "--lang", "en")
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow  # seven small builds
def test_a_build_of_unchanged_data_keeps_the_export_and_any_changed_byte_is_validated_again(tmp_path):
    made = tmp_path / "city.ttl"  # its site description beside it: outside the data folder
    assert run_cli("synth", "--events", "5", "--seed", "3", "--out", str(made)).returncode == 0
    data = tmp_path / "data"
    data.mkdir()
    city = data / "city.ttl"
    city.write_bytes(made.read_bytes())
    kept = tmp_path / "kept"
    status, text = said(kept, data)
    assert status == 0 and "not validated again" not in text and "nothing changed" not in text

    # Nothing changed: nothing validated, prepared, rendered or written; not even the record.
    before = stamps(kept)
    status, text = said(kept, data)
    assert status == 0 and "Wrote 0 files" in text and "nothing was validated or rendered again" in text
    assert stamps(kept) == before
    clean = tmp_path / "clean"
    assert said(clean, data)[0] == 0
    assert subprocess.run(["diff", "-r", str(kept / "public"), str(clean / "public")]).returncode == 0

    # The same bytes, written again (a new modification time: the calendars' DTSTAMP): rendered
    # again, but not validated again.
    original = city.read_bytes()
    city.write_bytes(original)
    status, text = said(kept, data)
    assert status == 0 and "not validated again" in text

    # One byte changed: validated again, and refused (the event loses its start date); the
    # export stays exactly as it was.
    before = stamps(kept)
    at = original.index(b"schema:startDate")
    city.write_bytes(original[:at + 15] + b"f" + original[at + 16:])
    status, text = said(kept, data)
    assert status != 0 and "startDate" in text and "Refused" in text
    assert stamps(kept) == before

    # A file added is validated too: a new file that breaks the rule is refused.
    city.write_bytes(original)
    (data / "more.ttl").write_text("@prefix schema: <http://schema.org/> .\n"
                                   f"<{BASE}event/more> a schema:Event ; schema:name \"More\"@en .\n", encoding="utf-8")
    status, text = said(kept, data)
    assert status != 0 and "Refused" in text
    assert stamps(kept) == before

    # Back to the bytes of the last whole build: not validated again, and the same export as a clean build.
    (data / "more.ttl").unlink()
    status, text = said(kept, data)
    assert status == 0 and "not validated again" in text
    assert said(clean, data)[0] == 0
    assert subprocess.run(["diff", "-r", str(kept / "public"), str(clean / "public")]).returncode == 0
