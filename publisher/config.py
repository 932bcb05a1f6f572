"""Settings read once at start: where the data and shapes are, and the base URL of IRIs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import UnionType
from typing import Union, get_args, get_origin, get_type_hints

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = PROJECT_ROOT / "data"
DEFAULT_SHAPES = PROJECT_ROOT / "shapes"
DEFAULT_SITE_DESCRIPTION = PROJECT_ROOT / "site" / "dataset.ttl"
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
    # The site's name, publisher, licence and languages (publisher.site).
    site_description: Path = DEFAULT_SITE_DESCRIPTION
    license: str | None = None  # overrides the site description's licence
    # Seconds a client or cache may reuse a document before revalidating it.
    max_age: int = 300
    # SPARQL limits, announced in the service description.
    query_timeout: float = 10.0
    max_result_rows: int = 10000
    max_query_length: int = 20000
    query_workers: int = 2  # started with each serving process, and kept
    query_workers_max: int = 6  # started on demand, each serving process
    query_memory_mb: int = 2048
    # A result is refused past this size, as written: 16 MiB holds the row limit's 10,000
    # rows at ~1.6 KB a row in the wordiest format (XML); the data dumps are there for more.
    max_result_bytes: int = 16 * 1024 * 1024
    # SPARQL requests a serving process handles at once (a third of `serve --threads`): the
    # rest of its threads are kept for pages; further SPARQL requests get 503 at once.
    sparql_requests: int = 10
    # Seconds a query waits for a free worker before the client is told to retry (503).
    query_queue_wait: float = 1.0
    # Repeated queries are answered from results kept in each serving process, up to this size.
    result_cache_mb: int = 64
    # Where the SPARQL endpoint is: this server's /sparql (serve), or for a static export an
    # external endpoint or none, so that VoID, the catalog and pages never link a dead one.
    serve_sparql: bool = True
    external_sparql: str | None = None
    # Seconds between looks at the data files for a change to reload (0: never).
    reload_interval: float = 0.0
    # A remote store (SPARQL query URL, and its Graph Store Protocol URL) instead of the
    # embedded one.
    store_url: str | None = None
    graph_store_url: str | None = None
    # Which engine's answers to expect (publisher.store.remote.ENGINES): where engines differ.
    store_engine: str = "oxigraph"
    # Datasets a page of the catalog lists (ckanext-dcat's default, hydra paging beyond).
    catalog_page_size: int = 100

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", normalise_base_url(self.base_url))
        object.__setattr__(self, "data_paths", tuple(Path(p) for p in self.data_paths))

    def to_environ(self) -> dict[str, str]:
        return _to_environ(self)

    @classmethod
    def from_environ(cls, environ=os.environ) -> "Settings":
        return _from_environ(cls, environ)


@dataclass(frozen=True)
class Handover:
    """What a serving master tells the workers it starts, beside the settings: facts of this run,
    found when it starts or reloads, never chosen by anyone (so not settings)."""
    # The fingerprint of the data files the master has just validated (load.fingerprint): a
    # worker loads exactly those files without validating them again.
    validated: str | None = None
    # The CPU bound the query workers join (publisher.sparql.cpu_bound), made by the master.
    query_cgroup: str | None = None

    def to_environ(self) -> dict[str, str]:
        return _to_environ(self)

    @classmethod
    def from_environ(cls, environ=os.environ) -> "Handover":
        return _from_environ(cls, environ)


# Worker processes of the WSGI server receive the settings and the handover through the
# environment, one PUBLISHER_<FIELD> variable a field, so a new field needs no code here.
def _to_environ(fields_of) -> dict[str, str]:
    environ = {}
    for item in fields(fields_of):
        value = getattr(fields_of, item.name)
        if value is None:
            continue
        if isinstance(value, tuple):
            value = os.pathsep.join(str(part) for part in value)
        elif isinstance(value, bool):
            value = "1" if value else "0"
        environ[_variable(item.name)] = repr(value) if isinstance(value, float) else str(value)
    return environ


def _from_environ(cls, environ):
    hints = get_type_hints(cls)
    return cls(**{item.name: _parse(hints[item.name], environ[_variable(item.name)])
                  for item in fields(cls) if _variable(item.name) in environ})


def _variable(name: str) -> str:
    return f"PUBLISHER_{name.upper()}"


def _parse(hint, text: str):
    if get_origin(hint) is tuple:
        return tuple(Path(part) for part in text.split(os.pathsep))
    if get_origin(hint) in (Union, UnionType):  # X | None: the variable is set only when not None
        hint = next(arg for arg in get_args(hint) if arg is not type(None))
    if hint is bool:
        return text == "1"
    return hint(text)
