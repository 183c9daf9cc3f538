// gumbo (0.10.1, Debian 12) takes time proportional to the depth of the open-element stack
// for most start tags (its "has an element in scope" walks), so 100,000 nested <div>s cost
// minutes, and unclosed formatting elements (<b>, <font>, ...) are cloned again after
// every block that closes them. Chromium caps the tree at 512 levels
// (HTMLConstructionSite's kMaximumHTMLParserDOMTreeDepth: an element deeper than that is
// attached to its parent's parent, so it becomes a sibling, and parsing goes on). We cannot
// change gumbo, so a light tag scan estimates the depth and rewrites the markup the same
// way: a start tag that would go deeper than the bound is closed at once ("<div a=1>"
// becomes "<div a=1></div>", its attributes kept, its contents then siblings) and its own
// end tag dropped, so gumbo's stack never grows past the bound and everything after the
// nesting is still parsed. The element count (with formatting-element clones) is the other
// bound: past it, gumbo gets only the prefix before the tag that exceeds it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pageload::page {

struct NestingBounds {
  int max_depth = 512;                    // estimated open elements
  std::size_t max_estimated_nodes = 200000;  // elements plus formatting-element clones
};

struct SafePrefix {
  std::size_t bytes = 0;  // the whole input when the element count was not exceeded
  std::string reason;     // empty, or why the input was cut there or rewritten
  // Where the markup nests deeper than max_depth: "</name>" to insert at an offset (just
  // after a start tag), or a range to drop (an end tag of such an element), in order.
  struct Edit {
    std::size_t at = 0;
    std::size_t drop = 0;     // bytes removed at `at`
    std::string insert;       // text inserted at `at`
  };
  std::vector<Edit> flatten;
  // The contents of <noscript> elements (begin, end byte offsets). With scripting on, as in
  // Chromium, they are raw text; gumbo parses as if scripting were off, so the caller
  // blanks these ranges before parsing.
  std::vector<std::pair<std::size_t, std::size_t>> noscript_text;
};

// An over-estimate: elements whose end tag is often implied (p, li, td, ...) and void
// elements do not count; script, style and other raw-text contents are skipped.
SafePrefix safe_prefix(std::string_view html, const NestingBounds& bounds);

// The first `prefix.bytes` of `html` with `prefix.flatten` applied: what gumbo parses.
std::string flattened(std::string_view html, const SafePrefix& prefix);

}  // namespace pageload::page
