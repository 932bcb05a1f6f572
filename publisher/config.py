"""Settings read once at start: where the data and shapes are, and the base URL of IRIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = PROJECT_ROOT / "data"
DEFAULT_SHAPES = PROJECT_ROOT / "shapes"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def normalise_base_url(url: str) -> str:
    """Relative IRIs resolve against the base, so it must end with a slash to keep its path."""
    return url if url.endswith("/") else url + "/"


def default_base_url(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> str:
    return f"http://{host}:{port}/"


@dataclass(frozen=True)
class Settings:
    base_url: str = field(default_factory=default_base_url)
    data_paths: tuple[Path, ...] = (DEFAULT_DATA,)
    shapes_path: Path = DEFAULT_SHAPES

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", normalise_base_url(self.base_url))
