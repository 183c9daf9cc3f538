// Reads a stylesheet for what it makes a browser fetch: @import rules, @font-face sources,
// and the url()s of style rules together with their selectors and font-family lists, so
// the document's element tree can decide which apply (page/document_discovery.cpp).
// Follows CSS Syntax Level 3 §5 (consume a list of rules, at-rules, qualified rules,
// declarations) with CSS Nesting; rules in an @media that does not match are skipped.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "page/media_query.h"
#include "page/selector.h"

namespace pageload::page {

struct CssUrl {
  std::string url;       // as written (unresolved)
  std::string property;  // "background-image"
};

struct StyleRule {
  std::string selector_text;  // the prelude as written, white space collapsed, cut to 200 bytes
  SelectorList selectors;
  std::vector<CssUrl> urls;   // images its declarations load
  // font-family lists of its font-family and font declarations, names lower-case, in order.
  std::vector<std::vector<std::string>> font_lists;
  // It sets a bold weight (bold, bolder, 600 and up) or an italic/oblique style, through
  // font-weight, font-style or the font shorthand.
  bool bold = false;
  bool italic = false;
  // Custom properties it sets whose values hold url()s ("--hero" -> its url()s), and the
  // custom properties its image properties read through var().
  std::vector<std::pair<std::string, std::vector<CssUrl>>> custom_urls;
  std::vector<std::string> var_images;
};

enum class FontStyle { kNormal, kItalic, kOblique };

// One range of a unicode-range descriptor, both ends included.
struct UnicodeRange {
  char32_t first = 0, last = 0x10FFFF;
};

struct FontFaceRule {
  std::string family;   // as written
  std::string url;      // the first source in a format Chromium supports; empty: none
  std::string note;     // e.g. "local() sources skipped"
  double weight_min = 400, weight_max = 400;  // font-weight descriptor (a range for variable fonts)
  FontStyle style = FontStyle::kNormal;
  // unicode-range descriptor: the code points the face is used for; empty: all (its
  // default, U+0-10FFFF, also when the descriptor is invalid).
  std::vector<UnicodeRange> ranges;
};

struct ImportRule {
  std::string url;
  bool media_matches = true;
};

struct SheetSummary {
  std::vector<ImportRule> imports;
  std::vector<StyleRule> rules;  // only rules with url()s, font lists, bold, italic or var()
  std::vector<FontFaceRule> font_faces;
  std::vector<std::string> notes;
};

struct CssLimits {
  std::size_t max_bytes = 4 << 20;  // parsed; the rest ignored with a note
  std::size_t max_rules = 20000;    // rules with url()s or fonts kept
  int max_nesting = 32;             // blocks inside blocks (@media, nested rules)
};

SheetSummary scan_stylesheet(std::string_view css, const Screen& screen, const CssLimits& limits);

// The declarations of a style="" attribute: its url()s and font lists (no selector).
StyleRule scan_inline_style(std::string_view declarations, const Screen& screen);

// A font-family value's names, lower-case ("'Lab Sans', serif" -> {"lab sans", "serif"}).
std::vector<std::string> parse_font_family(std::span<const Token> value);

// A unicode-range value (CSS Fonts 4 §4.5): comma-separated "U+26", "U+0-7F", "U+4??",
// case-insensitive, comments and white space between items. nullopt when invalid (an end
// above 10FFFF, a start after its end, more than 6 digits, '?' with '-', anything else).
std::optional<std::vector<UnicodeRange>> parse_unicode_range(std::string_view text);

// Whether a family name is generic (always available: the list stops there).
bool is_generic_family(std::string_view lower_name);

}  // namespace pageload::page
