"""The nginx configuration of a static export: the app's negotiation, headers and redirects.

Negotiation runs in njs (nginx's JavaScript module, Debian package libnginx-mod-http-js):
Accept q-values cannot be evaluated by a `map` of regular expressions. negotiate.js gets its
constants from the same Python tables as the app, so the two cannot drift apart.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug import exceptions

from publisher.addresses import ROUTES, Urls
from publisher.assets import IMMUTABLE
from publisher.formats import ALIASES, DOCUMENT_FORMATS, FORMATS, HTML
from publisher.http_policy import BAD_PATH, COMPRESSIBLE, CORS_HEADERS, SECURITY_HEADERS, SMALLEST, plain_error_body

JS_MODULE = "/usr/lib/nginx/modules/ngx_http_js_module.so"
MIME_TYPES = {**{fmt.extension: fmt.media_type for fmt in FORMATS if fmt.extension}, "ics": "text/calendar",
              "png": "image/png", "gz": "application/gzip", "xml": "application/xml", "txt": "text/plain",
              "css": "text/css", "svg": "image/svg+xml", "atom": "application/atom+xml"}
CHARSET_TYPES = [t for t in MIME_TYPES.values() if t not in ("text/html", "image/png", "application/gzip")]
# What nginx compresses, as the app does (publisher.web.compression); text/html always is.
GZIP_TYPES = sorted({t for t in MIME_TYPES.values() if t.startswith(COMPRESSIBLE) and t != "text/html"})


def compression_lines() -> list[str]:
    """gzip as the app: a dump's .gz beside it is sent as is (gzip_static), the rest compressed
    as it is sent; nginx then weakens the ETag (W/"…"), as the app does."""
    return ["gzip on;", "gzip_static on;", "gzip_vary off;  # Vary is $publisher_vary, as the app's", "gzip_proxied any;", "gzip_comp_level 5;",
            f"gzip_min_length {SMALLEST};", f"gzip_types {' '.join(GZIP_TYPES)};"]


def assets_location(prefix: str, common: list[str]) -> str:
    """An asset under its fingerprinted name (publisher.assets) is cached for a year, immutable."""
    lines = "\n".join("        " + line for line in common[:-1] + [f'add_header Cache-Control "{IMMUTABLE}";'])
    return f"""
    location ~ "^{prefix}{ROUTES["static"].folder}[^/]+\\.[0-9a-f]{{8}}\\.[a-z0-9]+$" {{
{lines}
        try_files $uri =404;
    }}
"""


# The errors nginx answers itself, some before a location could add the security headers: the
# code nginx gives it, and the status, text and headers sent instead, as the app's. 400: a path
# the app refuses (in its words), also a request line nginx cannot parse, a NUL byte, a path
# above the root. 414: a request line over 8 KB. 494: nginx's code for headers over its buffers,
# sent as 431 as the app does. 405: any method but GET and HEAD (TRACE before any location).
OWN_ERRORS = {400: (400, BAD_PATH, {}), 414: (414, plain_error_body(exceptions.RequestURITooLarge()), {}),
              494: (431, plain_error_body(exceptions.RequestHeaderFieldsTooLarge()), {}),
              405: (405, plain_error_body(exceptions.MethodNotAllowed()), {"Allow": "GET, HEAD"}),
              501: (501, plain_error_body(exceptions.NotImplemented()), {})}


def negotiate_js(urls: Urls, home_path: str | None = None) -> str:
    """`home_path`: the main event's path, whose documents the home pages link."""
    parts, languages = urlsplit(urls.base), urls.languages
    source = (Path(__file__).with_name("negotiate.js")).read_text(encoding="utf-8")
    constants = {
        "__OFFERED__": [f.media_type for f in DOCUMENT_FORMATS],
        "__EXTENSIONS__": {f.media_type: f.extension for f in DOCUMENT_FORMATS},
        "__ALIASES__": ALIASES,
        "__ORIGIN__": f"{parts.scheme}://{parts.netloc}",
        "__OTHER_LANGS__": list(languages.others),
        "__PATH_ALIASES__": {f"{parts.path}{ROUTES['void'].path}": f"{parts.path}{ROUTES['dataset'].path}"},
        "__ERRORS__": "/" + ROUTES["error_documents"].folder,
        "__GONE__": "/" + ROUTES["tombstones"].folder,
        "__HOME__": {} if home_path is None else {f"{parts.path}{local}": f"{parts.path}{home_path}"
                                                  for local in map(languages.prefix, languages)},
    }
    for name, value in constants.items():
        source = source.replace(name, json.dumps(value, ensure_ascii=False))
    return source


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "${dollar}") + '"'


@dataclass
class Ended:
    """Paths of removed resources (410) and of merged ones with their successors' (301)."""
    gone: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)


def _regex(path: str) -> str:
    """A path as a literal inside a quoted nginx regex (PCRE metacharacters escaped)."""
    return re.sub(r'([\\.^$|?*+()\[\]{}"])', r"\\\1", path)


def _lifecycle_locations(prefix: str, urls: Urls, ended: Ended, common: list[str], block) -> str:
    """The app's 410 and 301 answers (publisher/lifecycle.py) as regex locations, same paths."""
    langs = urls.languages.others
    formats = "|".join(fmt.extension for fmt in DOCUMENT_FORMATS)
    parts = []
    for path in ended.gone:
        localized = "|".join(f"{lang}/{_regex(path)}(?:\\.html)?" for lang in langs)
        parts.append(f"""
    location ~ "^{prefix}(?:{localized}|{_regex(path)}(?:\\.(?:{formats}))?)$" {{
        error_page 404 @not_found;
        error_page 406 @not_acceptable;
        error_page 410 @gone;
        if ($publisher_gone = "") {{ return 406; }}
        return 410;
    }}""")
    for old, new in ended.moved:
        for lang in langs:
            parts.append(f"""
    location ~ "^{prefix}{lang}/{_regex(old)}(\\.html)?$" {{ return 301 {_quote(urls.in_language(new, lang))[:-1]}$1"; }}""")
        parts.append(f"""
    location ~ "^{prefix}{_regex(old)}(\\.(?:{formats}))?$" {{ return 301 {_quote(urls.at(new))[:-1]}$1"; }}""")
    if ended.gone:
        parts.append(f"""
    location {prefix}{ROUTES["tombstones"].folder} {{ internal; }}

    location @gone {{
{block(common[:-1])}
        set $publisher_negotiated 1;  # Vary: Accept (publisher_vary)
        add_header Link $publisher_link always;
        try_files $publisher_gone =404;
    }}""")
    return "".join(parts)


def server_block(public: Path, urls: Urls, listen: str, max_age: int,
                 home_path: str | None, home_calendar: str | None, ended: Ended | None = None) -> str:
    """The `server { … }` a deployer includes in nginx's http block (after http.conf)."""
    base_url, languages = urls.base, urls.languages
    prefix = urlsplit(base_url).path  # e.g. "/" or "/dane/"
    always = {**CORS_HEADERS, **SECURITY_HEADERS}
    common = ["add_header Vary $publisher_vary always;"]  # Accept and Accept-Encoding, as the app says them
    common += [f"add_header {name} {_quote(value)} always;" for name, value in always.items()]
    common.append(f'add_header Cache-Control "public, max-age={max_age}";')
    negotiated = common + ['set $publisher_negotiated 1;  # Vary: Accept (publisher_vary)', "add_header Link $publisher_link;"]

    def block(lines: list[str], indent: str = "        ") -> str:
        return "\n".join(indent + line for line in lines)

    home = ""
    if home_path is not None:
        home = f"""
    location = {prefix} {{
        if ($publisher_ext = "") {{ return 406; }}
        if ($publisher_ext != "html") {{  # its own headers: the page's Content-Location is not the 303's
{block(common[:-1] + ['set $publisher_negotiated 1;  # Vary: Accept (publisher_vary)'], "            ")}
            return 303 {_quote(urls.site("dataset"))};
        }}
{block(negotiated)}
        add_header Content-Location {_quote(urls.document(urls.at(home_path), HTML))};
        try_files {prefix}index.html =404;
    }}
    location = {prefix}index.html {{ internal; }}"""
    calendar = ""
    if home_calendar is not None:
        calendar = f"""
    location = {prefix}{ROUTES["event_calendar"].path} {{
{block(common)}
        add_header Content-Disposition {_quote(f'attachment; filename="{home_calendar}.ics"')};
    }}"""
    language_locations = "".join(f"""
    location = {prefix}{lang} {{
{block(common[:-1])}
        return 301 {_quote(urls.in_language("", lang))};
    }}
    location = {prefix}{lang}/index.html {{ internal; }}
    location = {prefix}{lang}/ {{
{block(common)}
        add_header Link $publisher_link;
        try_files {prefix}{lang}/index.html =404;
    }}
    location {prefix}{lang}/ {{
{block(common)}
        add_header Link $publisher_link;
        try_files $uri $uri$publisher_page.html =404;
    }}""" for lang in languages.others)
    lifecycle = _lifecycle_locations(prefix, urls, ended or Ended(), common, block)
    # The change feed in each language: its subscription document (no ?page=N but 1, as in the
    # app) and its archive documents, files as they are.
    feeds = "".join(f"""
    location = {prefix}{local}{ROUTES["changes"].path} {{
{block(common)}
        if ($publisher_page != "") {{ return 404; }}
    }}
    location ~ "^{prefix}{local}{ROUTES["changes_archive"].pattern()}$" {{
{block(common)}
    }}""" for local in map(languages.prefix, languages))
    plain_files = "".join(f"""
    location = {prefix}{route.path} {{
{block(common)}
    }}""" for route in ROUTES.values() if route.plain_file)
    errors = prefix + ROUTES["error_documents"].folder
    # Files served as they are, one byte range allowed: dumps, sitemaps, assets.
    downloads = "|".join(ROUTES[name].pattern() for name in ("dump", "file_dump", "sitemap", "sitemap_part", "static"))
    error_pages = "\n".join(f"    error_page {code} ={status} {errors}{code}.txt;"
                            for code, (status, *_) in OWN_ERRORS.items())
    own_errors = "".join(f"""
    location = {errors}{code}.txt {{
        internal;
{block(common[:-1] + [f"add_header {name} {_quote(value)} always;" for name, value in headers.items()])}
        return {status} {_quote(text)};
    }}""" for code, (status, text, headers) in OWN_ERRORS.items())
    return f"""# Generated by `publisher build`: serves the static export with the app's content negotiation.
server {{
    listen {listen};
    server_name _;
    root {public};
    charset utf-8;
    charset_types {" ".join(CHARSET_TYPES)};
    etag on;
{block(compression_lines(), "    ")}
    server_tokens off;
    default_type application/octet-stream;
    types {{
{block([f"{mime} {ext};" for ext, mime in MIME_TYPES.items()])}
    }}
{error_pages}
    error_page 404 @not_found;
    error_page 406 @not_acceptable;
    error_page 416 @not_satisfiable;
    # A redirect nginx makes itself (none is expected) names no host: never the client's Host.
    absolute_redirect off;
    # Documents ignore Range, as in the app (RFC 9110 §14.2 allows it); downloads allow one range.
    max_ranges 0;
    # The path as nginx decoded and normalised it, before try_files or an error page renames it.
    set $publisher_path $uri;
    set $publisher_negotiated "";  # 1 where a location negotiates (its Vary names Accept)
    # A dot segment (. or .., also as %2e) or an empty one (// or %2f): nginx would resolve it and
    # serve where it leads; the app names nothing by such a path. Both refuse it (400).
    if ($request_uri ~* "^[^?#]*(/|%2f)((\\.|%2e){{1,2}}(/|%2f|[?#]|$)|/|%2f)") {{
        rewrite ^ {errors}400.txt last;
    }}
{lifecycle}{home}{calendar}{language_locations}

{feeds}
    location = {prefix}{ROUTES["void"].path} {{
        if ($publisher_ext = "") {{ return 406; }}
{block(negotiated)}
        add_header Content-Location "{urls.site("dataset")}.$publisher_ext";
        try_files {prefix}{ROUTES["dataset"].path}.$publisher_ext =404;
    }}

    location {errors} {{
        internal;
{block(common[:-1])}
        set $publisher_negotiated 1;  # Vary: Accept (publisher_vary)
    }}

    # A page of a paged document is its ?page=N, never its file's name.
    location ~ "\\.page-[0-9]+\\.[a-z]+$" {{ internal; }}

{assets_location(prefix, common)}
    location ~ "^{prefix}({downloads})$" {{
{block(common)}
        max_ranges 1;
        try_files $uri =404;  # a folder is no document: 404, as in the app
    }}

    location ~ "/([^/]+)\\.ics$" {{
{block(common)}
        add_header Content-Disposition 'attachment; filename="$1.ics"';
    }}

    location ~ "\\.png$" {{
{block(common)}
    }}

{plain_files}

    location {prefix} {{
{block(common)}
        add_header Link $publisher_link;
        try_files $uri @resource;
    }}

    # A resource IRI: its document in the negotiated format. A resource (and its page ?page=N)
    # exists iff its HTML page does: a missing one is 404 before any 406, as in the app.
    location @resource {{
        if (!-f $request_filename$publisher_page.html) {{ return 404; }}
        if ($publisher_ext = "") {{ return 406; }}
        set $publisher_resource $uri;  # try_files changes $uri before headers are written
{block(negotiated)}
        add_header Content-Location "{urlsplit(base_url).scheme}://{urlsplit(base_url).netloc}$publisher_resource.$publisher_ext";
        try_files $uri$publisher_page.$publisher_ext =404;
    }}

    location @not_acceptable {{
{block(common[:-1])}
        set $publisher_negotiated 1;  # Vary: Accept (publisher_vary)
        add_header Link $publisher_link always;
        try_files {errors}406.txt =500;
    }}

{own_errors}

    location @not_satisfiable {{
{block(common[:-1])}
        charset_types *;  # else the charset follows the file's type: none for a .gz
        try_files {errors}416.txt =416;
    }}

    location @not_found {{
{block(common[:-1])}
        set $publisher_negotiated 1;  # Vary: Accept (publisher_vary)
        try_files $publisher_not_found =404;
    }}
}}
"""


def http_block(js_path: Path) -> str:
    """What the server block needs at the http level (njs functions, the Vary map)."""
    textual = "|".join(re.escape(prefix) for prefix in COMPRESSIBLE)
    return f"""# Generated by `publisher build`: include in nginx's http block, before the server block.
js_import publisher from {js_path};
js_set $publisher_ext publisher.ext;
js_set $publisher_link publisher.link;
js_set $publisher_not_found publisher.not_found;
js_set $publisher_page publisher.page;
js_set $publisher_gone publisher.gone;
# Vary as the app says it: Accept where the answer is negotiated, Accept-Encoding on every
# compressible type (publisher.web.compression), whether or not this answer is compressed.
map "$publisher_negotiated:$sent_http_content_type" $publisher_vary {{
    "~^1:({textual})" "Accept, Accept-Encoding";
    "~^1:" "Accept";
    "~^:({textual})" "Accept-Encoding";
    default "";
}}
"""


def standalone_config(directory: Path, js_module: str = JS_MODULE) -> str:
    """A whole nginx.conf around the two files, for running the export directly (and in tests)."""
    return f"""# Generated by `publisher build`: nginx -p {directory} -c {directory}/nginx.conf
load_module {js_module};
worker_processes auto;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {directory}/tmp/body;
    proxy_temp_path {directory}/tmp/proxy;
    fastcgi_temp_path {directory}/tmp/fastcgi;
    uwsgi_temp_path {directory}/tmp/uwsgi;
    scgi_temp_path {directory}/tmp/scgi;
    include {directory}/http.conf;
    include {directory}/server.conf;
}}
"""
