"""Starting real servers for tests: on 127.0.0.1, on a free port, stopped afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


class Shared:
    """Servers started once and shared until `close()`, one per key (what it serves and how):
    for tests that only read from them. `get` returns what the server's context manager yields."""

    def __init__(self):
        self._stack = ExitStack()
        self._started: dict[Hashable, object] = {}

    def get(self, key: Hashable, start: Callable[[], AbstractContextManager]):
        if key not in self._started:
            self._started[key] = self._stack.enter_context(start())
        return self._started[key]

    def close(self) -> None:
        self._stack.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, accept: str | None = None) -> tuple:
    """What must match: status, content type and body; for a redirect, where it points."""
    response = requests.get(url, headers={"Accept": accept} if accept else {}, timeout=30, allow_redirects=False)
    if 300 <= response.status_code < 400:
        return response.status_code, response.headers["Location"]
    return response.status_code, response.headers.get("Content-Type", ""), response.content


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"server exited with {process.returncode}: {detail}")
        try:
            requests.get(url, timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or busy starting
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start in {timeout} s")


@contextmanager
def publisher_server(*args: str, port: int | None = None, env: dict | None = None, log: Path | None = None,
                     start_timeout: float = 60, shipped: bool = False):
    """`python -m publisher serve` in its own process group; yields its base URL.

    With `log`, the server's output goes to that file (for tests that read the log); `shipped`:
    with serve's own default workers (for benchmarks), not the test servers' one of each.
    """
    port = port or free_port()
    # One serving process with one query worker unless a test asks for more: each serving process
    # renders every page before it accepts connections, on a machine of 2 cores shared by two test
    # processes and about 30 servers (more query workers still start on demand).
    lean = []
    for option, value in () if shipped else (("--workers", "1"), ("--query-workers", "1")):
        if option not in args:
            lean += [option, value]
    output = open(log, "wb") if log else subprocess.PIPE
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "serve", "--host", "127.0.0.1", "--port", str(port), *lean, *args],
        cwd=ROOT, stdout=output, stderr=output, start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(base, process, timeout=start_timeout)
        yield base
    finally:
        stop(process)


def server_master(port: int) -> int:
    """The PID of the `publisher serve` process listening on `port` (its workers are children)."""
    # The whole port number: port 3456's pattern must not find the server on 34567.
    out = subprocess.run(["pgrep", "-f", f"publisher serve --host 127.0.0.1 --port {port}( |$)"],
                         capture_output=True, text=True).stdout.split()
    return int(out[0])


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def world_readable_directory() -> Path:
    """nginx workers run as an unprivileged user: the export must be readable by them."""
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="publisher-export-"))
    directory.chmod(0o755)
    return directory


@contextmanager
def nginx_export(*build_args: str, port: int | None = None, server_extra: str = ""):
    """`publisher build` into a fresh folder, then Debian's nginx with the generated config.

    `server_extra` is added to the generated server block (e.g. a proxy to the app for /sparql).
    """
    import shutil

    assert shutil.which("nginx"), "nginx is missing: scripts/test.sh installs nginx-light and libnginx-mod-http-js"
    port = port or free_port()
    base = f"http://127.0.0.1:{port}/"
    out = world_readable_directory()
    subprocess.run([sys.executable, "-m", "publisher", "build", str(out), "--base-url", base, *build_args],
                   cwd=ROOT, check=True, capture_output=True, timeout=900)
    conf = out / "nginx"
    if server_extra:
        server = (conf / "server.conf").read_text(encoding="utf-8").rstrip()
        (conf / "server.conf").write_text(server[:-1] + server_extra + "\n}\n", encoding="utf-8")
    process = subprocess.Popen(["nginx", "-p", str(conf), "-c", str(conf / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_until_up(base, process)
        yield base, out
    finally:
        stop(process)
        shutil.rmtree(out, ignore_errors=True)


@contextmanager
def app_and_export(*data_args: str):
    """The app and nginx over the export of the same data, on one base URL's paths (the export
    names the app's endpoint as its external one, as in the nginx-in-front set-up).

    Yields (app URL, nginx URL = the base URL, export folder)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    with nginx_export("--sparql-endpoint", base + "sparql", *data_args, port=port) as (_, out), \
            publisher_server("--base-url", base, *data_args) as app:
        yield app, base, out


@contextmanager
def oxigraph_server(timeout_s: float = 10, location: Path | None = None):
    """Oxigraph server (PyPI `oxigraph`) on a free 127.0.0.1 port; yields its query URL. Its store
    is its own, removed afterwards, or the one at `location`, which is kept."""
    import shutil
    import tempfile

    binary = Path(sys.executable).with_name("oxigraph")
    assert binary.exists(), "the oxigraph server is missing: it is a test extra (pip install oxigraph)"
    port = free_port()
    owned = location is None
    location = Path(tempfile.mkdtemp(prefix="publisher-oxigraph-")) if owned else location
    process = subprocess.Popen([str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                "--timeout-s", str(timeout_s)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process, timeout=300)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        stop(process)
        if owned:
            shutil.rmtree(location, ignore_errors=True)
