"""Every UI string in the code and templates has a Polish translation."""

from __future__ import annotations

import subprocess
import sys

from babel.messages.pofile import read_po

from conftest import ROOT


def test_every_ui_string_is_translated_to_polish(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "N_", "-k", "_", "--no-location", "-o", str(template), "."],
                   cwd=ROOT, check=True, capture_output=True)
    wanted = {m.id for m in read_po(template.open("rb")) if m.id}
    assert len(wanted) > 50
    with (ROOT / "site/translations/pl/LC_MESSAGES/messages.po").open("rb") as handle:
        polish = {m.id: m.string for m in read_po(handle, locale="pl") if m.id}
    missing = sorted(m for m in wanted if not polish.get(m))
    assert not missing, f"add Polish translations for: {missing}"
