#include "report/page_assets.h"

#include <algorithm>

namespace pageload::report {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// A selector can match only if every class it names is one the page has. A dot inside
// brackets or quotes ([href$=".css"]) names no class, and a class under :not() is one the
// element must lack: a selector with either is kept rather than misread.
bool can_match(std::string_view selector, const std::set<std::string, std::less<>>& classes) {
  if (selector.find_first_of("[\"'") != std::string_view::npos || selector.find(":not(") != std::string_view::npos)
    return true;
  for (std::size_t i = selector.find('.'); i != std::string_view::npos; i = selector.find('.', i + 1)) {
    std::size_t end = i + 1;
    while (end < selector.size() && name_char(selector[end])) ++end;
    if (end > i + 1 && !classes.count(selector.substr(i + 1, end - i - 1))) return false;
  }
  return true;
}

bool any_can_match(std::string_view selectors, const std::set<std::string, std::less<>>& classes) {
  while (true) {
    const std::size_t comma = selectors.find(',');
    if (can_match(selectors.substr(0, comma), classes)) return true;
    if (comma == std::string_view::npos) return false;
    selectors.remove_prefix(comma + 1);
  }
}

// The end of the block opened at `open` ('{'), past its '}'; npos if it never closes.
std::size_t block_end(std::string_view css, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < css.size(); ++i) {
    if (css[i] == '{') ++depth;
    else if (css[i] == '}' && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::string css_for_page(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  auto tight = [](char c) { return c == '{' || c == '}' || c == ';' || c == ':' || c == ','; };
  for (std::size_t i = 0; i < in.size();) {
    if (in.substr(i, 2) == "/*") {
      const std::size_t end = in.find("*/", i + 2);
      i = end == std::string_view::npos ? in.size() : end + 2;
      continue;
    }
    const char c = in[i++];
    if (c == ' ' || c == '\n') {
      // A run of blanks is one space, or none next to a tight character or at the start.
      while (i < in.size() && (in[i] == ' ' || in[i] == '\n')) ++i;
      const bool before_tight = i < in.size() && (in[i] == '{' || in[i] == '}');
      const bool comment_next = in.substr(i, 2) == "/*";
      if (!out.empty() && !tight(out.back()) && !before_tight && !comment_next && i < in.size()) out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

std::string js_for_page(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    const std::size_t end = in.find('\n');
    std::string_view line = in.substr(0, end);
    in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
    line.remove_prefix(std::min(line.find_first_not_of(' '), line.size()));
    if (line.empty() || line.substr(0, 2) == "//") continue;
    out.append(line).append("\n");
  }
  return out;
}

std::set<std::string, std::less<>> classes_of(std::string_view html, std::string_view js) {
  std::set<std::string, std::less<>> out;
  auto add_words = [&out](std::string_view words) {
    for (std::size_t i = 0; i < words.size();) {
      const std::size_t end = std::min(words.find(' ', i), words.size());
      if (end > i) out.emplace(words.substr(i, end - i));
      i = end + 1;
    }
  };
  constexpr std::string_view kAttr = "class=\"";
  for (std::size_t at = html.find(kAttr); at != std::string_view::npos; at = html.find(kAttr, at + 1)) {
    const std::size_t from = at + kAttr.size(), end = html.find('"', from);
    if (end == std::string_view::npos) break;
    add_words(html.substr(from, end - from));
  }
  for (std::string_view call : {"classList.add(\"", "classList.toggle(\""}) {
    for (std::size_t at = js.find(call); at != std::string_view::npos; at = js.find(call, at + 1)) {
      const std::size_t from = at + call.size(), end = js.find('"', from);
      if (end != std::string_view::npos) out.emplace(js.substr(from, end - from));
    }
  }
  return out;
}

std::string css_for_classes(std::string_view css, const std::set<std::string, std::less<>>& classes) {
  std::string out;
  out.reserve(css.size());
  for (std::size_t i = 0; i < css.size();) {
    const std::size_t open = css.find('{', i);
    const std::size_t end = open == std::string_view::npos ? std::string_view::npos : block_end(css, open);
    if (end == std::string_view::npos) {  // not a rule: kept as it is
      out.append(css.substr(i));
      break;
    }
    const std::string_view prelude = css.substr(i, open - i);
    if (!prelude.empty() && prelude.front() == '@') {
      const std::string inner = css_for_classes(css.substr(open + 1, end - open - 2), classes);
      if (!inner.empty()) out.append(prelude).append("{").append(inner).append("}");
    } else if (any_can_match(prelude, classes)) {
      out.append(css.substr(i, end - i));
    }
    i = end;
  }
  return out;
}

}  // namespace pageload::report
