// CSS selectors: enough of Selectors Level 4 to decide whether a rule's url() or
// font-family applies to some element of the page. Type, universal, class, id and
// attribute selectors (=, ~=, |=, ^=, $=, *=, with the i flag), descendant and child
// combinators and selector lists are matched exactly. What needs layout, state or more
// (structural pseudo-classes, :not/:is/:has, pseudo-elements, sibling combinators) is
// treated as matching and the selector says so; user-action states (:hover, :focus,
// :active, :visited, ...) never match at load, as in a browser nobody touches.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "page/css_tokenizer.h"
#include "page/element_tree.h"

namespace pageload::page {

struct AttributeTest {
  enum class Op { kExists, kEquals, kIncludes, kDashMatch, kPrefix, kSuffix, kSubstring };
  std::string name;  // lower-case
  Op op = Op::kExists;
  std::string value;
  bool ignore_case = false;
};

struct Compound {
  std::string tag;  // lower-case; empty: any
  std::vector<std::string> ids;
  std::vector<std::string> classes;
  std::vector<AttributeTest> attributes;
  bool root = false;    // :root
  bool link = false;    // :link, :any-link: <a>/<area> with href
  bool never = false;   // :hover and other states nobody is in at load
};

struct ComplexSelector {
  std::vector<Compound> compounds;  // left to right
  std::vector<bool> child;          // child[i]: compounds[i] > compounds[i+1], else descendant
  std::vector<std::string> approximations;  // what was treated as matching (":first-child")
};

struct SelectorList {
  std::vector<ComplexSelector> selectors;
};

// Parses a style rule's prelude. nullopt when the list is invalid (an unknown pseudo-class,
// a stray token): Chromium then drops the whole rule.
std::optional<SelectorList> parse_selector_list(std::span<const Token> prelude);

class SelectorMatcher {
 public:
  // `budget`: element tests allowed over this matcher's life (a hostile stylesheet can ask
  // for exponential work); once spent, every selector is treated as matching.
  SelectorMatcher(const ElementTree& tree, std::uint64_t budget) : tree_(tree), budget_(budget) {}

  struct Result {
    bool matches = false;
    std::vector<std::string> approximations;  // of the selector that matched
  };
  // Which elements count: any, rendered ones (a background loads), or rendered ones with
  // text (a font loads).
  enum class Need { kAny, kRendered, kRenderedText };
  // Whether any selector of the list matches some element that meets `need`.
  Result any_match(const SelectorList& list, Need need = Need::kAny);
  bool budget_spent() const { return spent_; }

 private:
  bool matches_compound(const Compound& c, const Element& e);
  bool matches_left(const ComplexSelector& s, std::size_t k, int element);

  const ElementTree& tree_;
  std::uint64_t budget_;
  bool spent_ = false;
};

}  // namespace pageload::page
