"""How cost grows with the data: load + validate (and peak memory) and `build`, on synthetic
calendars of growing size, each run in its own process and stopped at a time cap."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import timed

PUBLISHER = [sys.executable, "-m", "publisher"]


def synthetic(events: int, folder: Path) -> Path:
    path = folder / f"city-{events}.ttl"
    if not path.exists():
        done = timed(PUBLISHER + ["synth", "--events", str(events), "--seed", "1", "--out", str(path)], 600)
        assert done["ok"], f"synth {events} failed"
    return path


def validate(events: int, folder: Path, cap_s: float) -> dict:
    return {"events": events, **timed(PUBLISHER + ["validate", str(synthetic(events, folder))], cap_s)}


def build(events: int, folder: Path, cap_s: float) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-build-"))
    # Its working files (dumps, store) go inside `out` too: a build stopped at the cap cannot
    # remove them itself.
    result = timed(PUBLISHER + ["build", str(out / "export"), "--base-url", "http://127.0.0.1:8000/",
                                "--data", str(synthetic(events, folder))], cap_s, env={"TMPDIR": str(out)})
    files = sum(1 for p in (out / "export" / "public").rglob("*") if p.is_file()) if result["ok"] else None
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    return {"events": events, "files": files, **result}
