#include "page/selector.h"

#include <algorithm>
#include <string_view>

namespace pageload::page {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_delim(const Token& t, char c) {
  return t.type == TokenType::kDelim && t.value.size() == 1 && t.value[0] == c;
}

// Longest compound chain matched; longer selectors are treated as matching.
constexpr std::size_t kMaxCompounds = 32;

// States nobody is in while a page loads untouched (Chromium matches none of them before
// input: no pointer over, no focus, no history, no fragment navigation).
constexpr std::string_view kNeverPseudoClasses[] = {
    "hover", "active", "focus", "focus-visible", "focus-within", "visited", "target",
    "target-within", "fullscreen", "modal", "popover-open", "picture-in-picture", "autofill",
    "-webkit-autofill", "playing", "paused", "seeking", "buffering", "stalled", "muted",
    "volume-locked", "user-invalid", "user-valid", "-webkit-full-screen", "drop", "current",
    "past", "future", "xr-overlay", "open", "closed"};

// Pseudo-classes Chromium knows that depend on state, structure or arguments we do not
// evaluate: treated as matching.
constexpr std::string_view kApproximatedPseudoClasses[] = {
    "first-child", "last-child", "only-child", "first-of-type", "last-of-type",
    "only-of-type", "nth-child", "nth-last-child", "nth-of-type", "nth-last-of-type", "empty",
    "checked", "default", "disabled", "enabled", "indeterminate", "optional", "required",
    "read-only", "read-write", "placeholder-shown", "valid", "invalid", "in-range",
    "out-of-range", "lang", "dir", "defined", "scope", "is", "where", "not", "has",
    "-webkit-any", "host", "host-context", "state", "local-link", "blank", "-webkit-drag",
    "window-inactive", "horizontal", "vertical", "decrement", "increment", "start", "end",
    "double-button", "single-button", "no-button", "corner-present", "first", "left", "right",
    "-internal-list-box", "autofill-selected", "autofill-previewed", "-webkit-any-link"};

// Pseudo-elements Chromium knows. ::selection and ::backdrop need a selection or a top
// layer: never at load; the others are treated as present.
constexpr std::string_view kNeverPseudoElements[] = {"selection", "backdrop", "target-text",
                                                     "spelling-error", "grammar-error"};
constexpr std::string_view kPseudoElements[] = {
    "before", "after", "first-line", "first-letter", "marker", "placeholder",
    "file-selector-button", "cue", "part", "slotted", "highlight", "view-transition",
    "view-transition-group", "view-transition-image-pair", "view-transition-old",
    "view-transition-new", "details-content", "scroll-marker", "scroll-marker-group",
    "scroll-button", "column", "picker", "picker-icon", "checkmark", "search-text"};

bool in(std::span<const std::string_view> list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

class Parser {
 public:
  explicit Parser(std::span<const Token> t) : t_(t) {}

  std::optional<SelectorList> list() {
    SelectorList out;
    while (true) {
      skip_ws();
      auto complex = complex_selector();
      if (!complex) return std::nullopt;
      out.selectors.push_back(std::move(*complex));
      skip_ws();
      if (at_end()) return out;
      if (t_[i_].type != TokenType::kComma) return std::nullopt;
      ++i_;
    }
  }

 private:
  bool at_end() const { return i_ >= t_.size(); }
  void skip_ws() {
    while (!at_end() && t_[i_].type == TokenType::kWhitespace) ++i_;
  }

  std::optional<ComplexSelector> complex_selector() {
    ComplexSelector s;
    bool child_next = false;
    while (true) {
      Compound c;
      if (!compound(c, s)) return std::nullopt;
      if (s.compounds.size() >= kMaxCompounds) {
        // Drop the leftmost part: what remains is matched, the rest treated as matching.
        s.compounds.erase(s.compounds.begin());
        if (!s.child.empty()) s.child.erase(s.child.begin());
        if (s.approximations.empty() || s.approximations.back() != "a long selector")
          s.approximations.push_back("a long selector");
      }
      if (!s.compounds.empty()) s.child.push_back(child_next);
      s.compounds.push_back(std::move(c));
      // A combinator, or the end of this selector.
      bool had_space = !at_end() && t_[i_].type == TokenType::kWhitespace;
      skip_ws();
      if (at_end() || t_[i_].type == TokenType::kComma) return s;
      if (is_delim(t_[i_], '>')) {
        child_next = true;
        ++i_;
        skip_ws();
      } else if (is_delim(t_[i_], '+') || is_delim(t_[i_], '~') || is_delim(t_[i_], '|')) {
        // Siblings: what is left of the combinator is not checked (a superset of the
        // elements a browser would match).
        if (is_delim(t_[i_], '|')) {
          if (i_ + 1 >= t_.size() || !is_delim(t_[i_ + 1], '|')) return std::nullopt;
          ++i_;
        }
        std::string what = is_delim(t_[i_], '~') ? "the ~ combinator" : "the + combinator";
        if (t_[i_].value == "|") what = "the || combinator";
        if (std::find(s.approximations.begin(), s.approximations.end(), what) == s.approximations.end())
          s.approximations.push_back(what);
        ++i_;
        skip_ws();
        s.compounds.clear();
        s.child.clear();
        child_next = false;
        continue;
      } else if (had_space) {
        child_next = false;
      } else {
        return std::nullopt;
      }
      if (at_end()) return std::nullopt;
    }
  }

  // [type|*]? then #id, .class, [attr], :pseudo, ::pseudo-element; false when invalid.
  bool compound(Compound& c, ComplexSelector& s) {
    std::size_t start = i_;
    if (!at_end() && (t_[i_].type == TokenType::kIdent || is_delim(t_[i_], '*'))) {
      std::string name = t_[i_].type == TokenType::kIdent ? lower(t_[i_].value) : "";
      ++i_;
      // A namespace prefix ("svg|rect", "*|a"): the prefix is not checked.
      if (!at_end() && is_delim(t_[i_], '|') && !(i_ + 1 < t_.size() && is_delim(t_[i_ + 1], '|'))) {
        ++i_;
        if (at_end() || !(t_[i_].type == TokenType::kIdent || is_delim(t_[i_], '*'))) return false;
        name = t_[i_].type == TokenType::kIdent ? lower(t_[i_].value) : "";
        ++i_;
      }
      c.tag = name;
    }
    while (!at_end()) {
      const Token& t = t_[i_];
      if (t.type == TokenType::kHash) {
        if (!t.hash_is_id) return false;
        c.ids.push_back(t.value);
        ++i_;
      } else if (is_delim(t, '.')) {
        ++i_;
        if (at_end() || t_[i_].type != TokenType::kIdent) return false;
        c.classes.push_back(t_[i_].value);
        ++i_;
      } else if (t.type == TokenType::kLeftBracket) {
        if (!attribute(c)) return false;
      } else if (t.type == TokenType::kColon) {
        if (!pseudo(c, s)) return false;
      } else {
        break;
      }
    }
    return i_ > start;  // an empty compound (", ,", "> >") is invalid
  }

  bool attribute(Compound& c) {
    ++i_;  // '['
    skip_ws();
    if (at_end()) return false;
    // An optional namespace prefix: "[*|href]", "[xlink|href]".
    if ((t_[i_].type == TokenType::kIdent || is_delim(t_[i_], '*')) && i_ + 1 < t_.size() &&
        is_delim(t_[i_ + 1], '|') && i_ + 2 < t_.size() && t_[i_ + 2].type == TokenType::kIdent)
      i_ += 2;
    else if (is_delim(t_[i_], '|'))
      ++i_;
    if (at_end() || t_[i_].type != TokenType::kIdent) return false;
    AttributeTest a;
    a.name = lower(t_[i_].value);
    ++i_;
    skip_ws();
    if (at_end()) return false;
    if (t_[i_].type == TokenType::kRightBracket) {
      ++i_;
      c.attributes.push_back(std::move(a));
      return true;
    }
    if (t_[i_].type != TokenType::kDelim) return false;
    char op = t_[i_].value.empty() ? 0 : t_[i_].value[0];
    if (op == '=') {
      a.op = AttributeTest::Op::kEquals;
      ++i_;
    } else {
      switch (op) {
        case '~': a.op = AttributeTest::Op::kIncludes; break;
        case '|': a.op = AttributeTest::Op::kDashMatch; break;
        case '^': a.op = AttributeTest::Op::kPrefix; break;
        case '$': a.op = AttributeTest::Op::kSuffix; break;
        case '*': a.op = AttributeTest::Op::kSubstring; break;
        default: return false;
      }
      ++i_;
      if (at_end() || !is_delim(t_[i_], '=')) return false;
      ++i_;
    }
    skip_ws();
    if (at_end() || (t_[i_].type != TokenType::kIdent && t_[i_].type != TokenType::kString))
      return false;
    a.value = t_[i_].value;
    ++i_;
    skip_ws();
    if (!at_end() && t_[i_].type == TokenType::kIdent) {
      std::string flag = lower(t_[i_].value);
      if (flag != "i" && flag != "s") return false;
      a.ignore_case = flag == "i";
      ++i_;
      skip_ws();
    }
    if (at_end() || t_[i_].type != TokenType::kRightBracket) return false;
    ++i_;
    c.attributes.push_back(std::move(a));
    return true;
  }

  // Skips a function's arguments up to its matching ')'.
  bool skip_function() {
    int level = 1;
    ++i_;
    while (!at_end() && level > 0) {
      TokenType ty = t_[i_].type;
      if (ty == TokenType::kFunction || ty == TokenType::kLeftParen) ++level;
      if (ty == TokenType::kRightParen) --level;
      ++i_;
    }
    return level == 0;
  }

  bool pseudo(Compound& c, ComplexSelector& s) {
    ++i_;  // ':'
    bool element = false;
    if (!at_end() && t_[i_].type == TokenType::kColon) {
      element = true;
      ++i_;
    }
    if (at_end()) return false;
    const Token& t = t_[i_];
    if (t.type != TokenType::kIdent && t.type != TokenType::kFunction) return false;
    std::string name = lower(t.value);
    bool function = t.type == TokenType::kFunction;
    if (function) {
      if (!skip_function()) return false;
    } else {
      ++i_;
    }
    // The four CSS2 pseudo-elements may be written with one colon.
    if (!element && (name == "before" || name == "after" || name == "first-line" || name == "first-letter"))
      element = true;
    std::string shown = std::string(element ? "::" : ":") + name + (function ? "()" : "");
    auto approximate = [&] {
      if (std::find(s.approximations.begin(), s.approximations.end(), shown) == s.approximations.end())
        s.approximations.push_back(shown);
    };
    if (element) {
      if (in(kNeverPseudoElements, name)) {
        c.never = true;
      } else if (in(kPseudoElements, name) || name.starts_with("-webkit-") || name.starts_with("-internal-")) {
        approximate();
      } else {
        return false;
      }
      return true;
    }
    if (name == "root" && !function) {
      c.root = true;
    } else if ((name == "link" || name == "any-link") && !function) {
      c.link = true;
    } else if (in(kNeverPseudoClasses, name)) {
      c.never = true;
    } else if (in(kApproximatedPseudoClasses, name) || name.starts_with("-internal-")) {
      approximate();
    } else {
      return false;  // Chromium drops a rule with a pseudo-class it does not know
    }
    return true;
  }

  std::span<const Token> t_;
  std::size_t i_ = 0;
};

bool contains_word(std::string_view list, std::string_view word) {
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == '\t' || list[i] == '\n' || list[i] == '\f' || list[i] == '\r')) ++i;
    std::size_t start = i;
    while (i < list.size() && !(list[i] == ' ' || list[i] == '\t' || list[i] == '\n' || list[i] == '\f' || list[i] == '\r')) ++i;
    if (i > start && list.substr(start, i - start) == word) return true;
  }
  return false;
}

bool attribute_matches(const AttributeTest& a, const std::string& have_raw) {
  std::string have = a.ignore_case ? lower(have_raw) : have_raw;
  std::string want = a.ignore_case ? lower(a.value) : a.value;
  using Op = AttributeTest::Op;
  switch (a.op) {
    case Op::kExists: return true;
    case Op::kEquals: return have == want;
    case Op::kIncludes: return !want.empty() && contains_word(have, want);
    case Op::kDashMatch: return have == want || have.starts_with(want + "-");
    case Op::kPrefix: return !want.empty() && have.starts_with(want);
    case Op::kSuffix: return !want.empty() && have.ends_with(want);
    case Op::kSubstring: return !want.empty() && have.find(want) != std::string::npos;
  }
  return false;
}

}  // namespace

std::optional<SelectorList> parse_selector_list(std::span<const Token> prelude) {
  // Trailing white space before the block is not a descendant combinator.
  while (!prelude.empty() && prelude.back().type == TokenType::kWhitespace) prelude = prelude.first(prelude.size() - 1);
  if (prelude.empty()) return std::nullopt;
  return Parser(prelude).list();
}

bool SelectorMatcher::matches_compound(const Compound& c, const Element& e) {
  if (budget_ == 0) {
    spent_ = true;
    return true;
  }
  --budget_;
  if (c.never) return false;
  if (!c.tag.empty() && c.tag != e.tag) return false;
  if (c.root && e.parent != -1) return false;
  if (c.link && !((e.tag == "a" || e.tag == "area") && e.attribute("href"))) return false;
  for (const auto& id : c.ids)
    if (e.id != id) return false;
  for (const auto& cls : c.classes)
    if (std::find(e.classes.begin(), e.classes.end(), cls) == e.classes.end()) return false;
  for (const auto& a : c.attributes) {
    const std::string* have = e.attribute(a.name);
    if (!have || !attribute_matches(a, *have)) return false;
  }
  return true;
}

// Whether compounds[0..k] match leftwards from `element`, which matched compounds[k+1].
bool SelectorMatcher::matches_left(const ComplexSelector& s, std::size_t k, int element) {
  const auto& elements = tree_.elements();
  bool child = s.child[k];
  for (int a = elements[element].parent; a != -1; a = elements[a].parent) {
    if (spent_) return true;
    if (matches_compound(s.compounds[k], elements[a]) && (k == 0 || matches_left(s, k - 1, a)))
      return true;
    if (child) return false;
  }
  return false;
}

SelectorMatcher::Result SelectorMatcher::any_match(const SelectorList& list, Need need) {
  const auto& elements = tree_.elements();
  for (const auto& s : list.selectors) {
    if (s.compounds.empty()) continue;
    // A fast reject, like the ancestor filter of Chromium's SelectorChecker: a selector
    // naming an id, class or tag that no element has matches nothing.
    bool possible = true;
    for (const auto& c : s.compounds) {
      if (c.never) possible = false;
      for (const auto& id : c.ids) possible = possible && tree_.with_id(id);
      for (const auto& cls : c.classes) possible = possible && tree_.with_class(cls);
      if (!c.tag.empty()) possible = possible && tree_.with_tag(c.tag);
      if (!possible) break;
    }
    if (!possible) continue;
    const Compound& last = s.compounds.back();
    // Candidates from the most selective index, as Chromium buckets rules by id, class, tag.
    const std::vector<int>* bucket = nullptr;
    bool indexed = false;
    if (!last.ids.empty()) {
      bucket = tree_.with_id(last.ids.front());
      indexed = true;
    } else if (!last.classes.empty()) {
      bucket = tree_.with_class(last.classes.front());
      indexed = true;
    } else if (!last.tag.empty()) {
      bucket = tree_.with_tag(last.tag);
      indexed = true;
    }
    if (indexed && !bucket) continue;
    std::size_t n = indexed ? bucket->size() : elements.size();
    for (std::size_t j = 0; j < n; ++j) {
      int e = indexed ? (*bucket)[j] : static_cast<int>(j);
      const Element& el = elements[e];
      if (need != Need::kAny && el.hidden) continue;
      if (need == Need::kRenderedText && !el.text) continue;
      bool ok = matches_compound(last, elements[e]) &&
                (s.compounds.size() == 1 || matches_left(s, s.compounds.size() - 2, e));
      if (spent_) return Result{true, {"selector matching work limit reached"}};
      if (ok) return Result{true, s.approximations};
    }
  }
  return Result{false, {}};
}

}  // namespace pageload::page
