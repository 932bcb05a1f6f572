"""The Nu HTML checker (vnu.jar from npm, on Debian's Java), run so that a silent checker fails.

Nu skips a file it cannot read without a word and exits 0, and a missing Java or jar leaves no
report at all: so the report must parse, the exit code must agree with it, and `--verbose` must
name every file given, or the test fails instead of passing unchecked.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from browser_tools import VNU, require


def nu_errors(files: list[Path]) -> list[dict]:
    """Nu's error messages for these HTML files (an empty list: all valid)."""
    assert files, "no HTML file to check"
    java = shutil.which("java")
    assert java, "Java is missing: scripts/test.sh installs default-jre-headless"
    jar = require(VNU, "vnu.jar")
    paths = [str(Path(f).resolve()) for f in files]
    result = subprocess.run([java, "-jar", str(jar), "--errors-only", "--format", "json", "--verbose", *paths],
                            capture_output=True, text=True, timeout=600)
    if result.returncode not in (0, 1):
        pytest.fail(f"the Nu checker did not run (exit {result.returncode}): {result.stderr[-2000:]}")
    try:
        messages = json.loads(result.stderr)["messages"]
    except (json.JSONDecodeError, KeyError, TypeError):
        pytest.fail(f"the Nu checker gave no JSON report (exit {result.returncode}): {result.stderr[-2000:]!r}")
    unchecked = sorted(set(paths) - set(result.stdout.splitlines()))
    assert not unchecked, f"the Nu checker did not check {len(unchecked)} file(s), e.g. {unchecked[:3]}"
    assert (result.returncode == 1) == bool(messages), f"Nu exited {result.returncode} with {len(messages)} message(s)"
    return messages


def assert_valid_html(files: list[Path]) -> None:
    """Every file passes the Nu checker; the first errors are shown otherwise."""
    messages = nu_errors(files)
    assert messages == [], json.dumps(messages[:10], indent=1, ensure_ascii=False)
