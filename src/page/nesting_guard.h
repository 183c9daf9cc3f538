// gumbo (0.10.1, Debian 12) takes time proportional to the depth of the open-element stack
// for most start tags (its "has an element in scope" walks), so 100,000 nested <div>s cost
// minutes, and unclosed formatting elements (<b>, <font>, ...) are cloned again after
// every block that closes them. Chromium caps the tree at 512 levels
// (HTMLConstructionSite's kMaximumHTMLParserDOMTreeDepth); we cannot change gumbo, so we
// estimate both costs with a light tag scan and hand gumbo only the prefix before the tag
// that would exceed them.
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
  std::size_t bytes = 0;  // the whole input when nothing was exceeded
  std::string reason;     // empty, or why the input was cut there
  // The contents of <noscript> elements (begin, end byte offsets). With scripting on, as in
  // Chromium, they are raw text; gumbo parses as if scripting were off, so the caller
  // blanks these ranges before parsing.
  std::vector<std::pair<std::size_t, std::size_t>> noscript_text;
};

// An over-estimate: elements whose end tag is often implied (p, li, td, ...) and void
// elements do not count; script, style and other raw-text contents are skipped.
SafePrefix safe_prefix(std::string_view html, const NestingBounds& bounds);

}  // namespace pageload::page
