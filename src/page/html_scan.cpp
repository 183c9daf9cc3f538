#include "page/html_scan.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>

#include "page/srcset.h"

namespace pageload::page {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_html_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_html_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_html_space(s[i])) ++i;
    std::size_t start = i;
    while (i < s.size() && !is_html_space(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

template <std::size_t N>
bool in(const std::string_view (&list)[N], std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

// HTML's JavaScript MIME type essence strings.
constexpr std::string_view kJavaScriptTypes[] = {
    "application/ecmascript", "application/javascript", "application/x-ecmascript",
    "application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
    "text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
    "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript",
    "text/x-javascript"};
constexpr std::string_view kImageTypes[] = {
    "image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/apng", "image/gif",
    "image/webp", "image/avif", "image/bmp", "image/x-ms-bmp", "image/svg+xml",
    "image/vnd.microsoft.icon", "image/x-icon", "image/x-xbitmap"};
constexpr std::string_view kFontTypes[] = {
    "font/woff2", "font/woff", "font/ttf", "font/otf", "font/collection", "font/sfnt",
    "application/font-woff", "application/font-woff2", "application/x-font-woff",
    "application/x-font-ttf", "application/x-font-opentype", "application/font-sfnt"};
// Elements whose legacy background="" attribute Chromium loads as a background image.
constexpr std::string_view kBackgroundAttributeTags[] = {"body", "table", "thead", "tbody",
                                                         "tfoot", "tr", "td", "th"};

// A MIME type without its parameters, lower-case.
std::string essence(std::string_view type) {
  std::string_view t = trim(type.substr(0, type.find(';')));
  return lower(t);
}

bool supported_image_type(std::string_view type) {
  return trim(type).empty() || in(kImageTypes, essence(type));
}

// Whether Blink shows an <object data> or <embed src> as an image (HTMLPlugInElement::
// IsImageType): by its type attribute, else by the extension of the URL's path, as
// MIMETypeFromURL guesses it (checked against Chromium 156: png and an extension-less type
// attribute image/png are images, an .svg is a document).
bool plugin_shows_image(std::string_view type, std::string_view url) {
  // SVG is the exception: Chromium 156 loads an SVG <object> as a document of its own.
  if (!trim(type).empty()) return essence(type) != "image/svg+xml" && in(kImageTypes, essence(type));
  url = url.substr(0, std::min(url.find('?'), url.find('#')));
  const std::size_t slash = url.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? url : url.substr(slash + 1);
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  static constexpr std::string_view kExtensions[] = {"png", "apng", "jpg", "jpeg", "jfif", "pjpeg", "pjp", "gif",
                                                     "webp", "avif", "bmp", "ico", "xbm"};
  return in(kExtensions, lower(name.substr(dot + 1)));
}

// display: none in the UA stylesheet (HTML 15.3.1 "Hidden elements").
constexpr std::string_view kHiddenTags[] = {
    "area", "base", "basefont", "datalist", "head", "link", "meta", "noembed", "noframes",
    "param", "rp", "script", "style", "template", "title", "noscript"};

// An inline style that sets display: none.
bool display_none(std::string_view style) {
  // Keywords are ASCII case-insensitive: "DISPLAY: NONE" hides too.
  constexpr std::string_view kNone = "none";
  if (std::search(style.begin(), style.end(), kNone.begin(), kNone.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      }) == style.end())
    return false;
  std::vector<Token> t = significant_tokens(style, kMaxMediaTextBytes);
  bool found = false;
  for (std::size_t k = 0; k + 2 < t.size(); ++k) {
    if (t[k].type == TokenType::kIdent && lower(t[k].value) == "display" && t[k + 1].type == TokenType::kColon)
      found = t[k + 2].type == TokenType::kIdent && lower(t[k + 2].value) == "none";  // the last one wins
  }
  return found;
}

// gumbo's memory for one parse: a bump allocator whose blocks are freed together when the
// parse is done. gumbo allocates and frees small pieces all the time (malloc and free were
// a quarter of its time on a 1 MB page), and dropping the arena also spares the recursive
// walk of gumbo_destroy_output.
class Arena {
 public:
  static void* allocate(void* self, std::size_t size) { return static_cast<Arena*>(self)->take(size); }
  static void deallocate(void*, void*) {}

 private:
  // Blocks grow from 64 KB to 1 MB, so a small document takes little memory.
  static constexpr std::size_t kFirstBlock = 64 << 10, kMaxBlock = 1 << 20;
  void* take(std::size_t size) {
    size = (size + 15) & ~std::size_t{15};
    if (size > kMaxBlock / 4) {  // a big piece gets a block of its own
      blocks_.emplace_back(new std::byte[size]);
      return blocks_.back().get();
    }
    if (!top_ || used_ + size > block_) {
      block_ = top_ ? std::min(block_ * 2, kMaxBlock) : kFirstBlock;
      blocks_.emplace_back(new std::byte[block_]);
      top_ = blocks_.back().get();
      used_ = 0;
    }
    void* p = top_ + used_;
    used_ += size;
    return p;
  }
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::byte* top_ = nullptr;
  std::size_t used_ = 0;
  std::size_t block_ = 0;
};

// gumbo replaces control characters (C0 but white space and NUL, DEL, and the C1 range
// U+0080-U+009F) with U+FFFD as it decodes; Chromium keeps them, so "/\x1b[31m.png" is
// requested as "/%1B[31m.png". Each is handed to gumbo as a private-use character of plane
// 16 (U+10FF00 + its code) and turned back in what the scan returns.
constexpr unsigned char kMarkLead0 = 0xF4, kMarkLead1 = 0x8F;

bool is_c0_replaced(unsigned char c) {
  return (c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F;
}

void append_mark(std::string& out, unsigned code) {
  out += static_cast<char>(kMarkLead0);
  out += static_cast<char>(kMarkLead1);
  out += static_cast<char>(0x80 | (0x3C + (code >> 6)));
  out += static_cast<char>(0x80 | (code & 0x3F));
}

// The document with its control characters marked; empty when it has none.
std::string mark_controls(std::string_view html) {
  bool any = false;
  for (std::size_t i = 0; i < html.size() && !any; ++i) {
    unsigned char c = static_cast<unsigned char>(html[i]);
    any = is_c0_replaced(c) || (c == 0xC2 && i + 1 < html.size() && static_cast<unsigned char>(html[i + 1]) >= 0x80 &&
                                static_cast<unsigned char>(html[i + 1]) <= 0x9F);
  }
  if (!any) return {};
  std::string out;
  out.reserve(html.size() + 64);
  for (std::size_t i = 0; i < html.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(html[i]);
    unsigned char next = i + 1 < html.size() ? static_cast<unsigned char>(html[i + 1]) : 0;
    if (is_c0_replaced(c)) {
      append_mark(out, c);
    } else if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {
      append_mark(out, next);
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// The marks back to the characters they stand for (C0 as the byte, C1 as UTF-8).
std::string unmark_controls(std::string_view s) {
  if (s.find(static_cast<char>(kMarkLead0)) == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char b2 = i + 2 < s.size() ? static_cast<unsigned char>(s[i + 2]) : 0;
    if (static_cast<unsigned char>(s[i]) == kMarkLead0 && i + 3 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) == kMarkLead1 && b2 >= 0xBC && b2 <= 0xBE) {
      unsigned code = ((b2 - 0xBC) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3F);
      if (code >= 0x80) out += static_cast<char>(0xC2);
      out += static_cast<char>(code);
      i += 3;
      continue;
    }
    out += s[i];
  }
  return out;
}

std::string tag_name(const GumboElement& e) {
  if (e.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(e.tag);
  GumboStringPiece piece = e.original_tag;
  if (!piece.data || piece.length == 0) return {};
  gumbo_tag_from_original_text(&piece);
  return lower(std::string_view(piece.data, piece.length));
}

const char* attr(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a ? a->value : nullptr;
}

std::string attr_or_empty(const GumboElement& e, const char* name) {
  const char* v = attr(e, name);
  return v ? std::string(v) : std::string();
}

bool has_attr(const GumboElement& e, const char* name) { return attr(e, name) != nullptr; }

// HTML's CORS settings attribute: whether `crossorigin` makes the element's fetch a CORS
// request with credentials mode "same-origin" (the Anonymous state: the attribute there
// and not "use-credentials", an empty or invalid value included). `by_default`: the state
// when the attribute is missing (a module script is CORS, credentials same-origin).
bool cors_anonymous(const GumboElement& e, bool by_default = false) {
  const char* v = attr(e, "crossorigin");
  if (!v) return by_default;
  return lower(trim(v)) != "use-credentials";
}

// The number a width or height attribute starts with, as HTML's rules for dimension values
// read it (leading spaces, digits, maybe a fraction; "50%" is 50); nullopt when it has none.
std::optional<double> dimension(const GumboElement& e, const char* name) {
  const char* raw = attr(e, name);
  if (!raw) return std::nullopt;
  std::string_view v = trim(raw);
  double whole = 0, scale = 1, fraction = 0;
  std::size_t i = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9' && whole < 1e12; ++i) whole = whole * 10 + (v[i] - '0');
  if (i == 0) return std::nullopt;
  if (i < v.size() && v[i] == '.')
    for (++i; i < v.size() && v[i] >= '0' && v[i] <= '9' && scale > 1e-9; ++i) fraction += (v[i] - '0') * (scale /= 10);
  return whole + fraction;
}

bool attr_is(const GumboElement& e, const char* name, std::string_view value) {
  const char* v = attr(e, name);
  return v && lower(trim(v)) == value;
}

std::string text_of(const GumboNode* node) {
  std::string out;
  const GumboVector& children = node->v.element.children;
  for (unsigned k = 0; k < children.length; ++k) {
    const GumboNode* c = static_cast<const GumboNode*>(children.data[k]);
    if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE || c->type == GUMBO_NODE_CDATA)
      out += c->v.text.text;
  }
  return out;
}

class Walker {
 public:
  Walker(bool complete, const Screen& screen, const HtmlScanLimits& limits, HtmlScan& out)
      : complete_(complete), screen_(screen), limits_(limits), out_(out) {}

  void walk(const GumboNode* document) {
    struct Frame {
      const GumboNode* node;
      unsigned next = 0;
      bool in_head = false;
      int tree_index = -1;
    };
    std::vector<Frame> stack;
    // Depth first, in document order.
    stack.push_back({document, 0, false, -1});
    while (!stack.empty()) {
      Frame& f = stack.back();
      const GumboVector& children =
          f.node->type == GUMBO_NODE_DOCUMENT ? f.node->v.document.children : f.node->v.element.children;
      if (f.next >= children.length) {
        stack.pop_back();
        continue;
      }
      const GumboNode* child = static_cast<const GumboNode*>(children.data[f.next++]);
      if (child->type == GUMBO_NODE_TEXT && f.tree_index >= 0) {
        out_.tree->at(f.tree_index).text = true;
        if (!out_.tree->at(f.tree_index).hidden) out_.tree->add_text(child->v.text.text);
      }
      if (child->type != GUMBO_NODE_ELEMENT && child->type != GUMBO_NODE_TEMPLATE) continue;
      if (++elements_ > limits_.max_elements) {
        out_.notes.push_back("only the first " + std::to_string(limits_.max_elements) + " elements scanned");
        return;
      }
      const GumboElement& e = child->v.element;
      std::string name = tag_name(e);
      bool in_head = f.in_head || name == "head";
      int parent_index = f.tree_index;
      // <template> contents are not part of the document; with scripting on (Chromium's
      // default), <noscript> contents are text.
      if (child->type == GUMBO_NODE_TEMPLATE || name == "template") continue;
      int index = add_to_tree(e, name, parent_index);
      element(child, e, name, in_head, index);
      if (name == "noscript") continue;
      stack.push_back({child, 0, in_head, index});
    }
  }

 private:
  int add_to_tree(const GumboElement& e, const std::string& name, int parent) {
    if (!out_.tree) return -1;
    Element el;
    el.tag = name;
    el.parent = parent;
    // The UA stylesheet's [hidden] { display: none }, except embed[hidden], which it keeps
    // displayed (at 0 by 0): Chromium still loads a hidden <embed>.
    el.hidden = (parent >= 0 && out_.tree->at(parent).hidden) || in(kHiddenTags, name) ||
                (has_attr(e, "hidden") && name != "embed") || (name == "input" && attr_is(e, "type", "hidden")) ||
                display_none(attr_or_empty(e, "style"));
    for (unsigned k = 0; k < e.attributes.length; ++k) {
      const GumboAttribute* a = static_cast<const GumboAttribute*>(e.attributes.data[k]);
      std::string n = lower(a->name);
      // The control characters marked for gumbo back as they were: a selector such as
      // [data-x="a\1b b"] matches them, as in Chromium (a review found it never matched).
      std::string value = unmark_controls(a->value);
      if (n == "id") el.id = value;
      if (n == "class") el.classes = words(value);
      el.attributes.emplace_back(std::move(n), std::move(value));
    }
    return out_.tree->add(std::move(el));
  }

  // Blink's "small" image (ResourceFetcher::AdjustImagePriority, kBoostImagePriority's
  // image_size): both dimensions given and an area of at most 10,000 px², or one of them 0.
  static bool small_image(const GumboElement& e) {
    constexpr double kSmallImageMaxArea = 10000;
    auto w = dimension(e, "width");
    auto h = dimension(e, "height");
    if (w && h) return *w * *h <= kSmallImageMaxArea;
    return (w && *w == 0) || (h && *h == 0);
  }

  RawReference& add(std::string_view url, ResourceType type, std::string found_by, bool in_head,
                    bool at_style = false) {
    RawReference r;
    r.url = unmark_controls(url);
    r.type = type;
    r.found_by = std::move(found_by);
    r.after_base = out_.base_href.has_value();
    r.in_head = in_head;
    r.after_image = seen_image_;
    r.at_style = at_style;
    // Blink's "late" divide is the first <img> the parser meets: the icon, a
    // <link rel=preload as=image> and an image fetched only once style is computed are not
    // one (Chromium keeps a stylesheet or a modulepreload after such a preload at its usual
    // priority).
    if (type == ResourceType::kImage && !at_style && r.found_by != "link rel=icon" &&
        r.found_by.rfind("link rel=preload", 0) != 0)
      seen_image_ = true;
    out_.references.push_back(std::move(r));
    return out_.references.back();
  }

  void element(const GumboNode* node, const GumboElement& e, const std::string& name, bool in_head, int index) {
    if (const char* style = attr(e, "style"); style && *style) {
      out_.styles.push_back({style, index, true, true, out_.base_href.has_value()});
    }
    // What Blink fetches when it computes style or lays an element out (a background=""
    // attribute, an image <object>): like a CSS rule's url(), only for an element it renders,
    // so only once the whole document is in (the element tree is built then).
    const bool rendered = index >= 0 && !out_.tree->at(index).hidden;
    if (in(kBackgroundAttributeTags, name)) {
      std::string bg(trim(attr_or_empty(e, "background")));
      if (!bg.empty() && rendered) add(bg, ResourceType::kImage, name + " background", in_head, /*at_style=*/true);
    }
    if (name == "base") {
      const char* href = attr(e, "href");
      if (href && !out_.base_href) out_.base_href = href;
    } else if (name == "link") {
      link(e, in_head);
    } else if (name == "script") {
      // An inline import map whose end tag has arrived: how module specifiers resolve.
      // (One with src is an error in HTML, and is not fetched.)
      if (lower(trim(attr_or_empty(e, "type"))) == "importmap" && !has_attr(e, "src") &&
          (complete_ || e.original_end_tag.length > 0))
        out_.import_maps.push_back({text_of(node), out_.base_href.has_value()});
      script(e, in_head);
    } else if (name == "img") {
      img(node, e, in_head);
    } else if (name == "input") {
      if (attr_is(e, "type", "image") && has_attr(e, "src"))
        add(attr(e, "src"), ResourceType::kImage, "input type=image", in_head).small_image = small_image(e);
    } else if (name == "video" || name == "audio") {
      if (name == "video")
        if (const char* poster = attr(e, "poster"))
          add(poster, ResourceType::kImage, "video poster", in_head).cors_anonymous = cors_anonymous(e);
      media(node, e, name, in_head);
    } else if (name == "iframe" || name == "frame") {
      // srcdoc wins over src; a lazy iframe waits for layout, which never comes here.
      if (name == "iframe" && attr_is(e, "loading", "lazy")) return;
      if (name == "iframe" && has_attr(e, "srcdoc")) {
        if (complete_) out_.srcdocs.push_back({unmark_controls(attr(e, "srcdoc")), out_.base_href.has_value()});
        return;
      }
      if (const char* src = attr(e, "src")) {
        auto& r = add(src, ResourceType::kDocument, name + " src", in_head);
        r.fetch_priority = lower(trim(attr_or_empty(e, "fetchpriority")));
      }
    } else if (name == "embed" || name == "object") {
      // An image one is loaded as an image when its element is laid out, after style.
      const char* url = attr(e, name == "embed" ? "src" : "data");
      if (url) {
        const bool image = plugin_shows_image(attr_or_empty(e, "type"), url);
        if (!image || rendered)
          add(url, image ? ResourceType::kImage : ResourceType::kOther, name == "embed" ? "embed src" : "object data",
              in_head, /*at_style=*/image);
      }
    } else if (name == "image" && e.tag_namespace == GUMBO_NAMESPACE_SVG) {
      const char* href = attr(e, "href");
      if (href) add(href, ResourceType::kImage, "svg image href", in_head);
    } else if (name == "style") {
      std::string type = essence(attr_or_empty(e, "type"));
      if (!type.empty() && type != "text/css") return;
      bool closed = complete_ || e.original_end_tag.length > 0;
      if (!closed) return;
      bool media = media_matches(attr_or_empty(e, "media"), screen_);
      out_.styles.push_back({text_of(node), index, false, media, out_.base_href.has_value()});
    }
  }

  void link(const GumboElement& e, bool in_head) {
    std::vector<std::string> rel = words(lower(attr_or_empty(e, "rel")));
    auto has = [&](std::string_view w) { return std::find(rel.begin(), rel.end(), w) != rel.end(); };
    std::string href(trim(attr_or_empty(e, "href")));
    std::string priority = lower(trim(attr_or_empty(e, "fetchpriority")));
    if (href.empty() && !has("preload")) return;
    if (has("stylesheet")) {
      // LinkStyle::LoadStylesheetIfNeeded: not when disabled or of another type; an
      // alternate sheet or one whose media does not match is still fetched, deferred
      // (FetchParameters::kLazyLoad, the lowest priority).
      if (has_attr(e, "disabled")) return;
      std::string type = essence(attr_or_empty(e, "type"));
      if (!type.empty() && type != "text/css") return;
      bool alternate = has("alternate");
      bool media = media_matches(attr_or_empty(e, "media"), screen_);
      auto& r = add(href, ResourceType::kStylesheet, alternate ? "link rel=alternate stylesheet" : "link rel=stylesheet", in_head);
      r.lazy = alternate || !media;
      r.cors_anonymous = cors_anonymous(e);
      r.fetch_priority = priority;
      if (!media) r.note = "media does not match: fetched at the lowest priority";
      else if (alternate) r.note = "alternate: fetched at the lowest priority";
      return;
    }
    if (has("preload")) {
      preload(e, href, in_head, priority);
      return;
    }
    if (has("modulepreload")) {
      auto& r = add(href, ResourceType::kScript, "link rel=modulepreload", in_head);
      r.module = r.preload = true;
      r.preload_as = "script";
      r.cors_anonymous = cors_anonymous(e, /*by_default=*/true);
      r.fetch_priority = priority;
      return;
    }
    if (has("prefetch")) {
      auto& r = add(href, ResourceType::kOther, "link rel=prefetch", in_head);
      r.prefetch = true;
      return;
    }
    if (has("icon")) {
      // The browser, not the page, fetches the icon: chosen at the end (icons()).
      out_.has_icon = true;
      icons_.push_back({href, attr_or_empty(e, "sizes"), in_head, out_.base_href.has_value()});
    }
  }

  // <audio>/<video>: Chromium loads the media (its src, else the first <source> with a src)
  // unless preload=none, which autoplay does not override in headless Chromium.
  void media(const GumboNode* node, const GumboElement& e, const std::string& name, bool in_head) {
    if (attr_is(e, "preload", "none")) return;
    if (const char* src = attr(e, "src")) {
      if (!trim(src).empty()) add(src, ResourceType::kMedia, name + " src", in_head).cors_anonymous = cors_anonymous(e);
      return;
    }
    const GumboVector& children = node->v.element.children;
    for (unsigned k = 0; k < children.length; ++k) {
      const GumboNode* c = static_cast<const GumboNode*>(children.data[k]);
      if (c->type != GUMBO_NODE_ELEMENT || c->v.element.tag != GUMBO_TAG_SOURCE) continue;
      const char* src = attr(c->v.element, "src");
      if (!src || trim(src).empty()) continue;
      add(src, ResourceType::kMedia, name + " source src", in_head).cors_anonymous = cors_anonymous(e);
      return;
    }
  }

 public:
  // The icons Chromium's FaviconHandler downloads, with a 1x display (it wants 16 and 32
  // px): every candidate without a usable `sizes` (it cannot rank them: all are tried,
  // the last in the document first), then the one whose declared size scores best (an
  // exact 16 or 32 best, a larger one, scaled down, before a smaller one scaled up), after
  // which it stops. It also stops early when a downloaded icon without `sizes` turns out to
  // be exactly the size it wants, which pageload cannot know: it fetches them all.
  void icons() {
    const IconCandidate* best = nullptr;
    double best_score = -1;
    for (auto it = icons_.rbegin(); it != icons_.rend(); ++it) {
      double score = icon_score(it->sizes);
      if (score < 0) continue;
      if (score > best_score) {
        best_score = score;
        best = &*it;
      }
    }
    auto fetch = [&](const IconCandidate& c) {
      if (trim(c.href).empty()) return;
      auto& r = add(c.href, ResourceType::kImage, "link rel=icon", c.in_head);
      r.after_base = c.after_base;
      if (!trim(c.sizes).empty()) r.note = "icon sizes=" + std::string(trim(c.sizes)).substr(0, 40);
    };
    for (auto it = icons_.rbegin(); it != icons_.rend(); ++it)
      if (icon_score(it->sizes) < 0) fetch(*it);
    if (best) fetch(*best);
  }

 private:
  struct IconCandidate {
    std::string href, sizes;
    bool in_head = false, after_base = false;
  };

  // How well declared sizes ("16x16 32x32", case-insensitive x) give 16 and 32 px; -1
  // for none usable ("any", nothing, nonsense).
  static double icon_score(std::string_view sizes) {
    double best = -1;
    for (const std::string& token : words(lower(sizes))) {
      std::size_t x = token.find('x');
      if (x == std::string::npos || x == 0 || x + 1 >= token.size() || x > 5 || token.size() - x > 6) continue;
      int w = 0;
      bool ok = true;
      for (std::size_t k = 0; k < x; ++k) {
        ok = ok && token[k] >= '0' && token[k] <= '9';
        w = w * 10 + (token[k] - '0');
      }
      for (std::size_t k = x + 1; k < token.size(); ++k) ok = ok && token[k] >= '0' && token[k] <= '9';
      if (!ok || w <= 0) continue;
      double score = 0;
      for (double want : {16.0, 32.0}) {
        if (w == want) score += 1;
        else if (w > want) score += 0.2 + 0.65 * want / w;
        else score += 0.1 + 0.5 * w / want;
      }
      best = std::max(best, score / 2);
    }
    return best;
  }

  // PreloadHelper: `as` must name a destination Chromium preloads, `type` (if any) must be
  // one it supports for it, and `media` must match.
  void preload(const GumboElement& e, const std::string& href, bool in_head, const std::string& priority) {
    std::string as = lower(trim(attr_or_empty(e, "as")));
    std::string type = essence(attr_or_empty(e, "type"));
    ResourceType rt;
    bool type_ok = type.empty();
    if (as == "style") {
      rt = ResourceType::kStylesheet;
      type_ok = type_ok || type == "text/css";
    } else if (as == "script") {
      rt = ResourceType::kScript;
      type_ok = type_ok || in(kJavaScriptTypes, type) || type == "module";
    } else if (as == "image") {
      rt = ResourceType::kImage;
      type_ok = type_ok || in(kImageTypes, type);
    } else if (as == "font") {
      rt = ResourceType::kFont;
      type_ok = type_ok || in(kFontTypes, type);
    } else if (as == "fetch" || as == "track") {
      rt = ResourceType::kOther;
      type_ok = true;
    } else {
      return;  // no or unknown `as`: Chromium warns and fetches nothing
    }
    if (!type_ok || !media_matches(attr_or_empty(e, "media"), screen_)) return;
    std::string url = href;
    if (rt == ResourceType::kImage) {
      std::string srcset = attr_or_empty(e, "imagesrcset");
      if (!srcset.empty()) url = pick(href, srcset, attr_or_empty(e, "imagesizes"));
    }
    if (trim(url).empty()) return;
    auto& r = add(url, rt, "link rel=preload as=" + as, in_head);
    r.note = std::exchange(srcset_note_, {});
    r.preload = true;
    r.cors_anonymous = cors_anonymous(e);
    r.preload_as = as;
    r.fetch_priority = priority;
  }

  // HTML "prepare the script element": classic for no type or a JavaScript MIME type,
  // module for "module"; anything else (importmap, templates) is not fetched, and a
  // module-supporting browser skips `nomodule` classic scripts.
  void script(const GumboElement& e, bool in_head) {
    const char* src = attr(e, "src");
    if (!src || trim(src).empty()) return;
    const char* type = attr(e, "type");
    const char* language = attr(e, "language");
    bool classic = false, module = false;
    if (type) {
      std::string t = lower(trim(type));
      classic = t.empty() || in(kJavaScriptTypes, t);
      module = t == "module";
    } else if (language && *language) {
      classic = in(kJavaScriptTypes, "text/" + lower(language));
    } else {
      classic = true;
    }
    if (!classic && !module) return;
    if (classic && has_attr(e, "nomodule")) return;
    bool async = has_attr(e, "async");
    bool defer = classic && has_attr(e, "defer");
    std::string how = module ? " type=module" : async ? " async" : defer ? " defer" : "";
    auto& r = add(src, ResourceType::kScript, "script src" + how, in_head);
    r.async = async;
    r.defer = defer;
    r.module = module;
    r.parser_blocking = classic && !async && !defer;
    r.cors_anonymous = cors_anonymous(e, /*by_default=*/module);
    r.fetch_priority = lower(trim(attr_or_empty(e, "fetchpriority")));
  }

  // <img>: lazy images wait for layout (not fetched); inside <picture>, the first <source>
  // whose media and type match supplies the srcset (HTMLImageElement::
  // SelectSourceURL -> HTMLPictureElement's source selection).
  void img(const GumboNode* node, const GumboElement& e, bool in_head) {
    if (attr_is(e, "loading", "lazy")) return;
    std::string src(trim(attr_or_empty(e, "src")));
    std::string srcset = attr_or_empty(e, "srcset");
    std::string sizes = attr_or_empty(e, "sizes");
    std::string found_by = "img src";
    const GumboNode* parent = node->parent;
    if (parent && parent->type == GUMBO_NODE_ELEMENT && tag_name(parent->v.element) == "picture") {
      const GumboVector& siblings = parent->v.element.children;
      for (unsigned k = 0; k < siblings.length && k < node->index_within_parent; ++k) {
        const GumboNode* s = static_cast<const GumboNode*>(siblings.data[k]);
        if (s->type != GUMBO_NODE_ELEMENT || tag_name(s->v.element) != "source") continue;
        const GumboElement& se = s->v.element;
        std::string s_srcset = attr_or_empty(se, "srcset");
        if (trim(s_srcset).empty()) continue;
        if (!media_matches(attr_or_empty(se, "media"), screen_)) continue;
        if (!supported_image_type(attr_or_empty(se, "type"))) continue;
        std::string url = pick("", s_srcset, attr_or_empty(se, "sizes"));
        if (url.empty()) {
          srcset_note_.clear();
          continue;
        }
        auto& r = add(url, ResourceType::kImage, "picture source srcset", in_head);
        r.note = std::exchange(srcset_note_, {});
        r.fetch_priority = lower(trim(attr_or_empty(e, "fetchpriority")));
        r.small_image = small_image(e);
        r.cors_anonymous = cors_anonymous(e);
        return;
      }
    }
    std::string url = src;
    if (!trim(srcset).empty()) {
      url = pick(src, srcset, sizes);
      if (url != src) found_by = "img srcset";
    }
    if (trim(url).empty()) return;
    auto& r = add(url, ResourceType::kImage, found_by, in_head);
    r.note = std::exchange(srcset_note_, {});
    r.fetch_priority = lower(trim(attr_or_empty(e, "fetchpriority")));
    r.small_image = small_image(e);
    r.cors_anonymous = cors_anonymous(e);
  }

  // The image a srcset names for this screen; a srcset read only in part leaves a note
  // for the request (a bounded read may pick another image than Chromium).
  std::string pick(std::string_view src, std::string_view srcset, std::string_view sizes) {
    bool cut = false;
    std::string url = pick_image_url(src, srcset, sizes, screen_, limits_.max_srcset_candidates, &cut);
    srcset_note_ = cut ? "srcset read up to its first " + std::to_string(limits_.max_srcset_candidates) +
                             " candidates: the image chosen may differ from Chromium's"
                       : std::string();
    return url;
  }

  std::string srcset_note_;  // pick()'s note for the reference it chose
  bool complete_;
  const Screen& screen_;
  const HtmlScanLimits& limits_;
  HtmlScan& out_;
  std::size_t elements_ = 0;
  bool seen_image_ = false;
  std::vector<IconCandidate> icons_;
};

bool body_started(const GumboOutput& out) {
  const GumboNode* root = out.root;
  if (!root || root->type != GUMBO_NODE_ELEMENT) return false;
  const GumboVector& children = root->v.element.children;
  for (unsigned k = 0; k < children.length; ++k) {
    const GumboNode* c = static_cast<const GumboNode*>(children.data[k]);
    if (c->type != GUMBO_NODE_ELEMENT) continue;
    GumboTag tag = c->v.element.tag;
    if (tag == GUMBO_TAG_FRAMESET) return true;
    // The parser makes an empty <body> at the end of any input; one that was opened by a
    // tag or holds content was reached.
    if (tag == GUMBO_TAG_BODY) return c->v.element.original_tag.length > 0 || c->v.element.children.length > 0;
  }
  return false;
}

}  // namespace

HtmlScan scan_html(std::string_view html, bool complete, const Screen& screen, const HtmlScanLimits& limits) {
  HtmlScan scan;
  if (complete) scan.tree = std::make_unique<ElementTree>();
  GumboOptions options = kGumboDefaultOptions;
  // Errors are not read, and gumbo copies the open-element stack into each one: with many
  // unclosed elements that is quadratic memory.
  options.max_errors = 0;
  Arena arena;
  options.allocator = &Arena::allocate;
  options.deallocator = &Arena::deallocate;
  options.userdata = &arena;
  const std::string marked = mark_controls(html);
  if (!marked.empty()) html = marked;
  const GumboOutput* out = gumbo_parse_with_options(&options, html.data(), html.size());
  if (!out) {
    scan.notes.push_back("the HTML parser failed");
    return scan;
  }
  Walker walker(complete, screen, limits, scan);
  walker.walk(out->document);
  if (complete) walker.icons();  // the browser asks for them after the load anyway
  if (!marked.empty()) {
    for (auto& style : scan.styles) style.css = unmark_controls(style.css);
    if (scan.base_href) scan.base_href = unmark_controls(*scan.base_href);
  }
  if (scan.tree) {
    // Text in a descendant counts for its ancestors (children come after their parents).
    for (int k = static_cast<int>(scan.tree->size()) - 1; k >= 0; --k) {
      const Element& e = scan.tree->elements()[k];
      if (e.text && e.parent >= 0) scan.tree->at(e.parent).text = true;
    }
  }
  scan.body_started = complete || body_started(*out);
  return scan;
}

}  // namespace pageload::page
