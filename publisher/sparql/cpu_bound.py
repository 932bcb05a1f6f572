"""A hard bound on the CPU the query workers take together: a group of Linux's `cpu` controller.

Niceness and the idle class only decide who runs first: a worker at niceness 5 still gets about a
quarter of a contended core, and under runaway queries the workers' starts and first shares took
the pages' CPU (document p99 of 70-300 ms on 2 cores, docs/security.md). `serve` therefore makes
one group for all the query workers of the server, with a quota of `--query-cpu` cores, and a
group inside it with a quarter of that quota for the demoted ones: runaways can never take more
than that quarter, the rest of the bound stays for new queries, and the rest of the machine for
the pages whatever the queries do. Every worker joins the outer group as it starts; the pool
moves a worker into the inner one when it demotes it.

cgroup v1's `cpu` hierarchy only (quota files `cpu.cfs_quota_us`); writing it needs root or a
delegated hierarchy. Where there is none, `serve` says why and runs without the bound.
"""

from __future__ import annotations

import errno
import os
import time
from dataclasses import dataclass
from pathlib import Path

from publisher.working_dirs import alive

PERIOD_US = 100_000
DEMOTED_SHARE = 0.25  # of the outer quota, for the demoted workers together
PREFIX = "publisher-queries-"
DEMOTED = "demoted"


class Unavailable(Exception):
    """No `cpu` group can be made here; the message says why."""


def default_cores() -> float:
    """Half the machine: the other half is the pages' whatever the queries do."""
    return max(0.5, (os.cpu_count() or 1) / 2)


@dataclass(frozen=True)
class CpuGroup:
    path: Path

    @classmethod
    def create(cls, cores: float, mounts: Path = Path("/proc/self/mounts"),
               membership: Path = Path("/proc/self/cgroup")) -> CpuGroup:
        """A new group for this server (named after its process), under the group this process
        is in; empty groups of servers that are gone are removed first."""
        if cores <= 0:
            raise ValueError("a CPU bound needs more than 0 cores")
        parent = _own_cpu_group(mounts, membership)
        for stale in parent.glob(PREFIX + "*"):
            owner = stale.name[len(PREFIX):]
            if not (owner.isdecimal() and alive(int(owner))):
                cls(stale).remove()
        group = cls(parent / f"{PREFIX}{os.getpid()}")
        try:
            (group.path / DEMOTED).mkdir(parents=True, exist_ok=True)
            _set_quota(group.path, cores)
            _set_quota(group.path / DEMOTED, cores * DEMOTED_SHARE)
        except OSError as error:
            group.remove()
            raise Unavailable(f"cannot make the group {group.path}: {error.strerror}") from None
        return group

    def join(self, pid: int, demoted: bool = False) -> None:
        """Moves the process (all its threads) into the group, or into its demoted part."""
        (self.path / DEMOTED if demoted else self.path).joinpath("cgroup.procs").write_text(str(pid))

    def cores(self, demoted: bool = False) -> float:
        folder = self.path / DEMOTED if demoted else self.path
        return int((folder / "cpu.cfs_quota_us").read_text()) / int((folder / "cpu.cfs_period_us").read_text())

    def remove(self) -> None:
        """Moves what is still in the group (workers being reaped) out to its parent, then
        removes it; a group that will not go is left, and removed by the next server's start."""
        for folder in (self.path / DEMOTED, self.path):
            for _ in range(20):
                try:
                    for pid in (folder / "cgroup.procs").read_text().split():
                        try:
                            (self.path.parent / "cgroup.procs").write_text(pid)
                        except OSError:
                            pass  # it ended meanwhile
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as error:
                    if error.errno != errno.EBUSY:
                        break
                    time.sleep(0.05)


def _own_cpu_group(mounts: Path, membership: Path) -> Path:
    mount = next((fields[1] for fields in (line.split() for line in _read(mounts).splitlines())
                  if fields[2] == "cgroup" and "cpu" in fields[3].split(",")), None)
    if mount is None:
        raise Unavailable("no cgroup v1 hierarchy with the cpu controller is mounted (cgroup v2 is not supported yet)")
    own = next((path for _, controllers, path in (line.split(":", 2) for line in _read(membership).splitlines())
                if "cpu" in controllers.split(",")), "/")
    parent = Path(mount) / own.lstrip("/")
    if not os.access(parent, os.W_OK):
        raise Unavailable(f"{parent} is not writable by this user (the bound needs root or a delegated group)")
    return parent


def _set_quota(folder: Path, cores: float) -> None:
    (folder / "cpu.cfs_period_us").write_text(str(PERIOD_US))
    (folder / "cpu.cfs_quota_us").write_text(str(max(1000, round(cores * PERIOD_US))))


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
