"""The nginx export under attack: nothing of the request ends up in a header, and every answer,
nginx's own errors included, carries the app's security headers (issue 22, items 7 and 9)."""

from __future__ import annotations

import shutil

import pytest

from publisher.formats import DOCUMENT_FORMATS
from publisher.http_policy import SECURITY_HEADERS
from security.wire import send

EVENT = "/event/miejsca-otwarte-2017"
INJECTION = '#>;rel="preload",<https://evil.example/x.css>;rel=stylesheet,<x'
OTHER_FORMATS = len(DOCUMENT_FORMATS) - 1  # a document links every format but its own


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/data/editions", "/data/", "/static", "/en", "/", EVENT, "/.well-known/void",
                                  "/event/", "/event/../en"])
def test_a_forged_host_header_appears_in_no_answer(app_and_nginx, path):
    _, nginx, _ = app_and_nginx
    for accept in ("text/html", "text/turtle"):
        answer = send(nginx, path, {"Host": "evil.example", "Accept": accept})
        headers = "\n".join(f"{name}: {value}" for name, value in answer.headers.items())
        assert "evil.example" not in headers and b"evil.example" not in answer.body
        if answer.header("Location"):
            assert answer.header("Location").startswith(nginx)


@pytest.mark.slow
@pytest.mark.parametrize("target", [EVENT + INJECTION, EVENT + ".ttl" + INJECTION, EVENT + "?x=" + INJECTION[1:],
                                    "/event%2Fmiejsca-otwarte-2017", "/%65vent/miejsca-otwarte-2017"])
def test_link_names_the_published_documents_whatever_the_request_says(app_and_nginx, target):
    app, nginx, _ = app_and_nginx
    canonical = target.split("#")[0].split("?")[0].replace("%2F", "/").replace("%65", "e")
    from_nginx = send(nginx, target)
    assert from_nginx.status == 200
    assert from_nginx.header("Link") == send(app, canonical).header("Link") == send(nginx, canonical).header("Link")
    assert "evil" not in from_nginx.header("Link") and from_nginx.header("Link").count("<") == OTHER_FORMATS


@pytest.mark.slow
@pytest.mark.parametrize("home", ["/", "/en/"])
def test_the_home_pages_link_the_main_events_documents_as_the_app_does(app_and_nginx, home):
    app, nginx, _ = app_and_nginx
    link = send(nginx, home).header("Link")
    assert link == send(app, home).header("Link")
    targets = [part.split(">")[0].lstrip(" <") for part in link.split(",")]
    assert len(targets) == OTHER_FORMATS and all(target.startswith(nginx + EVENT[1:] + ".") for target in targets)
    assert all(send(nginx, "/" + target[len(nginx):]).status == 200 for target in targets)


# What nginx answers itself, before or outside the locations that serve the export.
OWN_ANSWERS = {
    "a dot segment": ("GET", "/event/../en/", {}, 400),
    "a path above the root": ("GET", "/../../etc/passwd", {}, 400),
    "a NUL byte": ("GET", "/x%00", {}, 400),
    "an asterisk target": ("GET", "*", {}, 400),
    "an empty Host": ("GET", "/", {"Host": ""}, 400),
    "an unreadable Content-Length": ("GET", "/", {"Content-Length": "abc"}, 400),
    "a request line over 8 KB": ("GET", "/" + "a" * 9000, {}, 414),
    "a header over 8 KB": ("GET", "/", {"X-Big": "b" * 9000}, 431),
    "TRACE": ("TRACE", "/", {}, 405),
    "POST to a document": ("POST", EVENT, {"Content-Length": "0"}, 405),
    "an unknown transfer coding": ("GET", "/", {"Transfer-Encoding": "gzip"}, 501),
    "the /en redirect": ("GET", "/en", {}, 301),
    "a folder": ("GET", "/data/editions", {}, 404),
    "an unsatisfiable range": ("GET", "/dump.nt.gz", {"Range": "bytes=99999999-"}, 416),
    "nothing acceptable": ("GET", EVENT, {"Accept": "image/png"}, 406),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(OWN_ANSWERS))
def test_nginx_own_answers_carry_the_security_headers(app_and_nginx, case):
    _, nginx, _ = app_and_nginx
    method, target, headers, status = OWN_ANSWERS[case]
    answer = send(nginx, target, headers, method=method)
    assert answer.status == status
    assert answer.security_headers() == SECURITY_HEADERS
    if status >= 400:
        assert answer.header("Content-Type") in ("text/plain; charset=utf-8", "text/html; charset=utf-8")
        assert b"nginx" not in answer.body


@pytest.mark.slow
def test_a_page_of_a_paged_document_is_reached_by_its_query_never_by_its_file_name(app_and_nginx):
    _, nginx, out = app_and_nginx
    folder = out / "public" / "event"
    second = [folder / f"miejsca-otwarte-2017.page-2.{ext}" for ext in ("ttl", "html")]  # as the build names page 2
    for page in second:
        shutil.copy(folder / page.name.replace(".page-2", ""), page)
    try:
        assert send(nginx, EVENT + "?page=2", {"Accept": "text/turtle"}).status == 200
        assert send(nginx, EVENT + ".page-2.ttl").status == 404
    finally:
        for page in second:
            page.unlink()
