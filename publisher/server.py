"""Running the app on Granian, a production WSGI server.

Why Granian: its HTTP layer is Rust (hyper), so parsing and I/O cost little Python time; it
runs several worker processes and respawns one that dies. The data is validated before any
worker starts, so a broken file stops `serve` with the validation report.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading
from dataclasses import replace
from pathlib import Path

from granian import Granian
from granian.constants import Interfaces

from publisher.config import Handover, Settings
from publisher.sparql.cpu_bound import CpuGroup
from publisher.working_dirs import server_scratch

log = logging.getLogger("publisher")


class _ManyThreadsAreIntended(logging.Filter):
    """Granian warns when a worker has more threads than 2 × cores + 1. Ours mostly wait (each
    on a SPARQL query running in another process), so many are intended: drop that warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Python threads, which seems quite high" not in record.getMessage()


# One reload at a time: SIGHUP and, in front of a remote store, the master's file watcher.
_RELOADING = threading.Lock()


def reload_if_valid(settings: Settings, handover: Handover, respawn, cause: str = "SIGHUP") -> bool:
    """Validate the data files in the master; only valid data reaches the workers. Returns
    whether it did.

    Granian answers SIGHUP by starting new workers one by one before stopping the old; a new
    worker would load whatever is on disk, so invalid data is refused here, with its report in
    the log, and the workers keep serving the last valid data. In front of a remote store the
    workers are not replaced: valid data is loaded into the store (publisher.store.remote: new
    graphs, then the switch), and every worker that follows the store, on any machine, copies it
    and swaps it in (publisher.web.reload); a store that fails keeps what it served.
    """
    from publisher.load import fingerprint
    from publisher.preparing import Refused, check_data, publish_to_store, unless_refused
    from publisher.store.remote import StoreError

    with _RELOADING:
        try:
            validated = fingerprint(settings.data_paths)
            outcome = unless_refused(lambda: check_data(settings))
            if isinstance(outcome, Refused):
                log.error("%s: data reload rejected, still serving the last valid data:\n%s", cause, outcome.text)
                return False
            if settings.store_url:
                publish_to_store(settings, outcome)
                log.info("%s: data valid, loaded into the store; the workers follow it", cause)
                return True
        except StoreError as error:
            log.error("%s: the store did not take the data, still serving the last valid data: %s", cause, error)
            return False
        except Exception:  # noqa: BLE001 — raised here it would end serve() and remove the scratch files
            log.exception("%s: data reload failed, still serving the last valid data", cause)
            return False
        # New workers load these files without validating them again.
        os.environ.update(replace(handover, validated=validated).to_environ())
        log.info("%s: data valid, replacing the workers", cause)
        respawn()
        return True


class SighupReloader:
    """SIGHUP, handled in a thread of the master's own: the signal handler only wakes it. The
    handler runs inside Granian's main loop, waiting on an Event; validating there (seconds) and
    then setting Granian's Event from the handler once left the loop stalled, the workers never
    replaced. From this thread, Granian's own reload is an ordinary call."""

    def __init__(self, settings: Settings, handover: Handover, respawn):
        self.settings, self.handover, self.respawn = settings, handover, respawn
        self._asked = threading.Event()
        threading.Thread(target=self._run, daemon=True, name="publisher-sighup").start()

    def ask(self, *_args, **_kwargs) -> None:
        self._asked.set()

    def _run(self) -> None:
        while True:
            self._asked.wait()
            self._asked.clear()
            reload_if_valid(self.settings, self.handover, self.respawn)

    def on_change(self) -> bool:
        """A change of the data files, seen by the master's watcher (in front of a remote store,
        whose workers watch the store instead)."""
        return reload_if_valid(self.settings, self.handover, self.respawn, cause="data files changed")


class PortUnavailable(Exception):
    pass


class PortClaim:
    """host:port held for this server from before the data is validated until Granian binds it.

    Granian's workers listen with SO_REUSEPORT, which lets a second server share a port with a
    first one silently (the kernel then deals the connections out between them). This socket
    has no SO_REUSEPORT and listens: while it is held, neither another server nor Granian can
    bind the port, so whoever else is there is found here. Released just before Granian binds:
    a server started in that instant makes this one fail to start, never share the port.
    """

    def __init__(self, host: str, port: int):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        # SO_REUSEADDR: connections of a server that just stopped (TIME_WAIT) do not count.
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))
            self._socket.listen(1)
        except OSError as error:
            self._socket.close()
            if error.errno == errno.EADDRINUSE:
                raise PortUnavailable(f"{host}:{port} is already in use (another server listens there); "
                                      "stop it or choose another --port.") from None
            raise PortUnavailable(f"cannot listen on {host}:{port}: {error.strerror or error}") from None

    def release(self) -> None:
        self._socket.close()


def run(settings: Settings, handover: Handover, host: str, port: int, workers: int, threads: int,
        claim: PortClaim | None = None) -> None:
    """Serve with Granian; `claim`: the address, claimed early by `serve` (else here)."""
    from publisher.web.wsgi import log_to_stderr

    claim = claim or PortClaim(host, port)

    log_to_stderr()
    logging.getLogger("_granian").addFilter(_ManyThreadsAreIntended())
    os.environ.update({**settings.to_environ(), **handover.to_environ()})
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
    reloader = SighupReloader(settings, handover, server.signal_handler_reload)
    # Granian installs its SIGHUP handler from this attribute when it starts serving.
    server.signal_handler_reload = reloader.ask
    if settings.store_url and settings.reload_interval > 0:
        from publisher.web.reload import file_watcher

        file_watcher(settings.data_paths, settings.reload_interval, reloader.on_change)
    try:
        with server_scratch():
            claim.release()
            server.serve()
    finally:
        if handover.query_cgroup:
            CpuGroup(Path(handover.query_cgroup)).remove()
