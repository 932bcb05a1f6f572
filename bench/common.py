"""What every benchmark needs: the machine's description, wrk, and a child process timed with a cap."""

from __future__ import annotations

import http.client
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


class LeanClient:
    """One keep-alive HTTP/1.1 connection and nothing else, as a careful client measures latency:
    `requests` added 0.4-1 ms to every request on both sides, which hid most of a 2x gap."""

    def __init__(self, url: str, timeout: float = 300):
        parts = urlsplit(url)
        self.host, self.port, self.path, self.timeout = parts.hostname, parts.port, parts.path, timeout
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def post_query(self, query: str, accept: str = "application/sparql-results+json") -> bytes:
        """A protocol POST (form-encoded); an error status raises. A connection the server has
        closed (its keep-alive limit) is opened again once."""
        body = urlencode({"query": query}).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        for attempt in (1, 2):
            try:
                self.connection.request("POST", self.path, body, headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        if response.status != 200:
            raise RuntimeError(f"{self.path}: {response.status} {data[:200]!r}")
        return data

    def close(self) -> None:
        self.connection.close()


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    memory = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)

    def version(command: list[str]) -> str:
        if not shutil.which(command[0]):
            return "missing"
        done = subprocess.run(command, capture_output=True, text=True)
        return (done.stdout + done.stderr).strip().splitlines()[0]

    import pyoxigraph
    import rdflib

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mib": memory, "os": platform.platform(),
            "python": platform.python_version(), "nginx": version(["nginx", "-v"]), "wrk": version(["wrk", "-v"]),
            "rdflib": rdflib.__version__, "pyoxigraph": pyoxigraph.__version__,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def describe(m: dict) -> str:
    return f"{m['cpu']}, {m['cores']} cores, {m['memory_mib'] // 1024} GiB; Python {m['python']}; {m['date']}"


def wrk(base: str, duration: int, connections: int = 16, accept: str | None = None) -> dict:
    """wrk with bench/mix.lua (IRIs × formats, or × the one `accept`); figures from the script's
    RESULT line."""
    done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                           "-s", str(ROOT / "bench" / "mix.lua"), base.rstrip("/"), *(["--", accept] if accept else [])],
                          capture_output=True, text=True, timeout=duration + 60)
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", done.stdout.split("RESULT")[-1])}


def timed(command: list[str], cap_s: float, env: dict | None = None) -> dict:
    """Run `command`; wall time, CPU time (its own and its children's, user + system) and peak
    RSS, or `capped` if it was stopped at `cap_s` seconds."""
    started = time.monotonic()
    # In a session of its own, so that stopping it at the cap stops the processes it forked too
    # (a build's renderers kept writing into the folder being removed, and using the CPU).
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})}, start_new_session=True)
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        elapsed = time.monotonic() - started
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return {"seconds": round(elapsed, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                    "peak_rss_mib": round(usage.ru_maxrss / 1024), "capped": False, "ok": process.returncode == 0}
        if elapsed > cap_s:
            os.killpg(process.pid, signal.SIGKILL)
            _, _, usage = os.wait4(process.pid, 0)
            return {"seconds": None, "cap_s": cap_s, "peak_rss_mib": round(usage.ru_maxrss / 1024), "capped": True,
                    "ok": False}
        time.sleep(0.05)


def tree_pids(root_pid: int) -> list[int]:
    """A process and its descendants, from /proc: the children of every thread (the app's
    query workers are started by a thread of their own)."""
    found, pending = [], [root_pid]
    while pending:
        pid = pending.pop()
        found.append(pid)
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                pending += [int(c) for c in children.read_text().split()]
            except OSError:
                continue
    return found


def tree_rss_mib(root_pid: int) -> int:
    """Resident memory of a process and its descendants."""
    total = 0
    for pid in tree_pids(root_pid):
        try:
            match = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
        except OSError:
            continue
        total += int(match.group(1)) if match else 0
    return total // 1024


def tree_pss_mib(root_pid: int) -> int:
    """Proportional memory (PSS) of a process and its descendants: a page shared by n of them
    counts 1/n in each, so the total is what the tree holds. Summed RSS counts every shared
    page once per process, and so grows with the number of query workers forked from one
    server even when they hold nothing of their own."""
    total = 0
    for pid in tree_pids(root_pid):
        try:
            match = re.search(r"^Pss:\s+(\d+)", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.MULTILINE)
        except OSError:
            continue
        total += int(match.group(1)) if match else 0
    return total // 1024


def tree_cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) used so far by a process and its living descendants."""
    ticks = 0
    for pid in tree_pids(root_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_idle(root_pid: int, timeout_s: float, window_s: float = 2.0, busy: float = 0.1) -> float:
    """Wait until a server and its workers use under `busy` of a core over `window_s` (every
    worker has finished starting: the first to answer may not be the last); returns the wait."""
    started = time.monotonic()
    before = tree_cpu_seconds(root_pid)
    while time.monotonic() - started < timeout_s:
        time.sleep(window_s)
        now = tree_cpu_seconds(root_pid)
        if now - before < busy * window_s:
            break
        before = now
    return time.monotonic() - started
