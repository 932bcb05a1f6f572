"""The app and the nginx export answer hostile paths and ranges alike.

Each request goes out by raw socket, as an attacker would write it, to `publisher serve` and to
nginx over `publisher build` of the same data. What must be the same: the status and Vary; for
a redirect, where it points; otherwise Content-Type, Link, Content-Location, Content-Range and
the body's bytes.
Both send the security headers with every answer.
Where the two cannot agree, the case is listed in EXCEPTIONS with the reason, and what still
holds for it is checked (docs/security.md, "The nginx export").
"""

from __future__ import annotations

import pytest

from publisher.http_policy import SECURITY_HEADERS
from security.wire import Answer, send

EVENT = "/event/miejsca-otwarte-2017"

# Paths a client library would have normalised or refused; each names at most one document.
HOSTILE = [
    # the canonical addresses, for reference
    "/", "/en/", "/en", EVENT, f"{EVENT}.ttl", f"/en{EVENT}", f"/en{EVENT}.html", "/dataset", "/.well-known/void",
    # dot segments, plain and percent-encoded, in every position
    f"/event/..{EVENT}", "/event/./miejsca-otwarte-2017", f"/.{EVENT}", f"/..{EVENT}", "/../../etc/passwd",
    f"/event/%2e%2e{EVENT}", f"/event/%2E%2E{EVENT}", f"/%2e{EVENT}", f"/event/.%2e{EVENT}", "/event/%2E/miejsca-otwarte-2017",
    "/..%2f..%2fetc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..", "/.", "/en/..", "/event/..", f"{EVENT}/..", f"{EVENT}/.",
    f"/en/..{EVENT}", "/.well-known/../dataset", "/static/../data/event.ttl", "/static/%2e%2e/data/event.ttl",
    "/../nginx/nginx.conf", "/x/..?a=/../", f"{EVENT}?x=/../..",
    # empty segments, plain and encoded
    f"/{EVENT}", "/event//miejsca-otwarte-2017", f"/en/{EVENT}", f"{EVENT}//", "/event%2F%2Fmiejsca-otwarte-2017",
    # encoded slashes and letters: decoded, they name the document
    "/event%2Fmiejsca-otwarte-2017", f"{EVENT}%2ettl", "/%65vent/miejsca-otwarte-2017", f"{EVENT}%2F",
    # files of the export that are not addresses of the publication
    "/index.html", "/en/index.html", "/_errors/404.txt", "/_errors/406.txt", "/_gone/x.ttl", "/nginx.conf",
    f"{EVENT}.page-1.ttl", "/changes.page-2.atom",
    # folders of the export
    "/data/editions", "/data/editions/", "/data/", "/data", "/static/", "/static", "/event", "/event/", f"{EVENT}/",
    # near misses of real files
    f"{EVENT}.", f"{EVENT}..ttl", f"{EVENT}...", "/...", f"{EVENT}.TTL", f"{EVENT}.ttl.html", f"{EVENT}.html.ttl",
    f"/en{EVENT}.ttl", "/en/en/", "/EVENT/miejsca-otwarte-2017", "/dump.ttl/", "/dump.ttl.", "/dump.TTL", "/robots.txt/",
    "/sitemap-0.xml", "/sitemap-00.xml", "/sitemap-1.xml", "/.git/config", "/x.ics", "/en/event.ics",
    # bytes and characters with a meaning somewhere
    f"{EVENT}%00", "/x%00", f"{EVENT}%20", f"{EVENT};x=1", f"{EVENT}%3Fx", f"{EVENT}%23x", f"{EVENT}#frag",
    f"{EVENT}\\", "/event\\miejsca-otwarte-2017", f"{EVENT}%C0%AF", "/event/%ff", "/x%01", "/x%0a", "/x%7f",
    b"/x\xc3\xbc",
    # queries
    f"{EVENT}?", f"{EVENT}?page=1", f"{EVENT}?page=01", f"{EVENT}?page=0", f"{EVENT}?page=2", "/changes.atom?page=2",
    "/changes.atom?page=abc",
    # other request targets
    "*", f"http://evil.example{EVENT}",
]

# Where agreement is impossible: the reason, and what holds instead.
EXCEPTIONS = {
    b"/x\xff": "a byte that is not UTF-8 in the request line: Granian's parser refuses it (400, empty body) before "
               "the app sees it; nginx looks the path up (404). Both refuse.",
    "event/miejsca-otwarte-2017": "a target without its leading '/': both refuse it with 400 in their HTTP "
                                  "parsers, Granian with an empty body, nginx with the 400 text.",
}


def seen(answer: Answer) -> tuple:
    """What must agree. A redirect's body is each server's own short note; where it points counts."""
    if 300 <= answer.status < 400:
        return answer.status, answer.header("Location"), answer.header("Vary")
    return (answer.status, answer.header("Content-Type"), answer.header("Link"), answer.header("Content-Location"),
            answer.header("Vary"), answer.header("Content-Range"), answer.digest)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("accept", [None, "text/turtle", "image/png"])
@pytest.mark.parametrize("target", HOSTILE, ids=repr)
def test_app_and_nginx_answer_a_hostile_path_alike(app_and_nginx, target, accept, method):
    app, nginx, _ = app_and_nginx
    headers = {"Accept": accept} if accept else {}
    from_app, from_nginx = send(app, target, headers, method), send(nginx, target, headers, method)
    assert seen(from_app) == seen(from_nginx)
    assert from_app.status < 500
    assert from_app.security_headers() == from_nginx.security_headers() == SECURITY_HEADERS


@pytest.mark.slow
@pytest.mark.parametrize("target", list(EXCEPTIONS), ids=repr)
def test_where_app_and_nginx_differ_both_still_refuse(app_and_nginx, target):
    app, nginx, _ = app_and_nginx
    assert 400 <= send(app, target).status < 500 and 400 <= send(nginx, target).status < 500

# Downloads honour one byte range (resuming a dump); documents are rendered and ignore Range,
# which RFC 9110 §14.2 allows. Several ranges at once are ignored too: the whole file, 200.
DOWNLOADS = ["/dump.ttl", "/dump.nt.gz", "/data/event.ttl", "/sitemap.xml", "/static/style.css"]
DOCUMENTS = [EVENT, f"{EVENT}.ttl", f"/en{EVENT}", "/", "/robots.txt", "/changes.atom", "/event.ics", f"{EVENT}.png"]
RANGES = ["bytes=0-9", "bytes=-5", "bytes=10-", "bytes=0-99999999", "bytes=0-1,3-4", "bytes=0-0,-1", "bytes=99999999-",
          "bytes=5-2", "bytes=abc", "bytes=", "items=0-1", "bytes=0-9, 5-"]


@pytest.mark.slow
@pytest.mark.parametrize("byte_range", RANGES)
@pytest.mark.parametrize("target", DOWNLOADS + DOCUMENTS)
def test_app_and_nginx_answer_a_range_alike(app_and_nginx, target, byte_range):
    app, nginx, _ = app_and_nginx
    from_app, from_nginx = send(app, target, {"Range": byte_range}), send(nginx, target, {"Range": byte_range})
    assert seen(from_app) == seen(from_nginx)
    assert from_app.security_headers() == from_nginx.security_headers() == SECURITY_HEADERS


@pytest.mark.slow
def test_one_range_of_a_download_is_served_several_are_ignored_and_documents_ignore_range(app_and_nginx):
    app, nginx, _ = app_and_nginx
    for base in (app, nginx):
        whole = send(base, "/dump.ttl").body
        part = send(base, "/dump.ttl", {"Range": "bytes=0-9"})
        assert (part.status, part.header("Content-Range"), part.body) == (206, f"bytes 0-9/{len(whole)}", whole[:10])
        several = send(base, "/dump.ttl", {"Range": "bytes=0-1,3-4"})
        assert (several.status, several.body) == (200, whole)
        beyond = send(base, "/dump.ttl", {"Range": f"bytes={len(whole)}-"})
        assert (beyond.status, beyond.header("Content-Range")) == (416, f"bytes */{len(whole)}")
        document = send(base, EVENT + ".ttl", {"Range": "bytes=0-9"})
        assert document.status == 200 and document.header("Content-Range") is None
