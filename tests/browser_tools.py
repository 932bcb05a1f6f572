"""The browser and validators the page tests drive: Debian's Chromium, axe-core, Nu, Lighthouse."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "tests" / "browser" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
ARTIFACTS = ROOT / "test-artifacts"
# What the machine's closed network needs: no background calls home, no sandbox as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-default-apps"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is missing: scripts/test.sh installs it"
    return path


def require(path: Path, what: str) -> Path:
    assert path.exists(), f"{what} is missing at {path}: scripts/test.sh runs npm ci in tests/browser"
    return path
