"""The app and the nginx export of the same data, side by side, for the attack suite."""

from __future__ import annotations

import pytest

from servers import app_and_export


@pytest.fixture(scope="module")
def app_and_nginx(shared):
    """(app base, nginx base, export folder): `publisher serve` and nginx over `publisher build`
    of data/, both publishing the nginx base URL, so that every answer can be compared byte for
    byte; one pair for the session's modules (conftest's `shared`)."""
    return shared.get(("app and export",), app_and_export)
