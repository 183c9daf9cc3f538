// What a page asks for: the fetches a browser makes for an HTML document and its
// stylesheets when no script runs, found the way Chromium finds them (its preload scanner
// and parser for the document, its CSS engine for stylesheets). Pure: no I/O, no clock, no
// network; the loader feeds bytes in and schedules what comes out.
//
//   DocumentDiscovery d(url);                  // one per document (the page, each iframe)
//   for each body chunk:  fetch(d.feed(chunk));   // early, like the preload scanner
//   at the end:           fetch(d.finish());
//   for each stylesheet that arrives (linked or @imported, with Content-Type text/css):
//                         fetch(d.stylesheet(ref.url, css, ref.import_depth));
//
// Only a stylesheet that applies is given to stylesheet(): type kStylesheet and not
// `preload` (a <link rel=preload as=style> is fetched but not applied, so Chromium fetches
// nothing it names). An iframe's document gets its own DocumentDiscovery with
// Limits::default_favicon false (browsers ask for the icon of the page, not of its frames).
//
// An <iframe srcdoc> is a document of its own, inside this one: its references come back
// from finish() ("iframe srcdoc: img src"), so the loader records this document as their
// initiator; its stylesheets, handed to stylesheet() here, apply to its own elements.
//
// Every call returns only references it has not returned before (each absolute URL once
// per DocumentDiscovery); the loader keeps the page-wide memory cache across documents.
// Not thread-safe: one thread calls one object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "page/import_map.h"
#include "page/media_query.h"
#include "pageload/result.h"

namespace pageload::page {

struct Reference {
  std::string url;  // absolute http(s), no fragment (resolved against <base href> or the sheet)
  ResourceType type = ResourceType::kOther;
  // How it was found: "link rel=stylesheet", "img srcset", "script src async",
  // "css @import", "css url() for .hero", "css @font-face 'Lab Sans'", "iframe src", ...
  std::string found_by;
  std::string note;  // e.g. "selector '.a:first-child' treated as matching (:first-child)"
  // Hints the loader's scheduler turns into Chromium's priority:
  bool in_head = false;          // named inside <head>
  bool parser_blocking = false;  // classic <script src> without async/defer
  bool async = false, defer = false, module = false;
  bool preload = false;          // <link rel=preload|modulepreload>
  std::string preload_as;        // "style", "script", "image", "font", "fetch", "track"
  // Chromium's FetchParameters::kLazyLoad, fetched at the lowest priority: a stylesheet
  // whose media does not match, or an alternate one.
  bool lazy = false;
  bool prefetch = false;         // <link rel=prefetch>: idle priority
  bool after_image = false;      // named after an image in document order (Chromium
                                 // lowers a parser-blocking script there to medium)
  std::string fetch_priority;    // the fetchpriority attribute: "high", "low", "auto" or ""
  // An image the document's markup names (<img>, <picture>, <input type=image>, a poster;
  // not a preload, not the icon, not CSS, not a background attribute or an <object>, which
  // Blink fetches at style time): Blink's first five such images that are not small are
  // fetched at medium (kBoostImagePriority), those its preload scanner meets.
  bool markup_image = false;
  bool small_image = false;      // its width and height make it at most 10,000 px²
  int import_depth = 0;          // a stylesheet: 0 linked from the document, n for @import
  // How many <iframe srcdoc> documents deep it was named (0: by this document itself): an
  // <iframe src> there is that many frames deeper than a frame of this document.
  int srcdoc_depth = 0;
  // A url() or font: the URL of the stylesheet whose rule or @font-face named it, as given to
  // stylesheet(); empty when the document itself did (inline <style>, style=""). Chromium
  // names that stylesheet as the request's initiator, even when its url()s wait for the
  // document to finish.
  std::string stylesheet;
  // Named by a CSS rule (a url() or a font; not an @import), or an image of presentational
  // style (a background="" attribute) or of an <object>/<embed>: Chromium asks for it when
  // it computes style, which waits for the render-blocking stylesheets.
  bool css_rule = false;
  // Fetched by the browser process, not the page (the default /favicon.ico): it is not
  // among Chromium's page network events.
  bool browser_fetch = false;
  // A CORS request whose credentials mode is "same-origin" (Fetch): to another origin than
  // its document's it goes without cookies or Authorization, and Chromium keeps it on
  // connections of its own. Every @font-face font (CSS Fonts: always CORS, anonymous); a
  // module script or modulepreload without crossorigin=use-credentials; an <img>, <script>,
  // <link rel=stylesheet|preload|modulepreload>, <video>/<audio> (and its poster) whose
  // crossorigin attribute is there and not "use-credentials" (HTML's CORS settings
  // attribute: "", "anonymous" and an invalid value are all Anonymous). A <link
  // rel=preload as=font> without crossorigin is a no-cors request with credentials, as the
  // HTML standard and Chromium fetch it (which is why such a preload is not used).
  bool cors_anonymous = false;
};

struct Limits {
  std::size_t max_document_bytes = 8 << 20;    // parsed; the rest ignored, with a note
  std::size_t max_stylesheet_bytes = 4 << 20;  // per stylesheet, likewise
  std::size_t max_references = 2000;           // returned per document, stylesheets included
  std::size_t max_elements = 200000;           // elements scanned and kept for matching
  int max_nesting_depth = 512;                 // Chromium's tree depth: deeper elements
                                               // become siblings, parsing goes on
  int max_import_depth = 5;                    // @import chain length
  std::size_t max_srcset_candidates = 1000;
  std::size_t max_css_rules = 20000;           // rules kept per sheet (url()s, fonts, bold/italic)
  std::uint64_t max_match_steps = 20'000'000;  // selector work per document; beyond it
                                               // rules are treated as matching
  std::size_t max_url_bytes = 8192;            // longer references are skipped (Chromium
                                               // fetches URLs of megabytes)
  int max_srcdoc_depth = 3;                    // <iframe srcdoc> inside srcdoc documents
  bool default_favicon = true;                 // /favicon.ico when no <link rel=icon>
};

class DocumentDiscovery {
 public:
  // `document_url`: the final URL of the document's redirect chain (the base for relative
  // references). A URL that does not parse as http(s) yields no references and a note.
  // `content_type`: the response's Content-Type, for the document's encoding (its charset,
  // else a <meta> one in the first 1024 bytes, else windows-1252, as Chromium reads it; see
  // page/charset.h); without it the bytes are taken as UTF-8.
  explicit DocumentDiscovery(std::string document_url, Limits limits = {}, Screen screen = {},
                             std::optional<std::string> content_type = std::nullopt);
  ~DocumentDiscovery();
  DocumentDiscovery(const DocumentDiscovery&) = delete;
  DocumentDiscovery& operator=(const DocumentDiscovery&) = delete;

  // Decoded body bytes as they arrive. Parses what has arrived again when it has grown
  // enough (doubled, or at the first bytes), so the total parsing work stays within about
  // twice the document; returns the references found in complete tags so far.
  std::vector<Reference> feed(std::string_view bytes);
  // The complete document: everything left, the element tree for stylesheets, inline
  // styles, and the stylesheets that arrived before (their url()s and fonts).
  std::vector<Reference> finish();
  // <body> was reached (Chromium's scheduler leaves its layout-blocking phase).
  bool body_started() const;
  // A stylesheet arrived (its decoded text): its @imports now (import_depth + 1, while
  // below the limit); its url()s and fonts once the document is complete (from finish(),
  // or now if it already is). `import_depth` is the Reference's.
  std::vector<Reference> stylesheet(std::string sheet_url, std::string_view css, int import_depth = 0);
  // The value of the document's Link response header (several joined by ", "): the
  // preloads, modulepreloads and prefetches it names, as Chromium fetches them when the
  // response arrives (PreloadHelper::LoadLinksFromHeader), each as the <link> element it
  // stands for would be ("Link header rel=preload as=style"), resolved against the
  // document's URL. A rel=stylesheet link is not applied from a header, as in Chromium.
  std::vector<Reference> link_header(std::string_view value);
  // How many @imports of the stylesheet at `sheet_url` were not followed because its
  // @import chain is already Limits::max_import_depth deep (Chromium has no such bound).
  std::size_t imports_not_followed(const std::string& sheet_url) const;
  // Document-wide notes: "document parsed up to 8388608 of its 9000000 bytes", ...
  std::vector<std::string> notes() const;
  // The document's import maps so far (<script type="importmap">, merged in document
  // order), for resolving its module scripts' imports; empty without one.
  const ImportMap& import_map() const;
  // Bytes handed to the HTML parser so far, all parses added up (a measure of the work).
  std::size_t bytes_parsed() const;
  // Limits::max_references was reached: references past it were never counted.
  bool references_capped() const;
  // <iframe srcdoc> documents not read because they sat deeper than
  // Limits::max_srcdoc_depth, in this document and the srcdoc documents inside it.
  std::size_t srcdocs_too_deep() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace pageload::page
