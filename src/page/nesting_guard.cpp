#include "page/nesting_guard.h"

#include <algorithm>
#include <cstring>

namespace pageload::page {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

template <std::size_t N>
bool in(const std::string_view (&list)[N], std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

// Elements that add no depth: void elements, and those whose start tag closes an open one
// of the same kind or whose end tag is implied (HTML "generate implied end tags").
constexpr std::string_view kFlat[] = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "param", "keygen", "frame", "basefont", "bgsound", "image", "p", "li",
    "dd", "dt", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot", "a",
    "button", "nobr", "rb", "rp", "rt", "rtc", "caption", "colgroup", "html", "head", "body",
    "form", "frameset"};
// The list of active formatting elements (HTML 13.2.4.3).
constexpr std::string_view kFormatting[] = {"b", "big", "code", "em", "font", "i", "s",
                                            "small", "strike", "strong", "tt", "u"};
// Contents are text up to the matching end tag.
constexpr std::string_view kRawText[] = {"script", "style", "textarea", "title", "xmp",
                                         "iframe", "noembed", "noframes", "noscript"};

std::string lower_name(std::string_view html, std::size_t& i) {
  std::string name;
  while (i < html.size() && !is_space(html[i]) && html[i] != '>' && html[i] != '/') {
    if (name.size() < 32) name += static_cast<char>(html[i] >= 'A' && html[i] <= 'Z' ? html[i] + 32 : html[i]);
    ++i;
  }
  return name;
}

// From inside a tag, past its '>' (quoted attribute values may hold '>').
std::size_t skip_tag(std::string_view html, std::size_t i) {
  while (i < html.size()) {
    char c = html[i];
    if (c == '>') return i + 1;
    if (c == '=') {
      ++i;
      while (i < html.size() && is_space(html[i])) ++i;
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        std::size_t close = html.find(html[i], i + 1);
        if (close == std::string_view::npos) return html.size();
        i = close + 1;
        continue;
      }
      continue;
    }
    ++i;
  }
  return html.size();
}

// Past "</name" ... '>' for a raw-text element, matched case-insensitively; `text_end`
// is where its text ends.
std::size_t skip_raw_text(std::string_view html, std::size_t i, std::string_view name, std::size_t& text_end) {
  text_end = html.size();
  while (true) {
    std::size_t lt = html.find("</", i);
    if (lt == std::string_view::npos) return html.size();
    text_end = lt;
    std::size_t k = lt + 2;
    bool same = k + name.size() <= html.size();
    for (std::size_t j = 0; same && j < name.size(); ++j) {
      char c = html[k + j];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      same = c == name[j];
    }
    if (same) return skip_tag(html, k + name.size());
    text_end = html.size();
    i = lt + 2;
  }
}

}  // namespace

SafePrefix safe_prefix(std::string_view html, const NestingBounds& bounds) {
  int depth = 0;
  int formatting = 0;
  int foreign_at = -1;  // depth where <svg> or <math> opened: "/>" closes only in there
  std::size_t nodes = 0;
  std::size_t i = 0;
  SafePrefix out;
  while (true) {
    const void* lt = std::memchr(html.data() + i, '<', html.size() - i);
    if (!lt) break;
    std::size_t at = static_cast<const char*>(lt) - html.data();
    i = at + 1;
    if (i >= html.size()) break;
    if (html.compare(i, 3, "!--") == 0) {
      std::size_t end = html.find("-->", i + 3);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    if (html[i] == '!' || html[i] == '?') {
      i = skip_tag(html, i);
      continue;
    }
    bool end_tag = html[i] == '/';
    if (end_tag) ++i;
    if (i >= html.size() || !is_alpha(html[i])) continue;
    std::string name = lower_name(html, i);
    i = skip_tag(html, i);
    bool foreign_tag = name == "svg" || name == "math";
    bool self_closing = (foreign_at >= 0 || foreign_tag) && i >= 2 && html[i - 2] == '/';
    if (end_tag) {
      if (in(kFlat, name)) continue;
      // The end tag of an element that was closed at once (deeper than the bound): gone.
      if (depth > bounds.max_depth) out.flatten.push_back({at, i - at, {}});
      else if (in(kFormatting, name)) formatting = std::max(0, formatting - 1);
      depth = std::max(0, depth - 1);
      if (foreign_at >= 0 && depth <= foreign_at) foreign_at = -1;
      continue;
    }
    if (name == "plaintext") break;  // the rest is text
    ++nodes;
    bool formatting_tag = in(kFormatting, name);
    if (!formatting_tag) nodes += static_cast<std::size_t>(formatting);  // clones re-opened after it
    if (nodes > bounds.max_estimated_nodes) {
      out.bytes = at;
      out.reason = "document parsed up to byte " + std::to_string(at) + ": more than " +
                   std::to_string(bounds.max_estimated_nodes) + " elements";
      out.flatten.erase(std::remove_if(out.flatten.begin(), out.flatten.end(),
                                       [&](const SafePrefix::Edit& e) { return e.at >= at; }),
                        out.flatten.end());
      return out;
    }
    if (in(kRawText, name) && foreign_at < 0) {
      std::size_t text_begin = i, text_end = 0;
      i = skip_raw_text(html, i, name, text_end);
      if (name == "noscript" && text_end > text_begin) out.noscript_text.emplace_back(text_begin, text_end);
      continue;
    }
    if (in(kFlat, name) || self_closing) continue;
    if (++depth > bounds.max_depth) {
      // Chromium attaches it to its parent's parent: closed at once here, so what it holds
      // becomes its siblings. A tag cut off at the end of a prefix is left alone.
      if (html[i - 1] == '>') out.flatten.push_back({i, 0, "</" + name + ">"});
      if (out.reason.empty())
        out.reason = "markup nested deeper than " + std::to_string(bounds.max_depth) +
                     " elements (first at byte " + std::to_string(at) +
                     "): deeper elements kept as siblings, as Chromium does";
      continue;
    }
    if (formatting_tag) ++formatting;
    if (foreign_tag && foreign_at < 0) foreign_at = depth - 1;
  }
  out.bytes = html.size();
  return out;
}

std::string flattened(std::string_view html, const SafePrefix& prefix) {
  html = html.substr(0, prefix.bytes);
  std::string out;
  out.reserve(html.size() + prefix.flatten.size() * 8);
  std::size_t from = 0;
  for (const auto& e : prefix.flatten) {
    out.append(html.substr(from, e.at - from));
    out += e.insert;
    from = e.at + e.drop;
  }
  out.append(html.substr(from));
  return out;
}

}  // namespace pageload::page
