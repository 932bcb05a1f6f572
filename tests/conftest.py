"""Shared fixtures: the project's own data, loaded as the publisher loads it."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from publisher.config import DEFAULT_DATA, DEFAULT_SHAPES
from publisher.load import load
from publisher.validate import load_shapes

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "reference"  # published schemas and shapes the tests check against
LIFECYCLE = ROOT / "tests" / "fixtures" / "lifecycle"  # declared, not real, data: every end of a resource's life
BASE = "http://127.0.0.1:8000/"
SYNTHETIC_EVENTS = 45  # their dct:source, <synthetic>, then has 212 links: three pages of 100
# What Comunica (actor-http-fetch) sends when it dereferences an IRI: quads first, then TriG.
COMUNICA_ACCEPT = ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
                   "text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,"
                   "text/xml;q=0.3,text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,"
                   "text/shaclc;q=0.1,text/shaclc-ext;q=0.05")


# The files that use one of these share one test process (with xdist, `--dist loadfile`): each
# is a build and servers of seconds, made once in that process instead of once in each.
SHARED_BUILDS = ("small_city", "app_and_nginx")


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with each file that names one of SHARED_BUILDS sent where the other
    files that name it go. (xdist's own `loadgroup` loses its groups under pytest 9.2, whose
    node ids it can no longer rewrite: pytest-xdist issue 1386.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    @functools.cache
    def scope(path: str) -> str:
        text = (config.rootpath / path).read_text(encoding="utf-8")
        return next((name for name in SHARED_BUILDS if re.search(rf"\b{name}\b", text)), path)

    class SharedBuildScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope(nodeid.split("::", 1)[0])

    return SharedBuildScheduling(config, log)


@pytest.fixture(scope="session")
def shared():
    """The servers that the session's modules share (servers.Shared), stopped at its end; with
    xdist, each test process has a session of its own."""
    from servers import Shared

    started = Shared()
    yield started
    started.close()


@pytest.fixture(scope="session")
def server(shared):
    """One real `publisher serve` of the real data with the default options, on a free port of
    127.0.0.1, for every module of the session that only reads from it. (Started in `shared`: a
    module that overrides `server` with a parametrised fixture of the same name makes pytest set
    this one up again, which then costs no second start.)"""
    from servers import publisher_server

    return shared.get(("serve",), publisher_server)


@pytest.fixture(scope="session")
def virtuoso():
    """One private Virtuoso for the session's remote-store tests (stores.app_on_store)."""
    from stores import virtuoso_server

    with virtuoso_server() as found:
        yield found


class City(NamedTuple):
    app: str  # the app's URL
    base: str  # nginx's, the base URL of the IRIs
    export: Path  # the folder `publisher build` wrote
    data: list[Path]


@pytest.fixture(scope="session")
def small_city(tmp_path_factory):
    """The real data, the lifecycle fixture and a few tens of synthetic events, served by the app
    and by nginx over their export: every kind of resource, lifecycle case and paged document, in
    a build of seconds."""
    from publisher.synth import write_synthetic
    from servers import app_and_export

    synthetic = write_synthetic(SYNTHETIC_EVENTS, 3, tmp_path_factory.mktemp("synthetic") / "city.ttl", DEFAULT_DATA)
    data = [DEFAULT_DATA, LIFECYCLE, synthetic]
    with app_and_export(*(arg for path in data for arg in ("--data", str(path)))) as (app, base, out):
        yield City(app, base, out, data)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, for the browser tests of one module."""
    from playwright.sync_api import sync_playwright

    from browser_tools import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def base_url() -> str:
    return BASE


@pytest.fixture(scope="session")
def data():
    return load([DEFAULT_DATA], BASE)


@pytest.fixture(scope="session")
def graph(data):
    return data.graph


@pytest.fixture(scope="session")
def shapes():
    return load_shapes(DEFAULT_SHAPES)


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run `publisher …` as a user would, capturing what it prints and its exit status.

    Commands that finish on their own run in this test process through click's runner (the
    same entry point, without 0.5 s of Python start-up and imports a call); `serve`, which
    keeps running and handles signals, runs as `python -m publisher`."""
    if args[:1] == ("serve",):
        return subprocess.run([sys.executable, "-m", "publisher", *args], cwd=cwd,
                              capture_output=True, text=True, timeout=120)
    from click.testing import CliRunner

    from publisher.cli import main

    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), prog_name="publisher")
    finally:
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(["publisher", *args], result.exit_code, result.stdout, result.stderr)
