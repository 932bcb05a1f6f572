"""What every benchmark needs: the machine's description, wrk, and a child process timed with a cap."""

from __future__ import annotations

import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


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


def wrk(base: str, duration: int, connections: int = 16) -> dict:
    """wrk with bench/mix.lua (IRIs × formats); figures from the script's RESULT line."""
    done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                           "-s", str(ROOT / "bench" / "mix.lua"), base.rstrip("/")],
                          capture_output=True, text=True, timeout=duration + 60)
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", done.stdout.split("RESULT")[-1])}


def timed(command: list[str], cap_s: float, env: dict | None = None) -> dict:
    """Run `command`; wall time and peak RSS, or `capped` if it was stopped at `cap_s` seconds."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})})
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        elapsed = time.monotonic() - started
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return {"seconds": round(elapsed, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024), "capped": False,
                    "ok": process.returncode == 0}
        if elapsed > cap_s:
            process.send_signal(signal.SIGKILL)
            _, _, usage = os.wait4(process.pid, 0)
            return {"seconds": None, "cap_s": cap_s, "peak_rss_mib": round(usage.ru_maxrss / 1024), "capped": True,
                    "ok": False}
        time.sleep(0.05)


def tree_rss_mib(root_pid: int) -> int:
    """Resident memory of a process and its descendants, from /proc."""
    total, pending = 0, [root_pid]
    while pending:
        pid = pending.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmRSS:\s+(\d+)", status)
            total += int(match.group(1)) if match else 0
            pending += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            continue
    return total // 1024
