// srcset and sizes, as Chromium's html_srcset_parser.cc and SizesAttributeParser read them
// (HTML "parse a srcset attribute" and "parse a sizes attribute"), and the candidate it
// picks for a screen.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "page/media_query.h"

namespace pageload::page {

struct ImageCandidate {
  std::string url;
  std::optional<double> density;  // "2x"
  std::optional<int> width;       // "400w"
  bool from_src = false;          // the <img src> added as a 1x candidate
};

// Candidates in attribute order; invalid ones dropped as the spec says. At most
// `max_candidates` are kept (the rest of a hostile 10 MB srcset is not read); `cut`, when
// given, is set to whether some of the srcset was left unread.
std::vector<ImageCandidate> parse_srcset(std::string_view srcset, std::size_t max_candidates, bool* cut = nullptr);

// The source size in CSS px: the first `sizes` entry whose media condition matches; 100vw
// when none does or the attribute is absent.
double source_size(std::string_view sizes, const Screen& screen);

// The URL Chromium fetches for <img src srcset sizes> (or a <source>: src empty): for each
// candidate its density (w / source size, x, or 1), sorted, then the first whose density is
// at least the device pixel ratio, else the densest (PickBestImageCandidate). Empty when
// there is no candidate.
std::string pick_image_url(std::string_view src, std::string_view srcset, std::string_view sizes,
                           const Screen& screen, std::size_t max_candidates, bool* cut = nullptr);

}  // namespace pageload::page
