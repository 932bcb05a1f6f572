"""Lighthouse (npm, driving Debian's Chromium) scores the event page in both languages and one
page of every other kind: an edition, the series, a resource, the catalog, the query page."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from browser_tools import ARTIFACTS, LIGHTHOUSE, chromium_path, require

pytestmark = pytest.mark.slow  # starts Chromium under Lighthouse

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TRACE_ERROR = "Something went wrong with recording the trace"
RUNS_ON_TRACE_ERROR = 3


PAGES = ["", "en/", "en/event/miejsca-otwarte-2021", "event/miejsca-otwarte", "place/bok-glebocka-66",
         "en/recording/miejsca-otwarte-2017-day-1", "catalog", "sparql"]


@pytest.mark.parametrize("path", PAGES)
def test_lighthouse_scores_at_least_095_in_every_category(server, path, tmp_path):
    report = tmp_path / "report.json"
    flags = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
    # Mobile emulation and network throttling as Lighthouse's default, but no extra CPU slowdown:
    # its 4x is meant to make a fast desktop act like a phone, and the test machine (2 cores shared
    # with a parallel test run) is already slower than that; with 4x the score measured the run
    # (total blocking time 0.91 on a page that runs no script), not the page.
    command = [str(require(LIGHTHOUSE, "lighthouse")), server + path, "--quiet", "--output=json",
               f"--output-path={report}", f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}",
               "--throttling.cpuSlowdownMultiplier=1"]
    # Lighthouse's trace recording sometimes fails on a loaded machine (NO_NAVSTART, NO_FCP…); it then
    # says "Please run Lighthouse again". Only that error is retried; a low score never is.
    for _attempt in range(RUNS_ON_TRACE_ERROR):
        result = subprocess.run(command, env={**os.environ, "CHROME_PATH": chromium_path()},
                                capture_output=True, text=True, timeout=300)
        if result.returncode == 0 or TRACE_ERROR not in result.stderr:
            break
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: data["categories"][name]["score"] for name in CATEGORIES}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"lighthouse-{path.strip('/').replace('/', '-') or 'pl'}.json").write_text(json.dumps(scores, indent=1))
    failing = {name: [a for a, audit in data["audits"].items() if audit.get("score") not in (None, 1)
                      and a in {ref["id"] for ref in data["categories"][name]["auditRefs"]}]
               for name, score in scores.items() if score < 0.95}
    assert all(score >= 0.95 for score in scores.values()), (scores, failing)
