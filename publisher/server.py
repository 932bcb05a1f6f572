"""Running the app on Granian, a production WSGI server.

Why Granian: its HTTP layer is Rust (hyper), so parsing and I/O cost little Python time; it
runs several worker processes and respawns one that dies. The data is validated before any
worker starts, so a broken file stops `serve` with the validation report.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace

from granian import Granian
from granian.constants import Interfaces

from publisher.config import Settings
from publisher.scratch import server_scratch

log = logging.getLogger("publisher")


class _ManyThreadsAreIntended(logging.Filter):
    """Granian warns when a worker has more threads than 2 × cores + 1. Ours mostly wait (each
    on a SPARQL query running in another process), so many are intended: drop that warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Python threads, which seems quite high" not in record.getMessage()


def reload_if_valid(settings: Settings, respawn) -> None:
    """SIGHUP: validate the data files in the master; only valid data replaces the workers.

    Granian answers SIGHUP by starting new workers one by one before stopping the old; a new
    worker would load whatever is on disk, so invalid data is refused here, with its report in
    the log, and the workers keep serving the last valid data.
    """
    from publisher.load import DataError, fingerprint
    from publisher.snapshot import InvalidData, check_data

    candidate = replace(settings, validated=None)
    try:
        validated = fingerprint(settings.data_paths)
        check_data(candidate)
    except DataError as error:
        log.error("SIGHUP: data reload rejected, still serving the last valid data: %s", error)
        return
    except InvalidData as refused:
        log.error("SIGHUP: data reload rejected, still serving the last valid data:\n%s",
                  refused.report.to_text("en"))
        return
    except Exception:  # noqa: BLE001 — raised here it would end serve() and remove the scratch files
        log.exception("SIGHUP: data reload failed, still serving the last valid data")
        return
    # New workers load these files without validating them again.
    os.environ.update(replace(settings, validated=validated).to_environ())
    log.info("SIGHUP: data valid, replacing the workers")
    respawn()


def run(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    from publisher.web.wsgi import log_to_stderr

    log_to_stderr()
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
    # Granian installs its SIGHUP handler from this attribute when it starts serving.
    respawn = server.signal_handler_reload
    server.signal_handler_reload = lambda *_args, **_kwargs: reload_if_valid(settings, respawn)
    with server_scratch():
        server.serve()
