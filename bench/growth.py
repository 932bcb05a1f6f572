"""How cost grows with the data: load + validate (and peak memory) and `build`, on synthetic
calendars of growing size, each run in its own process and stopped at a time cap.

    python bench/growth.py 10000 --incremental   # one build alone, then again with no and one change
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, timed

PUBLISHER = [sys.executable, "-m", "publisher"]


def synthetic(events: int, folder: Path) -> Path:
    path = folder / f"city-{events}.ttl"
    if not path.exists():
        done = timed(PUBLISHER + ["synth", "--events", str(events), "--seed", "1", "--out", str(path)], 600)
        assert done["ok"], f"synth {events} failed"
    return path


def validate(events: int, folder: Path, cap_s: float) -> dict:
    return {"events": events, **timed(PUBLISHER + ["validate", str(synthetic(events, folder))], cap_s)}


def file_creation_ms(folder: Path, count: int = 5000) -> float:
    """Milliseconds to create one empty file on the disk a build writes to, in folders of 100:
    on this machine it varied from 0.03 to 0.7 ms (of kernel CPU) from one hour to the next, and
    a build at 10,000 events writes ~311,000 files."""
    sample = folder / "file-creation"
    started = time.perf_counter()
    for n in range(count):
        if n % 100 == 0:
            (sample / str(n)).mkdir(parents=True)
        (sample / str(n - n % 100) / f"{n}.html").touch()
    elapsed = time.perf_counter() - started
    shutil.rmtree(sample)
    return round(elapsed / count * 1000, 3)


def build(events: int, folder: Path, cap_s: float, incremental: bool = False) -> dict:
    """A clean build; `incremental`: then the same build again into its output (nothing
    changed), and again after one event was renamed (a one-event change)."""
    out = Path(tempfile.mkdtemp(prefix="bench-build-"))
    file_ms = file_creation_ms(out)
    data = out / "city.ttl"  # a copy: the one-event change must not reach the other sections
    shutil.copyfile(synthetic(events, folder), data)
    command = PUBLISHER + ["build", str(out / "export"), "--base-url", "http://127.0.0.1:8000/", "--data", str(data)]
    # Its working files (dumps, store) go inside `out` too: a build stopped at the cap cannot
    # remove them itself.
    result = timed(command, cap_s, env={"TMPDIR": str(out)})
    # Counted also when stopped at the cap: how far it got shows progress a "> cap" hides.
    written = result["ok"] or result["capped"]
    files = sum(1 for p in (out / "export" / "public").rglob("*") if p.is_file()) if written else None
    figures = {"events": events, "files": files, "file_creation_ms": file_ms, **result}
    if incremental and result["ok"]:
        figures["unchanged"] = timed(command, cap_s, env={"TMPDIR": str(out)})
        text = data.read_text(encoding="utf-8")
        data.write_text(re.sub(r'"(Synthetic event 42: [^"]*)"@en', r'"\1, renamed"@en', text, count=1),
                        encoding="utf-8")
        figures["one_event"] = timed(command, cap_s, env={"TMPDIR": str(out)})
    shutil.rmtree(out, ignore_errors=True)
    return figures


def document_cost(events: int, folder: Path, every: int) -> dict:
    """Milliseconds of CPU each kind of document takes a resource (bench/documents.py, in a
    process of its own), on every `every`-th resource of the calendar of `events`."""
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("documents.py")),
                           str(synthetic(events, folder)), str(every)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return {"events": events, **json.loads(done.stdout)}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="One build measured alone (bench/run.py runs all sections).")
    parser.add_argument("events", type=int, help="synthetic events (publisher synth --seed 1)")
    parser.add_argument("--incremental", action="store_true",
                        help="then build again into its output: with the same data, and after one event renamed")
    parser.add_argument("--cap", type=float, default=900, help="seconds a build may take before it is stopped")
    arguments = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-data-"))
    try:
        print(json.dumps(build(arguments.events, scratch, arguments.cap, arguments.incremental), indent=1))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
