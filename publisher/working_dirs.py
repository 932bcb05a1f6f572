"""Where a server's processes write their working files: dumps and SPARQL stores.

`serve` makes one directory for the whole server and points every process's temporary files
into it, so stopping the server removes them all, even those of a worker that was killed.
Workers' processes do not run exit handlers, so a directory is named after the process that
made it, and a starting worker removes those of workers that have ended (replaced on SIGHUP,
or crashed and respawned). A server killed outright (SIGKILL, a crash) cannot remove its own
directory: the next server started with the same TMPDIR removes it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

_OWNED = re.compile(r"publisher-[a-z]+-(\d+)-")
SERVER_SCRATCH = "PUBLISHER_SERVER_SCRATCH"  # set for the processes of a server


def scratch_dir(kind: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"publisher-{kind}-{os.getpid()}-"))


def alive(pid: int) -> bool:
    """Whether a process `pid` exists (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphans(root: Path | None = None) -> None:
    """Remove the directories under `root` (by default: this server's directory) that processes
    made which have ended."""
    if root is None:
        if not os.environ.get(SERVER_SCRATCH):
            return
        root = Path(os.environ[SERVER_SCRATCH])
    for entry in root.iterdir():
        owner = _OWNED.match(entry.name)
        if owner and entry.is_dir() and not alive(int(owner.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def server_scratch():
    """The server's directory (under TMPDIR): this process and its children write there."""
    remove_orphans(Path(tempfile.gettempdir()))  # those of servers and builds that were killed
    root = scratch_dir("serve")
    saved_environ = {name: os.environ.get(name) for name in ("TMPDIR", SERVER_SCRATCH)}
    saved_tempdir = tempfile.tempdir
    os.environ["TMPDIR"] = os.environ[SERVER_SCRATCH] = tempfile.tempdir = str(root)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
        for name, value in saved_environ.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        tempfile.tempdir = saved_tempdir
