"""Settings read once at start: where the data and shapes are, and the base URL of IRIs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = PROJECT_ROOT / "data"
DEFAULT_SHAPES = PROJECT_ROOT / "shapes"
DEFAULT_DATASET = PROJECT_ROOT / "site" / "dataset.ttl"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# The dataset's licence is the deployer's decision, not a fact about the event: review it.
# The EU licence vocabulary's IRI for CC BY 4.0: what DCAT-AP harvesters expect.
DEFAULT_LICENSE = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"


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
    dataset_path: Path = DEFAULT_DATASET
    license: str = DEFAULT_LICENSE
    # Seconds a client or cache may reuse a document before revalidating it.
    max_age: int = 300
    # SPARQL limits, announced in the service description.
    query_timeout: float = 10.0
    max_result_rows: int = 10000
    max_query_length: int = 20000
    query_workers: int = 2
    query_memory_mb: int = 2048
    # Where the SPARQL endpoint is: this server's /sparql (serve), or for a static export an
    # external endpoint or none, so that VoID, the catalog and pages never link a dead one.
    serve_sparql: bool = True
    external_sparql: str | None = None
    # A remote store (SPARQL query URL, and its Graph Store Protocol URL) instead of the
    # embedded one; the data's modification time then travels with the settings.
    # The fingerprint of data files the serving master has just validated (load.fingerprint):
    # its workers then load them without validating the same files again.
    validated: str | None = None
    # Seconds between looks at the data files for a change to reload (0: never).
    reload_interval: float = 0.0
    store_url: str | None = None
    graph_store_url: str | None = None
    data_modified: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", normalise_base_url(self.base_url))
        object.__setattr__(self, "data_paths", tuple(Path(p) for p in self.data_paths))

    # Worker processes of the WSGI server receive the settings through the environment.
    def to_environ(self) -> dict[str, str]:
        return {
            "PUBLISHER_BASE_URL": self.base_url,
            "PUBLISHER_DATA": os.pathsep.join(str(p) for p in self.data_paths),
            "PUBLISHER_SHAPES": str(self.shapes_path),
            "PUBLISHER_DATASET": str(self.dataset_path),
            "PUBLISHER_LICENSE": self.license,
            "PUBLISHER_MAX_AGE": str(self.max_age),
            "PUBLISHER_QUERY_TIMEOUT": str(self.query_timeout),
            "PUBLISHER_MAX_RESULT_ROWS": str(self.max_result_rows),
            "PUBLISHER_MAX_QUERY_LENGTH": str(self.max_query_length),
            "PUBLISHER_QUERY_WORKERS": str(self.query_workers),
            "PUBLISHER_QUERY_MEMORY_MB": str(self.query_memory_mb),
            "PUBLISHER_RELOAD_INTERVAL": str(self.reload_interval),
            **({"PUBLISHER_VALIDATED": self.validated} if self.validated else {}),
            **({"PUBLISHER_STORE": self.store_url} if self.store_url else {}),
            **({"PUBLISHER_GRAPH_STORE": self.graph_store_url} if self.graph_store_url else {}),
            **({"PUBLISHER_DATA_MODIFIED": repr(self.data_modified)} if self.data_modified else {}),
        }

    @classmethod
    def from_environ(cls, environ=os.environ) -> "Settings":
        values = {}
        if "PUBLISHER_BASE_URL" in environ:
            values["base_url"] = environ["PUBLISHER_BASE_URL"]
        if "PUBLISHER_DATA" in environ:
            values["data_paths"] = tuple(Path(p) for p in environ["PUBLISHER_DATA"].split(os.pathsep))
        for name, key, kind in (("shapes_path", "PUBLISHER_SHAPES", Path),
                                ("dataset_path", "PUBLISHER_DATASET", Path),
                                ("license", "PUBLISHER_LICENSE", str),
                                ("max_age", "PUBLISHER_MAX_AGE", int),
                                ("query_timeout", "PUBLISHER_QUERY_TIMEOUT", float),
                                ("max_result_rows", "PUBLISHER_MAX_RESULT_ROWS", int),
                                ("max_query_length", "PUBLISHER_MAX_QUERY_LENGTH", int),
                                ("query_workers", "PUBLISHER_QUERY_WORKERS", int),
                                ("query_memory_mb", "PUBLISHER_QUERY_MEMORY_MB", int),
                                ("reload_interval", "PUBLISHER_RELOAD_INTERVAL", float),
                                ("validated", "PUBLISHER_VALIDATED", str),
                                ("store_url", "PUBLISHER_STORE", str),
                                ("graph_store_url", "PUBLISHER_GRAPH_STORE", str),
                                ("data_modified", "PUBLISHER_DATA_MODIFIED", float)):
            if key in environ:
                values[name] = kind(environ[key])
        return cls(**values)
