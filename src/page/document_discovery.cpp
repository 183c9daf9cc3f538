// DocumentDiscovery: ties the HTML scan, the CSS scanner, the selector matcher and URL
// resolution together for one document, and keeps each URL once.
#include <algorithm>
#include <map>
#include <cctype>
#include <optional>
#include <set>
#include <unordered_set>

#include "core/url.h"
#include "page/charset.h"
#include "page/css_scanner.h"
#include "page/discovery.h"
#include "page/html_scan.h"
#include "page/nesting_guard.h"
#include "page/selector.h"

namespace pageload::page {
namespace {

// Below this many new bytes a document still arriving is not parsed again (after its first
// bytes): together with "parse when it has doubled" this keeps the parsing work of a
// document that arrives a byte at a time within about twice its size.
constexpr std::size_t kMinReparseBytes = 4096;
// Distinct font-family lists kept per document.
constexpr std::size_t kMaxFontLists = 10000;
// Selector text shown in found_by.
constexpr std::size_t kMaxShownSelector = 80;
// <iframe srcdoc> documents read per document (each is parsed and kept for its stylesheets).
constexpr std::size_t kMaxSrcdocs = 100;

bool is_c0_or_space(char c) { return static_cast<unsigned char>(c) <= 0x20; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string shown_selector(const std::string& text) {
  if (text.size() <= kMaxShownSelector) return text;
  return text.substr(0, kMaxShownSelector) + "...";
}

struct PendingSheet {
  Url base;
  std::string sheet_url;         // a stylesheet's own URL; empty for inline <style> and style=""
  SheetSummary summary;
  bool style_attribute = false;  // style="": applies to its own element
  bool applies = true;           // its media matches
  int element = -1;              // style="": which element
};

struct Face {
  std::string family;  // as written
  std::string family_key;
  std::string url;     // absolute
  std::string note;
  double weight_min = 400, weight_max = 400;
  FontStyle style = FontStyle::kNormal;
  std::vector<UnicodeRange> ranges;  // empty: all code points
  bool returned = false;
  std::string sheet_url;  // the stylesheet holding the @font-face; empty: inline <style>
};

// CSS Fonts 4 §5.2 font matching, as Chromium's FontSelectionAlgorithm does it: first the
// style (italic: italic, oblique, normal; normal: normal, oblique, italic), then the
// weight (a face whose range holds it; else for 400-500 heavier up to 500, then lighter,
// then heavier; below 400 lighter first; above 500 heavier first). Returns the index in
// `faces` of the face that renders (weight, italic), or -1.
int best_face(const std::vector<const Face*>& faces, double weight, bool italic) {
  const FontStyle order_italic[] = {FontStyle::kItalic, FontStyle::kOblique, FontStyle::kNormal};
  const FontStyle order_normal[] = {FontStyle::kNormal, FontStyle::kOblique, FontStyle::kItalic};
  for (FontStyle style : italic ? order_italic : order_normal) {
    int best = -1;
    double best_key = 1e18;
    for (std::size_t k = 0; k < faces.size(); ++k) {
      const Face& f = *faces[k];
      if (f.style != style) continue;
      double key;  // lower is better
      if (f.weight_min <= weight && weight <= f.weight_max) {
        key = 0;
      } else if (weight >= 400 && weight <= 500) {
        if (f.weight_min > weight && f.weight_min <= 500) key = 1000 + f.weight_min;
        else if (f.weight_max < weight) key = 3000 - f.weight_max;
        else key = 4000 + f.weight_min;
      } else if (weight < 400) {
        key = f.weight_max < weight ? 1000 - f.weight_max : 2000 + f.weight_min;
      } else {
        key = f.weight_min > weight ? 1000 + f.weight_min : 3000 - f.weight_max;
      }
      if (key < best_key) {
        best_key = key;
        best = static_cast<int>(k);
      }
    }
    if (best >= 0) return best;
  }
  return -1;
}

// Elements the UA stylesheet makes bold or italic.
constexpr std::string_view kBoldTags[] = {"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "th"};
constexpr std::string_view kItalicTags[] = {"i", "em", "cite", "var", "dfn", "address"};

// The HTML a Link response header stands for (RFC 8288: `<url>; rel=preload; as=style,
// <url2>; rel=modulepreload`): one <link> element per link whose rel Chromium acts on in a
// header (PreloadHelper::LoadLinksFromHeader: preload, modulepreload and prefetch; not
// stylesheet, nor icon), with its parameters as attributes, so the rules of a <link>
// element decide what it fetches. Values are escaped; a link that does not parse is skipped.
std::string link_header_markup(std::string_view value) {
  constexpr std::string_view kRels[] = {"preload", "modulepreload", "prefetch"};
  constexpr std::string_view kAttributes[] = {"as", "crossorigin", "type", "media", "fetchpriority",
                                              "imagesrcset", "imagesizes"};
  auto escape = [](std::string_view v) {
    std::string out;
    for (char c : v) {
      if (c == '&') out += "&amp;";
      else if (c == '"') out += "&quot;";
      else if (c == '<') out += "&lt;";
      else if (c == '>') out += "&gt;";
      else out += c;
    }
    return out;
  };
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  std::string markup;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (space(value[i]) || value[i] == ',')) ++i;
    if (i >= value.size()) break;
    bool valid = value[i] == '<';
    std::string url, rel;
    std::vector<std::pair<std::string, std::optional<std::string>>> params;
    if (valid) {
      const auto close = value.find('>', i);
      valid = close != std::string_view::npos;
      if (valid) {
        url = std::string(value.substr(i + 1, close - i - 1));
        i = close + 1;
      }
    }
    // Parameters up to the comma that ends the link (a quoted value may hold one).
    while (valid && i < value.size() && value[i] != ',') {
      while (i < value.size() && space(value[i])) ++i;
      if (i >= value.size() || value[i] == ',') break;
      if (value[i] != ';') {
        valid = false;
        break;
      }
      ++i;
      while (i < value.size() && space(value[i])) ++i;
      std::string name;
      while (i < value.size() && !space(value[i]) && value[i] != '=' && value[i] != ';' && value[i] != ',')
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(value[i++])));
      while (i < value.size() && space(value[i])) ++i;
      std::optional<std::string> v;
      if (i < value.size() && value[i] == '=') {
        ++i;
        while (i < value.size() && space(value[i])) ++i;
        v.emplace();
        if (i < value.size() && value[i] == '"') {
          for (++i; i < value.size() && value[i] != '"'; ++i) {
            if (value[i] == '\\' && i + 1 < value.size()) ++i;
            *v += value[i];
          }
          if (i < value.size()) ++i;
        } else {
          while (i < value.size() && value[i] != ';' && value[i] != ',') *v += value[i++];
          while (!v->empty() && space(v->back())) v->pop_back();
        }
      }
      if (!name.empty()) params.emplace_back(std::move(name), std::move(v));
    }
    if (!valid) {  // skip to the next link
      bool quoted = false;
      for (; i < value.size() && (quoted || value[i] != ','); ++i)
        if (value[i] == '"') quoted = !quoted;
      continue;
    }
    std::string attributes;
    std::set<std::string> given;
    for (auto& [name, v] : params) {
      if (!given.insert(name).second) continue;  // the first of a parameter counts
      if (name == "rel") {
        std::string lowered;
        for (char c : v.value_or("")) lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::size_t k = 0;
        while (k < lowered.size()) {
          while (k < lowered.size() && space(lowered[k])) ++k;
          std::size_t end = k;
          while (end < lowered.size() && !space(lowered[end])) ++end;
          std::string_view word = std::string_view(lowered).substr(k, end - k);
          if (std::find(std::begin(kRels), std::end(kRels), word) != std::end(kRels))
            rel += (rel.empty() ? "" : " ") + std::string(word);
          k = end;
        }
      } else if (std::find(std::begin(kAttributes), std::end(kAttributes), name) != std::end(kAttributes)) {
        attributes += " " + name + (v ? "=\"" + escape(*v) + "\"" : std::string());
      }
    }
    if (rel.empty() || url.empty()) continue;
    markup += "<link rel=\"" + rel + "\" href=\"" + escape(url) + "\"" + attributes + ">\n";
  }
  return markup;
}

}  // namespace

// Bytes held back until the encoding is known (the standard's prescan looks this far).
constexpr std::size_t kSniffBytes = 1024;

struct DocumentDiscovery::State {
  Limits limits;
  Screen screen;
  // The document's encoding; unset while its first bytes are awaited (Content-Type given
  // without a charset).
  std::optional<Charset> charset;
  std::optional<std::string> content_type;
  std::string undecoded;  // the first bytes, before the encoding is known
  std::optional<Url> document;
  std::optional<Url> base;  // from <base href>
  ImportMap import_map;     // the document's import maps, merged
  bool base_decided = false;
  std::string buffer;
  std::size_t total_bytes = 0;
  std::size_t kept = 0;  // of the document's bytes, those parsed (before decoding)
  std::size_t parsed_size = 0;
  std::size_t bytes_parsed = 0;
  bool body_started = false;
  bool finished = false;
  std::unordered_set<std::string> seen;
  std::size_t returned = 0;
  std::vector<std::string> notes;
  std::map<std::string, int> skipped;  // why references were not returned -> how many
  bool count_skips = true;             // false while a prefix is scanned (finish() counts)
  std::unique_ptr<ElementTree> tree;
  std::unique_ptr<SelectorMatcher> matcher;
  std::vector<PendingSheet> pending;
  std::vector<Face> faces;
  std::vector<std::vector<std::string>> font_lists;
  std::unordered_set<std::string> font_list_keys;
  bool needs_bold = false;    // some rendered text is bold (UA style or a rule)
  bool needs_italic = false;
  // Custom properties holding url()s, set by rules that match (name -> absolute URLs), and
  // those read by image properties of rules that match rendered elements (name -> the
  // rule that reads it): an image loads when both are seen, whatever the sheet order.
  std::map<std::string, std::vector<std::string>> custom_urls;
  std::map<std::string, std::string> var_readers;
  // <iframe srcdoc> documents, and which of them named each stylesheet they fetch.
  std::vector<std::unique_ptr<DocumentDiscovery>> srcdocs;
  std::map<std::string, DocumentDiscovery*> sheet_owner;
  std::size_t srcdocs_too_deep = 0;  // past Limits::max_srcdoc_depth, in this one and its frames

  // References of a srcdoc document, as this document's: named after it, and its
  // stylesheets remembered so their url()s match against its elements.
  void adopt(DocumentDiscovery* frame, std::vector<Reference> refs, std::vector<Reference>& out) {
    for (auto& r : refs) {
      if (r.type == ResourceType::kStylesheet && !r.preload && !seen.count(r.url)) sheet_owner.emplace(r.url, frame);
      if (r.found_by.rfind("iframe srcdoc: ", 0) != 0) r.found_by = "iframe srcdoc: " + r.found_by;
      ++r.srcdoc_depth;
      emit(std::move(r), out);
    }
  }

  void srcdoc(const Srcdoc& doc, std::vector<Reference>& out) {
    if (limits.max_srcdoc_depth <= 0) {
      ++srcdocs_too_deep;  // the loader names the bound that applied, on the row and the run
      return;
    }
    if (srcdocs.size() >= kMaxSrcdocs) {
      note("only the first " + std::to_string(kMaxSrcdocs) + " iframe srcdoc documents read");
      return;
    }
    Limits inner = limits;
    inner.default_favicon = false;
    inner.max_srcdoc_depth = limits.max_srcdoc_depth - 1;
    inner.max_references = limits.max_references - std::min(limits.max_references, returned);
    // about:srcdoc takes its parent's base URL.
    const Url& against = doc.after_base && base ? *base : *document;
    auto frame = std::make_unique<DocumentDiscovery>(against.full, inner, screen);
    auto refs = frame->feed(doc.html);
    auto rest = frame->finish();
    refs.insert(refs.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
    for (const auto& n : frame->notes()) note(n.rfind("iframe srcdoc: ", 0) == 0 ? n : "iframe srcdoc: " + n);
    srcdocs_too_deep += frame->srcdocs_too_deep();
    adopt(frame.get(), std::move(refs), out);
    srcdocs.push_back(std::move(frame));
  }

  // Decoded bytes into the buffer (windows-1252 becomes UTF-8).
  void append(std::string_view bytes) {
    kept += bytes.size();
    if (charset == Charset::kWindows1252) append_windows1252_as_utf8(buffer, bytes);
    else buffer.append(bytes);
  }

  // The encoding, from the first bytes held back (at the latest when the document is
  // complete); then those bytes are decoded into the buffer.
  void decide_charset() {
    Sniffed sniffed = sniff_charset(undecoded, *content_type);
    charset = sniffed.charset == Charset::kOther ? Charset::kUtf8 : sniffed.charset;
    if (sniffed.charset == Charset::kOther)
      note("charset '" + sniffed.label.substr(0, 40) + "' (" + sniffed.source + ") not decoded: read as UTF-8");
    std::string first = std::move(undecoded);
    undecoded.clear();
    append(std::string_view(first).substr(0, std::min(first.size(), limits.max_document_bytes)));
  }

  void note(const std::string& n) {
    if (std::find(notes.begin(), notes.end(), n) == notes.end()) notes.push_back(n);
  }

  // A reference as the URL parser sees it (leading and trailing C0 controls and spaces
  // removed, tabs and newlines dropped), resolved; nullopt when it is not fetched.
  std::optional<std::string> resolve(const Url& against, std::string_view raw) {
    while (!raw.empty() && is_c0_or_space(raw.front())) raw.remove_prefix(1);
    while (!raw.empty() && is_c0_or_space(raw.back())) raw.remove_suffix(1);
    if (raw.empty() || raw.front() == '#') return std::nullopt;  // empty, or this document
    if (raw.size() > limits.max_url_bytes) {
      if (count_skips) ++skipped["longer than " + std::to_string(limits.max_url_bytes) + " bytes"];
      return std::nullopt;
    }
    std::string text;
    text.reserve(raw.size());
    for (char c : raw)
      if (c != '\t' && c != '\n' && c != '\r') text += c;
    std::string scheme = reference_scheme(text);
    if (!scheme.empty() && scheme != "http" && scheme != "https") {
      if (count_skips) ++skipped[scheme + ":"];
      return std::nullopt;
    }
    auto url = resolve_location(against, text);
    if (!url.ok()) {
      if (count_skips) ++skipped["unparsable"];
      return std::nullopt;
    }
    std::string full = url->full;
    if (auto hash = full.find('#'); hash != std::string::npos) full.erase(hash);
    return full;
  }

  // The reference limit is reached: nothing more is resolved (a million <img> tags would
  // otherwise cost a million URL parses).
  bool full() {
    if (returned < limits.max_references) return false;
    note("only the first " + std::to_string(limits.max_references) + " references returned");
    return true;
  }

  void emit(Reference r, std::vector<Reference>& out) {
    // Once per URL and CORS mode: Blink reuses a resource only for a request of the same
    // credentials, so a font preloaded without crossorigin, or an image also used with
    // it, is asked for again (the loader then keeps one per credentials actually sent).
    const std::string key = r.cors_anonymous ? r.url + "\n cors" : r.url;
    if (seen.count(key)) return;
    if (returned >= limits.max_references) {
      note("only the first " + std::to_string(limits.max_references) + " references returned");
      return;
    }
    seen.insert(key);
    ++returned;
    out.push_back(std::move(r));
  }

  CssLimits css_limits() const {
    CssLimits c;
    c.max_bytes = limits.max_stylesheet_bytes;
    c.max_rules = limits.max_css_rules;
    return c;
  }

  // A reference the HTML scan found, resolved against `against`; nullopt when not fetched.
  std::optional<Reference> reference_of(RawReference raw, const Url& against) {
    auto url = resolve(against, raw.url);
    if (!url) return std::nullopt;
    Reference r;
    r.url = *url;
    r.type = raw.type;
    r.found_by = std::move(raw.found_by);
    r.note = std::move(raw.note);
    r.in_head = raw.in_head;
    r.parser_blocking = raw.parser_blocking;
    r.async = raw.async;
    r.defer = raw.defer;
    r.module = raw.module;
    r.preload = raw.preload;
    r.preload_as = std::move(raw.preload_as);
    r.lazy = raw.lazy;
    r.prefetch = raw.prefetch;
    r.after_image = raw.after_image;
    r.fetch_priority = std::move(raw.fetch_priority);
    r.cors_anonymous = raw.cors_anonymous;
    r.markup_image = r.type == ResourceType::kImage && !r.preload && !raw.at_style && r.found_by != "link rel=icon";
    r.css_rule = raw.at_style;
    r.small_image = raw.small_image;
    return r;
  }

  // `sheet_url`'s @imports, counted by imports(), that a chain deeper than the limit left out.
  std::map<std::string, std::size_t> imports_cut;

  void imports(const SheetSummary& sheet, const Url& against, int depth, std::vector<Reference>& out,
               const std::string& sheet_url = {}) {
    for (const auto& imp : sheet.imports) {
      if (depth + 1 > limits.max_import_depth) {
        note("@import chains longer than " + std::to_string(limits.max_import_depth) + " not followed");
        if (!sheet_url.empty()) imports_cut[sheet_url] += sheet.imports.size();
        return;
      }
      auto url = resolve(against, imp.url);
      if (!url) continue;
      Reference r;
      r.url = *url;
      r.type = ResourceType::kStylesheet;
      r.found_by = "css @import";
      r.import_depth = depth + 1;
      r.lazy = !imp.media_matches;
      if (r.lazy) r.note = "media does not match: fetched at the lowest priority";
      emit(std::move(r), out);
    }
  }

  void scan(bool complete, std::vector<Reference>& out) {
    NestingBounds bounds{limits.max_nesting_depth, limits.max_elements};
    SafePrefix prefix = safe_prefix(buffer, bounds);
    if (complete && !prefix.reason.empty()) note(prefix.reason);
    for (auto [begin, end] : prefix.noscript_text) std::fill(buffer.begin() + begin, buffer.begin() + end, ' ');
    count_skips = complete;
    HtmlScanLimits html_limits{limits.max_elements, limits.max_srcset_candidates};
    std::string rewritten = prefix.flatten.empty() ? std::string() : flattened(buffer, prefix);
    std::string_view text = prefix.flatten.empty() ? std::string_view(buffer).substr(0, prefix.bytes) : rewritten;
    HtmlScan html = scan_html(text, complete, screen, html_limits);
    bytes_parsed += prefix.bytes;
    parsed_size = buffer.size();
    body_started = body_started || html.body_started;
    if (!base_decided && html.base_href) {
      // The first <base href> decides, once; one that is not http(s) is ignored.
      base_decided = true;
      std::string_view href = *html.base_href;
      while (!href.empty() && is_c0_or_space(href.front())) href.remove_prefix(1);
      std::string scheme = reference_scheme(href);
      if (scheme.empty() || scheme == "http" || scheme == "https") {
        auto b = resolve_location(*document, href);
        if (b.ok()) base = *b;
      }
    }
    // Parsed again from the whole prefix each time, as the references are.
    ImportMap maps;
    std::vector<std::string> map_notes;
    for (const auto& m : html.import_maps) {
      const Url& against = m.after_base && base ? *base : *document;
      if (auto parsed = parse_import_map(m.json, against.full, map_notes)) merge_import_map(maps, *parsed);
    }
    import_map = std::move(maps);
    if (complete)
      for (const auto& n : map_notes) note(n);
    for (auto& raw : html.references) {
      if (full()) break;
      const Url& against = raw.after_base && base ? *base : *document;
      if (charset == Charset::kWindows1252) raw.url = query_in_windows1252(raw.url);
      if (auto r = reference_of(std::move(raw), against)) emit(std::move(*r), out);
    }
    for (auto& style : html.styles) {
      const Url& against = style.after_base && base ? *base : *document;
      if (style.attribute) {
        if (!complete) continue;
        PendingSheet p{against, {}, {}, true, true, style.element};
        p.summary.rules.push_back(scan_inline_style(style.css, screen));
        pending.push_back(std::move(p));
        continue;
      }
      SheetSummary sheet = scan_stylesheet(style.css, screen, css_limits());
      imports(sheet, against, 0, out);
      if (!complete) continue;
      for (const auto& n : sheet.notes) note("inline <style>: " + n);
      pending.push_back({against, {}, std::move(sheet), false, style.media_matches});
    }
    count_skips = true;
    if (!complete) return;
    for (const auto& n : html.notes) note(n);
    for (const auto& doc : html.srcdocs) srcdoc(doc, out);
    tree = std::move(html.tree);
    matcher = std::make_unique<SelectorMatcher>(*tree, limits.max_match_steps);
    for (const auto& e : tree->elements()) {
      if (e.hidden || !e.text) continue;
      if (std::find(std::begin(kBoldTags), std::end(kBoldTags), e.tag) != std::end(kBoldTags)) needs_bold = true;
      if (std::find(std::begin(kItalicTags), std::end(kItalicTags), e.tag) != std::end(kItalicTags)) needs_italic = true;
    }
    if (limits.default_favicon && !html.has_icon) {
      // Without <link rel=icon> the browser asks the document's origin for /favicon.ico.
      if (auto url = resolve(*document, "/favicon.ico")) {
        Reference r;
        r.url = *url;
        r.type = ResourceType::kImage;
        r.found_by = "default /favicon.ico";
        r.note = "fetched by the browser, not the page";
        r.browser_fetch = true;
        emit(std::move(r), out);
      }
    }
  }

  // A stylesheet's url()s and fonts, against the complete document.
  // Backgrounds load for rendered elements a rule matches, fonts for rendered text.
  void apply(const PendingSheet& sheet, std::vector<Reference>& out) {
    if (!sheet.applies) return;
    using Need = SelectorMatcher::Need;
    for (const auto& rule : sheet.summary.rules) {
      std::string note;
      bool urls = !rule.urls.empty() || !rule.var_images.empty();
      bool text = !rule.font_lists.empty() || rule.bold || rule.italic;
      bool defines = !rule.custom_urls.empty();
      if (sheet.style_attribute) {
        const Element* e = sheet.element >= 0 && sheet.element < static_cast<int>(tree->size())
                               ? &tree->elements()[sheet.element] : nullptr;
        urls = urls && e && !e->hidden;
        text = text && e && !e->hidden && e->text;
        defines = defines && e;
      } else {
        auto match = urls ? matcher->any_match(rule.selectors, Need::kRendered) : SelectorMatcher::Result{};
        urls = match.matches;
        if (text) text = matcher->any_match(rule.selectors, Need::kRenderedText).matches;
        if (defines) defines = matcher->any_match(rule.selectors, Need::kAny).matches;
        if (!urls && !text && !defines) continue;
        if (!match.approximations.empty()) {
          std::string what;
          for (const auto& a : match.approximations) what += (what.empty() ? "" : ", ") + a;
          note = "selector '" + shown_selector(rule.selector_text) + "' treated as matching (" + what + ")";
        }
      }
      for (const auto& u : rule.urls) {
        if (!urls || full()) break;
        auto url = resolve(sheet.base, u.url);
        if (!url) continue;
        Reference r;
        r.url = *url;
        r.type = ResourceType::kImage;
        r.found_by = sheet.style_attribute ? "css url() in style attribute"
                                           : "css url() for " + shown_selector(rule.selector_text);
        r.note = note;
        r.stylesheet = sheet.sheet_url;
        r.css_rule = true;
        emit(std::move(r), out);
      }
      std::string reader = sheet.style_attribute ? "style attribute" : shown_selector(rule.selector_text);
      for (const auto& name : rule.var_images)
        if (urls) var_readers.emplace(name, reader);
      for (const auto& [name, list] : rule.custom_urls) {
        if (!defines) break;
        for (const auto& u : list)
          if (auto url = resolve(sheet.base, u.url)) custom_urls[name].push_back(*url);
      }
      if (text) {
        needs_bold = needs_bold || rule.bold;
        needs_italic = needs_italic || rule.italic;
      }
      for (const auto& list : rule.font_lists) {
        if (!text) break;
        std::string key;
        for (const auto& f : list) key += f + ",";
        if (font_lists.size() >= kMaxFontLists || !font_list_keys.insert(key).second) continue;
        font_lists.push_back(list);
      }
    }
    for (const auto& face : sheet.summary.font_faces) {
      if (face.url.empty()) continue;
      auto url = resolve(sheet.base, face.url);
      if (!url) continue;
      faces.push_back({face.family, lower(face.family), *url, face.note, face.weight_min, face.weight_max, face.style,
                       face.ranges, false, sheet.sheet_url});
    }
  }

  // A face is fetched when an applied font-family list reaches its family: Chromium's
  // FontFallbackList loads a web font the text needs and, while it loads, falls back to the
  // next family, loading that too if it is a web font; a generic family ends the list. A
  // name with no @font-face is taken as not installed (the next one is tried).
  void fonts(std::vector<Reference>& out) {
    std::unordered_set<std::string> faced, used;
    for (const auto& f : faces) faced.insert(f.family_key);
    for (const auto& list : font_lists) {
      for (const auto& family : list) {
        if (faced.count(family)) used.insert(family);
        else if (is_generic_family(family)) break;
      }
    }
    // Of a used family, the faces that render its regular text, and its bold and italic
    // text when the page has some (not per element: a page with bold text anywhere loads
    // the bold face of every used family).
    std::vector<Face*> chosen;
    for (const auto& family : used) {
      std::vector<const Face*> of_family;
      std::vector<Face*> mutable_faces;
      for (auto& f : faces) {
        if (f.family_key != family) continue;
        of_family.push_back(&f);
        mutable_faces.push_back(&f);
      }
      // Faces of one weight and style split by unicode-range (Google Fonts' cyrillic,
      // greek, latin-ext, latin subsets) are one font to Chromium (CSSSegmentedFontFace):
      // it fetches those whose range holds a character of the text.
      auto pick = [&](double weight, bool italic) {
        int k = best_face(of_family, weight, italic);
        if (k < 0) return;
        const Face& best = *of_family[static_cast<std::size_t>(k)];
        for (Face* f : mutable_faces) {
          if (f->style != best.style || f->weight_min != best.weight_min || f->weight_max != best.weight_max) continue;
          bool needed = f->ranges.empty();
          for (const auto& r : f->ranges) needed = needed || (tree && tree->has_text_in(r.first, r.last));
          if (needed) chosen.push_back(f);
        }
      };
      pick(400, false);
      if (needs_bold) pick(700, false);
      if (needs_italic) pick(400, true);
    }
    for (auto& f : faces) {
      if (f.returned || std::find(chosen.begin(), chosen.end(), &f) == chosen.end()) continue;
      f.returned = true;
      Reference r;
      r.url = f.url;
      r.type = ResourceType::kFont;
      r.found_by = "css @font-face '" + f.family + "'";
      r.cors_anonymous = true;  // a font is always fetched in CORS mode, credentials same-origin
      r.note = f.note;
      r.stylesheet = f.sheet_url;
      r.css_rule = true;
      emit(std::move(r), out);
    }
  }

  // Images named through custom properties: var(--x) in an applied image property, and a
  // matching rule that sets --x to a url() (custom properties inherit, so where it is set
  // is not checked against where it is read).
  void vars(std::vector<Reference>& out) {
    for (const auto& [name, reader] : var_readers) {
      auto it = custom_urls.find(name);
      if (it == custom_urls.end()) continue;
      for (const auto& url : it->second) {
        if (full()) return;
        Reference r;
        r.url = url;
        r.type = ResourceType::kImage;
        r.found_by = "css url() via var(" + name + ") for " + reader;
        r.css_rule = true;
        emit(std::move(r), out);
      }
    }
  }

  void apply_pending(std::vector<Reference>& out) {
    for (const auto& p : pending) apply(p, out);
    pending.clear();
    fonts(out);
    vars(out);
    if (matcher && matcher->budget_spent())
      note("selector matching stopped after " + std::to_string(limits.max_match_steps) +
           " steps: later rules treated as matching");
  }
};

DocumentDiscovery::DocumentDiscovery(std::string document_url, Limits limits, Screen screen,
                                     std::optional<std::string> content_type)
    : s_(std::make_unique<State>()) {
  s_->limits = limits;
  s_->screen = screen;
  s_->content_type = std::move(content_type);
  if (!s_->content_type) {
    s_->charset = Charset::kUtf8;
  } else if (Sniffed declared = sniff_charset({}, *s_->content_type);
             declared.source == "Content-Type" && declared.charset != Charset::kOther) {
    s_->charset = declared.charset;  // a byte order mark still wins (first feed)
  }
  auto doc = parse_url(document_url);
  if (doc.ok()) {
    s_->document = *doc;
  } else {
    s_->note("document URL does not parse: " + doc.status().message());
  }
}

DocumentDiscovery::~DocumentDiscovery() = default;

std::vector<Reference> DocumentDiscovery::feed(std::string_view bytes) {
  std::vector<Reference> out;
  State& s = *s_;
  if (s.finished || !s.document) return out;
  if (s.total_bytes == 0 && bytes.substr(0, 3) == "\xEF\xBB\xBF") s.charset = Charset::kUtf8;
  s.total_bytes += bytes.size();
  if (!s.charset) {
    s.undecoded.append(bytes.substr(0, std::min(bytes.size(), s.limits.max_document_bytes)));
    // As Chromium's meta charset scan, stop looking at the end of the head.
    std::string low = s.undecoded.substr(0, kSniffBytes);
    for (char& c : low) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    bool head_over = low.find("</head") != std::string::npos || low.find("<body") != std::string::npos;
    if (s.undecoded.size() < kSniffBytes && !head_over) return out;
    s.decide_charset();
    bytes = {};
  }
  std::size_t room = s.limits.max_document_bytes - std::min(s.limits.max_document_bytes, s.kept);
  s.append(bytes.substr(0, std::min(room, bytes.size())));
  std::size_t fresh = s.buffer.size() - s.parsed_size;
  bool grow = s.parsed_size == 0 ? !s.buffer.empty() : fresh >= std::max(s.parsed_size, kMinReparseBytes);
  if (grow) s.scan(false, out);
  return out;
}

std::vector<Reference> DocumentDiscovery::finish() {
  std::vector<Reference> out;
  State& s = *s_;
  if (s.finished || !s.document) return out;
  s.finished = true;
  if (!s.charset) s.decide_charset();
  if (s.total_bytes > s.kept)
    s.note("document parsed up to " + std::to_string(s.kept) + " of its " + std::to_string(s.total_bytes) +
           " bytes");
  s.scan(true, out);
  s.apply_pending(out);
  s.buffer.clear();
  s.buffer.shrink_to_fit();
  return out;
}

std::size_t DocumentDiscovery::srcdocs_too_deep() const { return s_->srcdocs_too_deep; }

bool DocumentDiscovery::references_capped() const { return s_->returned >= s_->limits.max_references; }

bool DocumentDiscovery::body_started() const { return s_->body_started || s_->finished; }

std::vector<Reference> DocumentDiscovery::stylesheet(std::string sheet_url, std::string_view css, int import_depth) {
  std::vector<Reference> out;
  State& s = *s_;
  if (!s.document) return out;
  if (auto owner = s.sheet_owner.find(sheet_url); owner != s.sheet_owner.end()) {
    s.adopt(owner->second, owner->second->stylesheet(sheet_url, css, import_depth), out);
    return out;
  }
  auto base = parse_url(sheet_url);
  if (!base.ok()) return out;
  SheetSummary sheet = scan_stylesheet(css, s.screen, s.css_limits());
  for (const auto& n : sheet.notes) s.note(sheet_url + ": " + n);
  s.imports(sheet, *base, import_depth, out, sheet_url);
  s.pending.push_back({*base, sheet_url, std::move(sheet), false, true});
  if (s.finished) s.apply_pending(out);
  return out;
}

std::vector<Reference> DocumentDiscovery::link_header(std::string_view value) {
  std::vector<Reference> out;
  State& s = *s_;
  if (!s.document) return out;
  const std::string markup = link_header_markup(value.substr(0, std::min(value.size(), s.limits.max_document_bytes)));
  if (markup.empty()) return out;
  HtmlScanLimits html_limits{s.limits.max_elements, s.limits.max_srcset_candidates};
  HtmlScan html = scan_html("<!doctype html><html><head>" + markup + "</head></html>", true, s.screen, html_limits);
  for (auto& raw : html.references) {
    if (s.full()) break;
    // A header's links resolve against the response's URL (no <base> applies to them).
    auto r = s.reference_of(std::move(raw), *s.document);
    if (!r) continue;
    if (r->found_by.rfind("link ", 0) == 0) r->found_by = "Link header " + r->found_by.substr(5);
    s.emit(std::move(*r), out);
  }
  return out;
}

std::size_t DocumentDiscovery::imports_not_followed(const std::string& sheet_url) const {
  if (auto owner = s_->sheet_owner.find(sheet_url); owner != s_->sheet_owner.end())
    return owner->second->imports_not_followed(sheet_url);
  auto cut = s_->imports_cut.find(sheet_url);
  return cut == s_->imports_cut.end() ? 0 : cut->second;
}

const ImportMap& DocumentDiscovery::import_map() const { return s_->import_map; }

std::size_t DocumentDiscovery::bytes_parsed() const { return s_->bytes_parsed; }

std::vector<std::string> DocumentDiscovery::notes() const {
  std::vector<std::string> out = s_->notes;
  if (!s_->skipped.empty()) {
    std::string line = "references not fetched:";
    bool first = true;
    for (const auto& [why, n] : s_->skipped) {
      line += (first ? " " : ", ") + why + " " + std::to_string(n);
      first = false;
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace pageload::page
