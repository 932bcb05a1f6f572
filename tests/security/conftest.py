"""The app and the nginx export of the same data, side by side, for the attack suite."""

from __future__ import annotations

import pytest

from servers import free_port, nginx_export, publisher_server


@pytest.fixture(scope="module")
def app_and_nginx():
    """(app base, nginx base, export folder): `publisher serve` and nginx over `publisher build`
    of data/, both publishing the nginx base URL, so that every answer can be compared byte for byte."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    # The export names the app's endpoint as its external one, as in the nginx-in-front set-up.
    with nginx_export("--sparql-endpoint", base + "sparql", port=port) as (_, out), \
            publisher_server("--base-url", base) as app:
        yield app, base, out
