"""One route table (publisher.addresses.ROUTES) names the site's own addresses: the app answers at
each, the static export writes each, nginx serves each, and no resource of the data may take one."""

from __future__ import annotations

import re

import pytest

from publisher.addresses import ROUTES, Urls, rules
from publisher.i18n import Languages
from publisher.web import create_app
from publisher.publishing_rules import RESERVED_PATTERN

BASE = "http://127.0.0.1:8000/"
# Served as resources (negotiated documents of the catalog and VoID graphs), or files only the
# static export has: no rule of their own in the app.
NO_RULE = {name for name, route in ROUTES.items() if route.resource} | {"tombstones", "error_documents"}


def test_the_app_has_a_rule_for_each_route_and_none_that_is_not_in_the_table():
    app = create_app()
    app_rules = {rule.rule for rule in app.url_map.iter_rules()}
    from_table = {rule for name in ROUTES if name not in NO_RULE for rule in rules(name)}
    assert from_table <= app_rules
    # Besides the table: the resources themselves, at every other path.
    assert app_rules - from_table == {"/", "/<path:path>"}


@pytest.mark.parametrize("name, values, expected", [
    ("changes", {"lang": "en"}, "http://127.0.0.1:8000/en/changes.atom"),
    ("changes", {"lang": "pl"}, "http://127.0.0.1:8000/changes.atom"),
    ("sparql", {"lang": "en"}, "http://127.0.0.1:8000/en/sparql"),
    ("sitemap_part", {"number": 3}, "http://127.0.0.1:8000/sitemap-3.xml"),
    ("file_dataset", {"name": "editions/miejsca-otwarte-2021"},
     "http://127.0.0.1:8000/dataset/editions/miejsca-otwarte-2021"),
    ("void", {"lang": "en"}, "http://127.0.0.1:8000/.well-known/void"),  # one address for all languages
])
def test_the_address_book_makes_each_address_from_the_table(name, values, expected):
    urls = Urls(BASE, languages=Languages(("pl", "en")))
    lang = values.pop("lang", None)
    assert urls.site(name, lang, **values) == expected


@pytest.mark.parametrize("path", ["sparql", "catalog", "dataset", "changes.atom", "sitemap-12.xml", "dump.nt.gz",
                                  "data/editions/x.ttl", "dataset/editions/x", "static/style.css", ".well-known/void",
                                  "_gone/event/x.ttl", "robots.txt", "event.ics", "openapi.json"])
def test_validation_keeps_resources_off_every_route(path):
    assert re.match(RESERVED_PATTERN, path), path


@pytest.mark.parametrize("path", ["event/miejsca-otwarte-2017", "sparql-guide", "catalogue", "sitemaps/x"])
def test_a_resource_may_start_like_a_route(path):
    assert not re.match(RESERVED_PATTERN, path), path


def test_robots_txt_names_the_query_pages_below_the_base_urls_own_path():
    from publisher.represent.sitemap import robots

    urls = Urls("https://city.example/dane/", query_page="https://city.example/dane/sparql",
                languages=Languages(("pl", "en")))
    text = robots(urls).decode()
    assert "Disallow: /dane/sparql?\n" in text and "Disallow: /dane/en/sparql?\n" in text
    assert "Sitemap: https://city.example/dane/sitemap.xml" in text


def test_nginx_has_an_exact_location_for_every_plain_file_and_a_location_for_every_fixed_route(tmp_path):
    """A plain file gets the common headers and no Link to other formats (the catch-all adds
    one); every other fixed route nginx answers has a location of its own."""
    from publisher.export.nginx import server_block

    urls = Urls(BASE, languages=Languages(("pl", "en")))
    config = server_block(tmp_path, urls, "8126", 300, None, None)
    for name, route in ROUTES.items():
        if route.plain_file:
            block = config.split(f"location = /{route.path} {{", 1)[1].split("}", 1)[0]
            assert "add_header Link" not in block and "X-Content-Type-Options" in block, name
    for name in ("void", "changes", "changes_archive", "sitemap", "sitemap_part", "dump", "file_dump", "static"):
        route = ROUTES[name]
        assert f"location = /{route.path} " in config or route.pattern() in config, name
