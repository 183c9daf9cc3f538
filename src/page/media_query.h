// Media queries (Media Queries Level 4) evaluated for the screen a headless Chromium load
// has: a 1280x720 viewport at device pixel ratio 1. Used for <link media>, <source media>,
// `sizes`, @media and @import. An unknown feature or a query that does not parse is
// false, as in Chromium (MediaQueryEvaluator: "not all").
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "page/css_tokenizer.h"

namespace pageload::page {

struct Screen {
  double width = 1280;   // CSS px
  double height = 720;
  double device_pixel_ratio = 1;
};

// Longest media text evaluated; a longer one is taken as not matching (a page is a
// stranger's input, and Chromium's own queries are short).
inline constexpr std::size_t kMaxMediaTextBytes = 16 * 1024;

// Component tokens of a short text, white space dropped; empty when the text is longer
// than `max_bytes`.
std::vector<Token> significant_tokens(std::string_view text, std::size_t max_bytes);

// A media query list ("screen and (min-width: 600px), print"). Empty or only white space
// matches (an absent media attribute).
bool media_matches(std::string_view query_list, const Screen& screen);
bool media_matches(std::span<const Token> query_list, const Screen& screen);

// A <media-condition> alone (a `sizes` entry's condition): no media type allowed.
// Sets `ok` false when it does not parse.
bool media_condition_matches(std::span<const Token> condition, const Screen& screen, bool& ok);

// A <length> in CSS px for this screen (px, em and rem at 16px, vw, vh, in, cm, ...; a
// unitless 0); nullopt for anything else.
std::optional<double> length_px(const Token& token, const Screen& screen);

}  // namespace pageload::page
