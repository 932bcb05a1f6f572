"""The site's assets (site/static: stylesheet, icon) under fingerprinted names.

Pages link `style.<8 hex of its SHA-256>.css`: the name changes whenever the file does, so that
name can be cached for a year as immutable (RFC 8246) and a new stylesheet still reaches every
reader at once. The plain name keeps answering, revalidated each time, for old links.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from publisher.config import PROJECT_ROOT

ASSETS = PROJECT_ROOT / "site" / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
_FINGERPRINTED = re.compile(r"(?P<stem>[^/]+)\.(?P<digest>[0-9a-f]{8})(?P<suffix>\.[a-z0-9]+)")


@lru_cache(maxsize=None)
def fingerprinted(name: str) -> str:
    """`style.css` → `style.1a2b3c4d.css`, from the file's content (read once per process)."""
    path = ASSETS / name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"{path.stem}.{digest}{path.suffix}"


def asset_for(name: str) -> Path | None:
    """The file a fingerprinted name stands for, when the digest is the file's current one."""
    match = _FINGERPRINTED.fullmatch(name)
    if match is None:
        return None
    path = ASSETS / (match["stem"] + match["suffix"])
    return path if path.is_file() and fingerprinted(path.name) == name else None


def asset_names() -> list[tuple[str, Path]]:
    """Every asset under both its names (for the static export)."""
    files = sorted(p for p in ASSETS.iterdir() if p.is_file())
    return [(name, path) for path in files for name in (path.name, fingerprinted(path.name))]
