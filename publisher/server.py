"""Running the app on Granian, a production WSGI server.

Why Granian: its HTTP layer is Rust (hyper), so parsing and I/O cost little Python time; it
runs several worker processes and respawns one that dies. The data is validated before any
worker starts, so a broken file stops `serve` with the validation report.
"""

from __future__ import annotations

import logging
import os

from granian import Granian
from granian.constants import Interfaces

from publisher.config import Settings


class _ManyThreadsAreIntended(logging.Filter):
    """Granian warns when a worker has more threads than 2 × cores + 1. Ours mostly wait (each
    on a SPARQL query running in another process), so many are intended: drop that warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Python threads, which seems quite high" not in record.getMessage()


def run(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    logging.getLogger("_granian").addFilter(_ManyThreadsAreIntended())
    os.environ.update(settings.to_environ())
    server = Granian(
        "publisher.web.wsgi:create",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        respawn_failed_workers=True,
        log_access=False,
        websockets=False,
    )
    server.serve()
