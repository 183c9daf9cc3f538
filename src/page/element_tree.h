// A compact copy of a parsed document's elements (tag, id, classes, attributes, parent),
// kept after the HTML parser's own tree is freed, with the indexes a selector matcher
// needs to find candidates by the rightmost compound's id, class or tag (as Chromium's
// RuleSet buckets rules).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pageload::page {

struct Element {
  std::string tag;  // lower-case local name ("div", "svg", "my-widget")
  int parent = -1;  // index of the parent element; -1 for the root
  std::string id;
  std::vector<std::string> classes;
  std::vector<std::pair<std::string, std::string>> attributes;  // names lower-case
  // Not rendered: display:none by the UA stylesheet (head, script, ...), the hidden
  // attribute or an inline style, here or on an ancestor. Chromium loads neither the
  // backgrounds nor the fonts of such elements.
  bool hidden = false;
  bool text = false;  // has text other than white space, here or in a descendant

  const std::string* attribute(std::string_view name) const {
    for (const auto& [n, v] : attributes)
      if (n == name) return &v;
    return nullptr;
  }
};

class ElementTree {
 public:
  // Adds an element whose parent (if any) was added before; returns its index.
  int add(Element e) {
    int index = static_cast<int>(elements_.size());
    by_tag_[e.tag].push_back(index);
    if (!e.id.empty()) by_id_[e.id].push_back(index);
    for (const auto& c : e.classes) by_class_[c].push_back(index);
    elements_.push_back(std::move(e));
    return index;
  }
  // Code points of the rendered text (text nodes of elements not hidden), for which
  // unicode-range faces a page needs: the whole document's, not per element.
  void add_text(std::string_view utf8) {
    if (text_seen_.empty()) text_seen_.assign(0x110000, false);
    for (std::size_t i = 0; i < utf8.size();) {
      auto b = static_cast<unsigned char>(utf8[i]);
      std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
      char32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
      bool ok = n > 0 && i + n <= utf8.size();
      for (std::size_t k = 1; ok && k < n; ++k) {
        auto cont = static_cast<unsigned char>(utf8[i + k]);
        ok = (cont & 0xC0) == 0x80;
        c = (c << 6) | (cont & 0x3F);
      }
      if (!ok || c > 0x10FFFF) {
        c = 0xFFFD;
        n = 1;
      }
      i += n;
      if (!text_seen_[c]) {
        text_seen_[c] = true;
        text_chars_.push_back(c);
        text_sorted_ = false;
      }
    }
  }
  // Whether the rendered text has a code point in [first, last].
  bool has_text_in(char32_t first, char32_t last) const {
    if (!text_sorted_) {
      std::sort(text_chars_.begin(), text_chars_.end());
      text_sorted_ = true;
    }
    auto it = std::lower_bound(text_chars_.begin(), text_chars_.end(), first);
    return it != text_chars_.end() && *it <= last;
  }
  const std::vector<Element>& elements() const { return elements_; }
  Element& at(int index) { return elements_[static_cast<std::size_t>(index)]; }
  std::size_t size() const { return elements_.size(); }
  // Elements with this tag, id or class, in document order; nullptr when none.
  const std::vector<int>* with_tag(const std::string& tag) const { return find(by_tag_, tag); }
  const std::vector<int>* with_id(const std::string& id) const { return find(by_id_, id); }
  const std::vector<int>* with_class(const std::string& c) const { return find(by_class_, c); }

 private:
  using Index = std::unordered_map<std::string, std::vector<int>>;
  static const std::vector<int>* find(const Index& index, const std::string& key) {
    auto it = index.find(key);
    return it == index.end() ? nullptr : &it->second;
  }
  std::vector<Element> elements_;
  Index by_tag_, by_id_, by_class_;
  std::vector<bool> text_seen_;
  mutable std::vector<char32_t> text_chars_;  // each once; sorted when text_sorted_
  mutable bool text_sorted_ = true;
};

}  // namespace pageload::page
