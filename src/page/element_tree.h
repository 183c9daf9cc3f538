// A compact copy of a parsed document's elements (tag, id, classes, attributes, parent),
// kept after the HTML parser's own tree is freed, with the indexes a selector matcher
// needs to find candidates by the rightmost compound's id, class or tag (as Chromium's
// RuleSet buckets rules).
#pragma once

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
};

}  // namespace pageload::page
