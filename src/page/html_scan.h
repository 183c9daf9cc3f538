// One pass over an HTML document (or the prefix received so far) with a real HTML5 parser
// (gumbo): the fetches its elements ask for, in document order and not yet resolved, its
// inline styles, and for the complete document a compact element tree for selector
// matching. The rules follow what Chromium fetches for a page whose scripts do not run
// (html_preload_scanner.cc, HTMLLinkElement/LinkStyle, HTMLImageElement, ...).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "page/element_tree.h"
#include "page/media_query.h"
#include "pageload/result.h"

namespace pageload::page {

struct RawReference {
  std::string url;  // as written (unresolved), srcset already picked
  ResourceType type = ResourceType::kOther;
  std::string found_by;
  std::string note;
  bool after_base = false;  // named after the document's <base href>
  bool in_head = false;
  bool parser_blocking = false;
  bool async = false, defer = false, module = false;
  bool preload = false;
  std::string preload_as;
  bool lazy = false;      // Chromium's kLazyLoad (lowest priority): media not matching, alternate
  bool prefetch = false;
  bool after_image = false;
  std::string fetch_priority;
  // A CORS request with credentials mode "same-origin" (Reference::cors_anonymous).
  bool cors_anonymous = false;
  // An <img> or <input type=image> whose width and height attributes make it at most
  // 10,000 px² (or either of them 0): Blink does not raise such an image's priority.
  bool small_image = false;
  // An image Blink fetches once it computes style or lays the element out, not as its parser
  // (or preload scanner) meets it: a background="" attribute (presentational style), an
  // image <object>/<embed>. It waits for the render-blocking stylesheets, as a CSS url()
  // does, and is not among the first five images raised to medium.
  bool at_style = false;
};

struct InlineStyle {
  std::string css;
  int element = -1;          // the tree element it belongs to (complete scans)
  bool attribute = false;    // style="" (else a <style> element)
  bool media_matches = true;
  bool after_base = false;
};

// A <script type="importmap">'s JSON.
struct InlineImportMap {
  std::string json;
  bool after_base = false;
};

struct HtmlScanLimits {
  std::size_t max_elements = 200000;         // elements walked
  std::size_t max_srcset_candidates = 1000;
};

// An <iframe srcdoc>: a document of its own whose base URL is its parent's.
struct Srcdoc {
  std::string html;
  bool after_base = false;
};

struct HtmlScan {
  std::vector<RawReference> references;
  std::vector<InlineStyle> styles;
  std::vector<InlineImportMap> import_maps;  // in document order, each whose end tag arrived
  std::optional<std::string> base_href;  // the first <base href>
  bool body_started = false;
  bool has_icon = false;                  // a <link rel=icon> was seen
  std::vector<Srcdoc> srcdocs;            // complete scans only
  std::unique_ptr<ElementTree> tree;      // complete scans only
  std::vector<std::string> notes;
};

// `complete`: the whole document (builds the tree, takes every <style>); otherwise a prefix
// of a document still arriving, where an unfinished tag is dropped by the parser and only
// <style> elements whose end tag arrived are taken.
HtmlScan scan_html(std::string_view html, bool complete, const Screen& screen, const HtmlScanLimits& limits);

}  // namespace pageload::page
