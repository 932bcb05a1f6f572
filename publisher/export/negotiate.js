// Content negotiation for nginx (njs), the same rules as publisher/negotiate.py:
// for each offered type the most specific matching range gives its q; q=0 rules it out;
// ties go to the server's order; aliases count only when named exactly.
// The constants below are written by `publisher build` from the Python ones.
var OFFERED = __OFFERED__;
var EXTENSIONS = __EXTENSIONS__;
var ALIASES = __ALIASES__;
var ORIGIN = __ORIGIN__;
var OTHER_LANGS = __OTHER_LANGS__;  // the site's languages but the default: pages under /{lang}/
var PATH_ALIASES = __PATH_ALIASES__;
var HOME = __HOME__;
var ERRORS = __ERRORS__;  // where the error documents are
var GONE = __GONE__;  // where the tombstones are
// A path that names a document's format: its stem, then the format's extension.
var FORMAT_PATH = new RegExp("^(.*)\\.(" + OFFERED.map(function (type) { return EXTENSIONS[type]; }).join("|") + ")$");

function parse(header) {
    var ranges = [];
    var parts = (header || "").split(",");
    for (var i = 0; i < parts.length; i++) {
        var params = parts[i].split(";");
        var media = params[0].trim().toLowerCase();
        var slash = media.indexOf("/");
        if (slash < 0) { continue; }
        var type = media.substring(0, slash), subtype = media.substring(slash + 1);
        if (!type || !subtype || (type === "*" && subtype !== "*")) { continue; }
        var q = 1.0;
        for (var j = 1; j < params.length; j++) {
            var equals = params[j].indexOf("=");
            var key = equals < 0 ? params[j] : params[j].substring(0, equals);
            if (key.trim().toLowerCase() === "q") {
                var value = equals < 0 ? "" : params[j].substring(equals + 1).trim();
                var parsed = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? parseFloat(value) : NaN;
                q = isNaN(parsed) ? 1.0 : Math.min(Math.max(parsed, 0.0), 1.0);
            }
        }
        ranges.push({type: type, subtype: subtype, q: q});
    }
    return ranges;
}

function specificity(range, mediaType) {
    var slash = mediaType.indexOf("/");
    var type = mediaType.substring(0, slash), subtype = mediaType.substring(slash + 1);
    if (range.type === "*" && range.subtype === "*") { return 0; }
    if (range.type !== type) { return -1; }
    if (range.subtype === "*") { return 1; }
    return range.subtype === subtype ? 2 : -1;
}

function quality(ranges, names) {
    var best = -1, q = 0.0;
    for (var i = 0; i < names.length; i++) {
        for (var j = 0; j < ranges.length; j++) {
            var s = specificity(ranges[j], names[i]);
            if (s < 0 || (i > 0 && s < 2)) { continue; }
            if (s > best || (s === best && ranges[j].q > q)) { best = s; q = ranges[j].q; }
        }
    }
    return q;
}

function choose(header) {
    if (!header || !header.trim()) { return OFFERED[0]; }
    var ranges = parse(header);
    if (ranges.length === 0) { return OFFERED[0]; }
    var chosen = null, chosenQ = 0.0;
    for (var i = 0; i < OFFERED.length; i++) {
        var names = [OFFERED[i]];
        for (var alias in ALIASES) { if (ALIASES[alias] === OFFERED[i]) { names.push(alias); } }
        var q = quality(ranges, names);
        if (q > chosenQ) { chosen = OFFERED[i]; chosenQ = q; }
    }
    return chosen;
}

// The extension of the negotiated document, or "" when nothing offered is acceptable.
function ext(r) {
    var chosen = choose(r.headersIn["Accept"]);
    return chosen ? EXTENSIONS[chosen] : "";
}

// "{lang}/" for a page in another language than the default, "" else.
function language(uri) {
    for (var i = 0; i < OTHER_LANGS.length; i++) {
        if (uri.indexOf("/" + OTHER_LANGS[i] + "/") === 0) { return OTHER_LANGS[i] + "/"; }
    }
    return "";
}

function stem(uri) {
    var path = uri.substring(language(uri).length);
    var match = FORMAT_PATH.exec(path);
    return match ? match[1] : path;
}

// Link: rel="alternate" for every format but the one served, as the app writes it. The path is
// $publisher_path: nginx's decoded and normalised $uri, taken before try_files or an error page
// renames it, never the raw request (whose "#>;rel=…" would add links of the client's choosing).
function link(r) {
    var uri = r.variables.publisher_path;
    if (r.status >= 300 && r.status < 400) { return ""; }  // a redirect is no document: the app links none
    if (HOME[uri] !== undefined) {
        // The home page is the main event's page; refusing it (406), it links nothing, as the app.
        return r.status === 406 ? "" : alternates(HOME[uri], "html");
    }
    if (PATH_ALIASES[uri]) { uri = PATH_ALIASES[uri]; }
    var served = r.status === 406 ? "" : ext(r);
    var match = FORMAT_PATH.exec(uri);
    if (match) { served = match[2]; }
    if (language(uri)) { served = "html"; }
    return alternates(stem(uri), served);
}

function alternates(path, served) {
    // A path of the export is an IRI's path; anything that could end the <…> or the header is escaped.
    var base = ORIGIN + path.replace(/[\x00-\x20"#%<>?[\\\]^`{|}\x7f]/g, function (c) {
        return "%" + (c.charCodeAt(0) < 16 ? "0" : "") + c.charCodeAt(0).toString(16).toUpperCase();
    });
    var links = [];
    for (var i = 0; i < OFFERED.length; i++) {
        var extension = EXTENSIONS[OFFERED[i]];
        if (extension !== served) {
            links.push("<" + base + "." + extension + ">; rel=\"alternate\"; type=\"" + OFFERED[i] + "\"");
        }
    }
    return links.join(", ");
}

// The 404 document in the negotiated format and language.
function not_found(r) {
    var extension = ext(r) || "txt";
    if (extension === "html") { return ERRORS + language(r.uri) + "404.html"; }
    return ERRORS + "404." + extension;
}

// The file suffix of the requested page of a paged document: "" for page 1, ".page-N" else;
// anything that is not a page number names no file, so it ends in a 404 as in the app.
function page(r) {
    var value = r.args.page;
    if (value === undefined) { return ""; }
    if (!/^[0-9]+$/.test(value)) { return ".page-none"; }
    var number = parseInt(value, 10);
    return number === 1 ? "" : ".page-" + number;
}

// The tombstone of a removed resource in the requested format and language, "" when the client
// accepts none of them (a 406, as in the app).
function gone(r) {
    var uri = r.variables.publisher_path;
    var lang = language(uri);
    uri = uri.substring(lang.length);
    var match = FORMAT_PATH.exec(uri);
    var extension = match ? match[2] : (lang ? "html" : ext(r));
    if (match) { uri = match[1]; }
    if (!extension) { return ""; }
    return GONE + (extension === "html" ? lang : "") + uri.substring(1) + "." + extension;
}

export default {ext: ext, link: link, not_found: not_found, choose: choose, page: page, gone: gone};
