"""The short form of bench/load.py: under load with runaway queries no request fails, memory
stays bounded, and a killed worker is replaced. Latency figures belong to the benchmark report
(bench/results/load.md), not to a timed test."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_load_with_runaway_queries_and_a_worker_kill_loses_no_request():
    assert shutil.which("wrk"), "wrk is missing: scripts/test.sh installs it"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--quick", "--json"],
                            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["requests"] > 1000
    assert figures["errors"] == 0 and figures["non2xx"] == 0
    assert figures["runaway_queries"]["sent"] >= 4 and figures["runaway_queries"]["other"] == 0
    # A small query is answered or refused with 503 and Retry-After, never anything else.
    assert figures["small_queries"]["sent"] >= 2 and figures["small_queries"]["other"] == 0
    assert figures["pss_kb_end"] < 1.5 * figures["pss_kb_start"]
    assert figures["worker_killed_and_replaced"] is True
