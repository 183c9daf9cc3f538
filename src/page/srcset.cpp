#include "page/srcset.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace pageload::page {
namespace {

bool is_html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// HTML "valid non-negative integer" (digits only) and "valid floating-point number".
std::optional<long> parse_int(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<double> parse_float(std::string_view s) {
  // -?digits(.digits)?(e[+-]?digits)? or -?.digits..., as the HTML spec defines it.
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::size_t i = 0;
  if (s[i] == '-') ++i;
  std::size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t frac = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++frac;
    if (frac == 0) return std::nullopt;
    digits += frac;
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp;
    if (exp == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  double v = std::strtod(std::string(s).c_str(), nullptr);
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

// The descriptors of one candidate; false when they make it invalid (HTML 4.8.4.3.10 step
// 13; Chromium's ParseDescriptors).
bool parse_descriptors(const std::vector<std::string_view>& descriptors, ImageCandidate& c) {
  std::optional<long> height;
  for (std::string_view d : descriptors) {
    if (d.empty()) continue;
    char last = d.back();
    std::string_view number = d.substr(0, d.size() - 1);
    if (last == 'w' || last == 'W') {
      if (c.width || c.density) return false;
      auto w = parse_int(number);
      if (!w || *w <= 0) return false;
      c.width = static_cast<int>(*w);
    } else if (last == 'x' || last == 'X') {
      if (c.width || c.density || height) return false;
      auto x = parse_float(number);
      if (!x || *x < 0) return false;
      c.density = *x;
    } else if (last == 'h' || last == 'H') {
      if (height || c.density) return false;
      auto h = parse_int(number);
      if (!h || *h <= 0) return false;
      height = *h;
    } else {
      return false;
    }
  }
  // A height without a width is an error (the spec's "future-compat-h").
  return !(height && !c.width);
}

}  // namespace

std::vector<ImageCandidate> parse_srcset(std::string_view s, std::size_t max_candidates, bool* cut) {
  std::vector<ImageCandidate> out;
  std::size_t i = 0;
  if (cut) *cut = false;
  while (i < s.size()) {
    if (out.size() >= max_candidates) {
      if (cut) *cut = s.find_first_not_of(" \t\n\f\r,", i) != std::string_view::npos;
      break;
    }
    // Splitting loop: skip white space and commas.
    while (i < s.size() && (is_html_space(s[i]) || s[i] == ',')) ++i;
    if (i >= s.size()) break;
    std::size_t url_start = i;
    while (i < s.size() && !is_html_space(s[i])) ++i;
    std::string_view url = s.substr(url_start, i - url_start);
    std::vector<std::string_view> descriptors;
    if (!url.empty() && url.back() == ',') {
      while (!url.empty() && url.back() == ',') url.remove_suffix(1);
    } else {
      // Descriptor tokenizer (HTML's states "in descriptor", "in parens", "after
      // descriptor"): white space separates, a comma ends the candidate, parentheses
      // protect both.
      enum { kIn, kParens, kAfter } state = kIn;
      std::size_t start = i;
      auto push = [&](std::size_t end) {
        if (end > start) descriptors.push_back(s.substr(start, end - start));
      };
      for (; i <= s.size(); ++i) {
        if (i == s.size()) {
          if (state != kAfter) push(i);
          break;
        }
        char c = s[i];
        if (state == kParens) {
          if (c == ')') state = kIn;
        } else if (state == kAfter) {
          if (!is_html_space(c)) {
            state = kIn;
            start = i;
            --i;  // reconsume
          }
        } else if (is_html_space(c)) {
          push(i);
          state = kAfter;
        } else if (c == ',') {
          push(i);
          ++i;
          break;
        } else if (c == '(') {
          state = kParens;
        }
      }
    }
    if (url.empty()) continue;
    ImageCandidate c;
    c.url = std::string(url);
    if (parse_descriptors(descriptors, c)) out.push_back(std::move(c));
  }
  return out;
}

double source_size(std::string_view sizes, const Screen& screen) {
  const double fallback = screen.width;  // 100vw
  std::vector<Token> tokens = significant_tokens(sizes, kMaxMediaTextBytes);
  std::size_t start = 0;
  int level = 0;
  for (std::size_t k = 0; k <= tokens.size(); ++k) {
    if (k < tokens.size()) {
      TokenType ty = tokens[k].type;
      if (ty == TokenType::kLeftParen || ty == TokenType::kFunction) ++level;
      if (ty == TokenType::kRightParen && level > 0) --level;
      if (ty != TokenType::kComma || level > 0) continue;
    }
    std::span<const Token> entry(tokens.data() + start, k - start);
    start = k + 1;
    if (entry.empty()) continue;
    // The size is the entry's last component; what precedes it is the media condition.
    // A calc() size is not evaluated: that entry is skipped.
    auto size = length_px(entry.back(), screen);
    if (!size || *size < 0) continue;
    if (entry.size() == 1) return *size;
    bool ok = true;
    bool matches = media_condition_matches(entry.first(entry.size() - 1), screen, ok);
    if (ok && matches) return *size;
  }
  return fallback;
}

std::string pick_image_url(std::string_view src, std::string_view srcset, std::string_view sizes,
                           const Screen& screen, std::size_t max_candidates, bool* cut) {
  std::vector<ImageCandidate> candidates = parse_srcset(srcset, max_candidates, cut);
  if (candidates.empty()) return std::string(src);
  if (!src.empty()) candidates.push_back(ImageCandidate{std::string(src), std::nullopt, std::nullopt, true});
  double size = source_size(sizes, screen);
  // Normalise densities; a "w" candidate makes the src candidate ignored.
  bool ignore_src = false;
  std::vector<std::pair<double, const ImageCandidate*>> dense;
  for (const auto& c : candidates) {
    if (c.width) ignore_src = true;
  }
  for (const auto& c : candidates) {
    double d = c.width ? (size > 0 ? *c.width / size : INFINITY) : c.density.value_or(1.0);
    dense.emplace_back(d, &c);
  }
  std::stable_sort(dense.begin(), dense.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // De-duplicate equal densities (the first in attribute order stays), dropping src when
  // "w" descriptors are in use.
  std::vector<std::pair<double, const ImageCandidate*>> unique;
  double prev = -1;
  for (const auto& e : dense) {
    if (e.first != prev && (!ignore_src || !e.second->from_src)) unique.push_back(e);
    prev = e.first;
  }
  if (unique.empty()) return std::string(src);
  // SelectionLogic: the first candidate at least as dense as the screen, else the densest.
  // (For a ratio of 1 Chromium's geometric-mean variant picks the same one.)
  std::size_t winner = unique.size() - 1;
  for (std::size_t k = 0; k + 1 < unique.size(); ++k) {
    if (unique[k].first >= screen.device_pixel_ratio) {
      winner = k;
      break;
    }
  }
  return unique[winner].second->url;
}

}  // namespace pageload::page
