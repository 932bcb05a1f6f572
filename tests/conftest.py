"""Shared fixtures: the project's own data, loaded as the publisher loads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from publisher.config import DEFAULT_DATA, DEFAULT_SHAPES
from publisher.load import load
from publisher.validate import load_shapes

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "reference"  # published schemas and shapes the tests check against
BASE = "http://127.0.0.1:8000/"


@pytest.fixture(scope="session")
def server():
    """One real `publisher serve` for the whole session, on a free port of 127.0.0.1."""
    from servers import publisher_server

    with publisher_server() as base:
        yield base


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
    """Run `python -m publisher …` as a user would, capturing what it prints."""
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
