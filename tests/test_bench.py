"""The benchmark command works from a clean checkout: its quick form writes the report and plots.

Only that it runs and reports is checked here; its figures are for people to read (speed targets
belong in the benchmark, never in a timed test).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_quick_benchmark_writes_a_report_with_every_section_target_and_plot(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(tmp_path)],
                          cwd=ROOT / "bench", capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = (tmp_path / "REPORT.md").read_text(encoding="utf-8")
    for heading in ("## Targets", "## 1. Dereferencing", "## 2. SPARQL", "## 3. Growth", "## Before and after"):
        assert heading in report
    for target in ("app / nginx requests/s", "app p99", "production set-up / nginx",
                   "a repeated query (our result cache) / oxigraph serve", "rdflib's engine / ours, in-process", "serving RSS"):
        assert target in report
    assert "Machine: " in report and "cores" in report
    assert "Where a build's CPU goes" in report and "| social image |" in report and "Rendering alone: " in report
    for plot in ("deref.png", "sparql-300.png", "growth.png"):
        assert (tmp_path / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"]({plot})" in report
    figures = json.loads((tmp_path / "figures-quick.json").read_text(encoding="utf-8"))
    assert figures["deref"]["app"]["errors"] == 0 and figures["deref"]["nginx"]["non2xx"] == 0
    sparql = figures["sparql"]["300"]
    for query in sparql["queries"]:  # the engines agree on what each query returns
        assert sparql["ours"][query]["rows"] == sparql["oxigraph"][query]["rows"] == sparql["engine"][query]["rows"]
        assert sparql["rdflib"][query].get("capped") or sparql["rdflib"][query]["rows"] == sparql["ours"][query]["rows"]
