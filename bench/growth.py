"""How cost grows with the data: load + validate (and peak memory) and `build`, on synthetic
calendars of growing size, each run in its own process and stopped at a time cap."""

from __future__ import annotations

import json
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


def build(events: int, folder: Path, cap_s: float) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-build-"))
    file_ms = file_creation_ms(out)
    # Its working files (dumps, store) go inside `out` too: a build stopped at the cap cannot
    # remove them itself.
    result = timed(PUBLISHER + ["build", str(out / "export"), "--base-url", "http://127.0.0.1:8000/",
                                "--data", str(synthetic(events, folder))], cap_s, env={"TMPDIR": str(out)})
    # Counted also when stopped at the cap: how far it got shows progress a "> cap" hides.
    written = result["ok"] or result["capped"]
    files = sum(1 for p in (out / "export" / "public").rglob("*") if p.is_file()) if written else None
    shutil.rmtree(out, ignore_errors=True)
    return {"events": events, "files": files, "file_creation_ms": file_ms, **result}


def document_cost(events: int, folder: Path, every: int) -> dict:
    """Milliseconds of CPU each kind of document takes a resource (bench/documents.py, in a
    process of its own), on every `every`-th resource of the calendar of `events`."""
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("documents.py")),
                           str(synthetic(events, folder)), str(every)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return {"events": events, **json.loads(done.stdout)}
