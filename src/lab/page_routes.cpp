#include "lab/page_routes.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "lab/cache_routes.h"
#include "lab/page_assets.h"

namespace pageload::embedded {
extern const char* const lab_pages_paths[];
extern const char* const lab_pages_data[];
extern const std::size_t lab_pages_sizes[];
extern const std::size_t lab_pages_count;
}  // namespace pageload::embedded

namespace pageload::lab {
namespace {

constexpr long long kMaxDelayMs = 60'000;
constexpr long long kMaxManyResources = 3000;

// /page/redirects (a subresource redirect chain and loop) is served like any page but not
// listed: Chromium requests the same URLs for it, but names the page as every hop's
// initiator (pageload: the hop before, as issue 9 defines it) and raises a redirected
// image's priority, so the browser comparison would fail on it (tests/loader covers it).

// /page/cache (cache_routes.h: one resource per caching policy) is served but not listed
// either: it names a 301'd image, which Chromium raises in priority as above, and what it
// shows is a repeat view, which the browser comparison does not load.

// Every page, in the order they are listed. The documents are src/lab/pages/NAME.html
// (but /page/many, which is made here).
constexpr std::array kPages{
    RouteInfo{"/page/slow-document", "the head at once, naming a stylesheet; the body 500 ms later: the stylesheet is fetched before the document ends"},
    RouteInfo{"/page/images", "18 images of 300 ms each: over HTTP/1.1 six connections in three waves, over HTTP/2 one connection"},
    RouteInfo{"/page/import", "a stylesheet @imports a second, which @imports a third (a chain); an inline <style> @imports a fourth"},
    RouteInfo{"/page/fonts", "@font-face: fonts applied to text are fetched (the first usable source), unused and unmatched ones not"},
    RouteInfo{"/page/font-subsets", "a family split by unicode-range as Google Fonts serves it (cyrillic, greek, latin-ext, latin) on Latin text: only the latin face is fetched; a cyrillic-only face not"},
    RouteInfo{"/page/backgrounds", "background url()s of selectors that match (type, class, id, attribute, descendant, child, compound, list) and ones that do not"},
    RouteInfo{"/page/srcset", "srcset with x and w descriptors and sizes, picture sources by type and media (1x display, 1280 px viewport)"},
    RouteInfo{"/page/iframe", "an iframe: a document of its own with its own stylesheet, image and background"},
    RouteInfo{"/page/duplicates", "one image, stylesheet and script named several times: each requested once"},
    RouteInfo{"/page/data-uri", "data: image, srcset, background and font: no request for any"},
    RouteInfo{"/page/not-found", "an image that answers 404"},
    RouteInfo{"/page/third-party", "an image and a script on nxdomain.test, which does not resolve"},
    RouteInfo{"/page/wrong-type", "a stylesheet served as text/plain: fetched, ignored, its url()s not fetched"},
    RouteInfo{"/page/octet-stream", "a document served as application/octet-stream: not rendered, nothing it names fetched"},
    RouteInfo{"/page/no-content-type", "a document served with no Content-Type: sniffed as HTML from its first bytes, what it names fetched"},
    RouteInfo{"/page/scripts", "classic, async, defer and module scripts fetched; nomodule and an unknown type not"},
    RouteInfo{"/page/modules", "a module script's static imports fetched level by level without running it (each once); its dynamic import() and commented imports not; no import of a module with a bare specifier; a modulepreload's own import not"},
    RouteInfo{"/page/import-map", "an import map: a bare specifier, a prefix and a remapped URL resolved through it, a scope of its own for one folder, a module importing a specifier the map blocks (null) fetches none of its imports"},
    RouteInfo{"/page/link-header", "the document's Link header preloads a stylesheet, an image and a module (fetched); its rel=stylesheet and rel=preconnect fetch nothing"},
    RouteInfo{"/page/preload", "link rel=preload as style, script, image and font, and modulepreload; a bad as= or unmatched media= not"},
    RouteInfo{"/page/favicon", "no link rel=icon: the browser asks for /favicon.ico"},
    RouteInfo{"/page/media", "input type=image and video poster"},
    RouteInfo{"/page/audio", "audio and video src and source: fetched as media, but not with preload=none"},
    RouteInfo{"/page/srcdoc", "iframe srcdoc: the srcdoc document's stylesheet, images and background, a srcdoc and an iframe inside it"},
    RouteInfo{"/page/icons", "several link rel=icon: every one without sizes, and of those with sizes the one that suits 16 and 32 px best"},
    RouteInfo{"/page/deep", "600 nested elements, then an image: still fetched (deeper elements become siblings, as in Chromium)"},
    RouteInfo{"/page/encoding", "references with spaces, quotes, angle brackets, braces, an escape character and non-ASCII: requested percent-encoded as Chromium does"},
    RouteInfo{"/page/lazy", "loading=lazy images 12000 px below a 1280x720 viewport: not fetched"},
    RouteInfo{"/page/template", "template contents (image, stylesheet, script): not fetched"},
    RouteInfo{"/page/base", "base href: relative URLs resolve against the first base; a stylesheet's against the stylesheet"},
    RouteInfo{"/page/cross-host", "subresources on b.test and c.test (same port), and a font from c.test named by b.test's stylesheet"},
    RouteInfo{"/page/credentials", "c.test's font preloaded without crossorigin, an image used with and without crossorigin, 7 + 7 slow images: each fetched with and without credentials, on two pools"},
    RouteInfo{"/page/late-font", "a web font named only by a stylesheet that takes 300 ms: found late, it ends the critical path document, stylesheet, font"},
    RouteInfo{"/page/slow-third-party", "a script and a pixel on a third-party host whose DNS takes 300 ms and whose server 700 ms: it sets the page's load time"},
    RouteInfo{"/page/showcase", "a small shop: stylesheet with @import and a web font, srcset, slow images, a script on b.test, a 404, a lazy image"},
    RouteInfo{"/page/many?n=35", "n (1-3000) subresources (stylesheets, deferred scripts, images) over a.test, b.test and c.test; &each=MS delays each, &size=BYTES pads each, &max-age=S makes the page and each cacheable S seconds"},
    RouteInfo{"/page/asset/NAME.png?size=2000", "a small valid resource typed by its extension: png gif svg ico woff2 woff ttf otf eot css js mjs txt (media: mp3 mp4, wav a real sound); &px=N makes a PNG N by N pixels (1-256)"},
    // Last: its server closes the connection it came on once idle for 200 ms, so a client
    // walking the list on one connection meets that only after every other page.
    RouteInfo{"/page/keep-alive", "the document's server closes an idle connection after 200 ms; a font found 600 ms later needs a new connect and handshake"},
};

// Files served with a Content-Type other than their extension's, on purpose.
struct TypeOverride {
  std::string_view file;
  std::string_view content_type;
};
constexpr std::array kTypeOverrides{
    TypeOverride{"wrong-type/plain.css", "text/plain; charset=utf-8"},
    TypeOverride{"octet-stream.html", "application/octet-stream"},
    TypeOverride{"no-content-type.html", ""},  // no Content-Type field at all: a browser sniffs it
};

// Response headers some files are served with, on purpose.
struct HeaderOverride {
  std::string_view file;
  std::string_view name, value;
};
constexpr std::array kHeaderOverrides{
    HeaderOverride{"link-header.html", "Link",
                   "</page/asset/link-header-preloaded.css>; rel=preload; as=style, "
                   "</page/asset/link-header-hero.png>; rel=\"preload\"; as=\"image\", "
                   "</page/asset/link-header-module.js>; rel=modulepreload, "
                   "</page/asset/link-header-applied.css>; rel=stylesheet, "
                   "<//c.test:{{port}}>; rel=preconnect"},
    // /page/modules' module scripts may be cached 10 minutes (the page itself not): a
    // repeat view takes them from the cache and must still find their imports in them.
    HeaderOverride{"modules/main.js", "Cache-Control", "max-age=600"},
    HeaderOverride{"modules/dep.js", "Cache-Control", "max-age=600"},
    HeaderOverride{"modules/shared.js", "Cache-Control", "max-age=600"},
    HeaderOverride{"modules/reexport.js", "Cache-Control", "max-age=600"},
    HeaderOverride{"modules/leaf.js", "Cache-Control", "max-age=600"},
    HeaderOverride{"modules/preloaded.js", "Cache-Control", "max-age=600"},
};

// /page/deep-import (an @import chain 8 sheets long) is served but not listed: pageload
// follows @import 5 deep and says so, where Chromium has no bound (tests/loader covers it).

// Documents served by a server that closes their connection once it has been idle this
// long (ResponsePlan::keep_alive): /page/keep-alive's later request to its host finds the
// kept-alive connection closed and must open a new one.
struct KeepAliveOverride {
  std::string_view file;
  milliseconds idle;
};
constexpr std::array kKeepAliveOverrides{
    KeepAliveOverride{"keep-alive.html", milliseconds(200)},
};

HeaderList page_headers(std::string_view content_type) {
  HeaderList headers{{"Access-Control-Allow-Origin", "*"}, {"Timing-Allow-Origin", "*"}};
  if (!content_type.empty()) headers.insert(headers.begin(), {"Content-Type", std::string(content_type)});
  return headers;
}

std::string_view content_type_for(std::string_view file) {
  for (const auto& o : kTypeOverrides)
    if (o.file == file) return o.content_type;
  auto ends_with = [file](std::string_view ext) {
    return file.size() >= ext.size() && file.substr(file.size() - ext.size()) == ext;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".js") || ends_with(".mjs")) return "text/javascript; charset=utf-8";
  return "application/octet-stream";
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// Splits a page's text at its pause markers into body pieces.
std::vector<BodyPiece> pieces_of(std::string_view text) {
  struct Marker {
    std::string_view open, close;
  };
  constexpr std::array kMarkers{Marker{"<!--lab:pause ", "-->"}, Marker{"/*lab:pause ", "*/"}};
  std::vector<BodyPiece> pieces;
  milliseconds delay{0};
  for (;;) {
    std::size_t best = std::string_view::npos;
    const Marker* found = nullptr;
    for (const Marker& m : kMarkers) {
      std::size_t at = text.find(m.open);
      if (at < best) best = at, found = &m;
    }
    std::size_t end = found ? text.find(found->close, best) : std::string_view::npos;
    if (end == std::string_view::npos) break;
    pieces.push_back(literal(std::string(text.substr(0, best)), delay));
    std::string_view ms = text.substr(best + found->open.size(), end - best - found->open.size());
    delay = milliseconds(parse_clamped(ms, 0, kMaxDelayMs).value_or(0));
    text.remove_prefix(end + found->close.size());
  }
  pieces.push_back(literal(std::string(text), delay));
  return pieces;
}

ResponsePlan not_found() {
  return ResponsePlan::whole(404, page_headers("text/plain; charset=utf-8"), "404 Not Found\n");
}

// `name` if it reads as a host name (letters, digits, '-' and '.'), else the lab's usual
// page host: it is written into a page, so nothing else may pass.
std::string host_name_or_default(const std::optional<std::string>& name) {
  constexpr std::string_view kDefault = "www.test";
  if (!name || name->empty() || name->size() > 253) return std::string(kDefault);
  for (char c : *name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return std::string(kDefault);
  return *name;
}

// A stored page or stylesheet with its placeholders filled in: {{port}} (the port the
// request came in on), {{host}} (the host it asked for) and {{page-host}} (the query's
// page-host=, for a stylesheet on another host naming something on the page's own).
ResponsePlan file_plan(std::string_view file, std::string_view stored, const Request& request) {
  std::string text = replace_all(std::string(stored), "{{port}}", std::to_string(request.port()));
  text = replace_all(std::move(text), "{{host}}", host_name_or_default(request.host()));
  text = replace_all(std::move(text), "{{page-host}}", host_name_or_default(Query(request.query()).get("page-host")));
  ResponsePlan plan;
  plan.headers = page_headers(content_type_for(file));
  for (const auto& o : kHeaderOverrides)
    if (o.file == file)
      plan.headers.push_back({std::string(o.name), replace_all(std::string(o.value), "{{port}}", std::to_string(request.port()))});
  plan.body = pieces_of(text);
  plan.content_length = plan.body_size();
  for (const auto& o : kKeepAliveOverrides)
    if (o.file == file) plan.keep_alive = o.idle;
  return plan;
}

ResponsePlan index_plan() {
  std::string body =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>pageload lab: pages</title>\n"
      "<link rel=\"icon\" href=\"/page/asset/index-icon.png\"></head>\n<body><h1>Pages for page loads</h1>\n"
      "<p>Each page covers one rule of what a browser fetches for a page. <code>?delay=MS</code> (or <code>?delays=A,B,...</code>, the k-th request for the URL the k-th delay) works on every "
      "URL here.</p>\n<ul>\n";
  for (const RouteInfo& p : kPages) {
    body += "<li><a href=\"" + std::string(p.example) + "\">" + std::string(p.example) + "</a>: ";
    body += std::string(p.description) + "</li>\n";
  }
  body += "</ul></body></html>\n";
  return ResponsePlan::whole(200, page_headers("text/html; charset=utf-8"), std::move(body));
}

// ?max-age=S on /page/many and its assets: each answer may be cached S seconds.
constexpr long long kMaxAgeS = 365LL * 24 * 3600;
HeaderList with_max_age(HeaderList headers, long long max_age) {
  if (max_age >= 0) headers.push_back({"Cache-Control", "max-age=" + std::to_string(max_age)});
  return headers;
}

// n subresources over three hosts: every tenth a stylesheet, every tenth (offset five)
// a deferred script, the rest images; each URL distinct, each delayed `each` ms and
// padded to `size` bytes (?delay= would delay the document itself).
ResponsePlan many_plan(const Request& request, const Query& query) {
  long long n = query.get_int("n", 35, 1, kMaxManyResources);
  long long delay = query.get_int("each", 0, 0, kMaxDelayMs);
  long long size = query.get_int("size", 0, 0, static_cast<long long>(kMaxAssetBytes));
  long long max_age = query.get_int("max-age", -1, 0, kMaxAgeS);
  std::string port = std::to_string(request.port());
  std::string params;
  if (delay > 0) params += "delay=" + std::to_string(delay);
  if (size > 0) params += (params.empty() ? "" : "&") + std::string("size=") + std::to_string(size);
  if (max_age >= 0) params += (params.empty() ? "" : "&") + std::string("max-age=") + std::to_string(max_age);
  if (!params.empty()) params = "?" + params;
  auto url = [&](long long i, std::string_view ext) {
    static constexpr std::string_view kHosts[] = {"a.test", "b.test", "c.test"};
    return "//" + std::string(kHosts[i % 3]) + ":" + port + "/page/asset/many-" + std::to_string(i) + "." +
           std::string(ext) + params;
  };
  std::string head, body;
  for (long long i = 0; i < n; ++i) {
    if (i % 10 == 0) head += "<link rel=\"stylesheet\" href=\"" + url(i, "css") + "\">\n";
    else if (i % 10 == 5) head += "<script src=\"" + url(i, "js") + "\" defer></script>\n";
    else body += "<img src=\"" + url(i, "png") + "\" width=\"16\" height=\"16\" alt=\"" + std::to_string(i) + "\">\n";
  }
  std::string doc = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + std::to_string(n) +
                    " resources</title>\n<link rel=\"icon\" href=\"/page/asset/many-icon.png" +
                    (max_age >= 0 ? "?max-age=" + std::to_string(max_age) : std::string()) + "\">\n" + head +
                    "</head>\n<body>\n<h1>" + std::to_string(n) + " resources</h1>\n" + body + "</body>\n</html>\n";
  return ResponsePlan::whole(200, with_max_age(page_headers("text/html; charset=utf-8"), max_age), std::move(doc));
}

ResponsePlan asset_plan(std::string_view name, const Query& query) {
  auto asset = make_asset(name, static_cast<uint64_t>(query.get_int("size", 0, 0, static_cast<long long>(kMaxAssetBytes))),
                          static_cast<int>(query.get_int("px", 1, 1, kMaxAssetPixels)));
  if (!asset) return not_found();
  return ResponsePlan::whole(200, with_max_age(page_headers(asset->content_type), query.get_int("max-age", -1, 0, kMaxAgeS)),
                             std::move(asset->bytes));
}

}  // namespace

std::optional<std::string_view> page_file(std::string_view path) {
  for (std::size_t i = 0; i < embedded::lab_pages_count; ++i)
    if (path == embedded::lab_pages_paths[i]) return std::string_view(embedded::lab_pages_data[i], embedded::lab_pages_sizes[i]);
  return std::nullopt;
}

namespace {

// `?delays=A,B,C`: the k-th request for one target (path and query, so each test's URL
// counts apart) waits the k-th delay, round and round: jitter that a test knows in advance
// (`pageload run -n N` picking its median run). Counted for the life of the process.
long long next_delay(const std::string& target, std::string_view list) {
  std::vector<long long> values;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    values.push_back(parse_clamped(list.substr(0, comma), 0, kMaxDelayMs).value_or(0));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  if (values.empty()) return 0;
  static std::mutex mutex;
  static std::map<std::string, std::size_t> asked;
  std::lock_guard lock(mutex);
  return values[asked[target]++ % values.size()];
}

}  // namespace

ResponsePlan plan_page(const Request& request, const Query& query) {
  std::string_view path = request.path();
  std::string_view rest = path.size() > 6 ? path.substr(6) : std::string_view();  // after "/page/"
  ResponsePlan plan = [&] {
    if (rest.empty()) return index_plan();
    if (rest == "many") return many_plan(request, query);
    if (rest == "cache") return cache_page_plan();
    if (rest.substr(0, 7) == "cached/") return cached_plan(rest.substr(7), request);
    if (rest.substr(0, 6) == "asset/") return asset_plan(rest.substr(6), query);
    if (auto text = page_file(rest)) return file_plan(rest, *text, request);
    // A page's document: /page/NAME is NAME.html.
    if (rest.find_first_of("/.") == std::string_view::npos) {
      std::string document = std::string(rest) + ".html";
      if (auto text = page_file(document)) return file_plan(document, *text, request);
    }
    return not_found();
  }();
  plan.head_delay = milliseconds(query.get_int("delay", 0, 0, kMaxDelayMs));
  if (auto delays = query.get("delays")) plan.head_delay = milliseconds(next_delay(request.target, *delays));
  return plan;
}

std::vector<RouteInfo> page_list() { return {kPages.begin(), kPages.end()}; }

}  // namespace pageload::lab
