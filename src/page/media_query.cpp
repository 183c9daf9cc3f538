#include "page/media_query.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace pageload::page {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_ident(const Token& t, std::string_view name) {
  return t.type == TokenType::kIdent && lower(t.value) == name;
}
bool is_delim(const Token& t, char c) { return t.type == TokenType::kDelim && t.value.size() == 1 && t.value[0] == c; }

// Deepest parenthesis nesting evaluated (MQ4 lets conditions nest; a hostile page could
// nest them thousands deep).
constexpr int kMaxDepth = 32;

enum class Cmp { kLt, kLe, kEq, kGe, kGt };

bool compare(double a, Cmp op, double b) {
  // Compare with a small tolerance so "(min-resolution: 1dppx)" is exact for 96dpi.
  const double eps = 1e-9 * std::max(1.0, std::abs(b));
  switch (op) {
    case Cmp::kLt: return a < b - eps;
    case Cmp::kLe: return a <= b + eps;
    case Cmp::kEq: return std::abs(a - b) <= eps;
    case Cmp::kGe: return a >= b - eps;
    case Cmp::kGt: return a > b + eps;
  }
  return false;
}

Cmp flip(Cmp op) {
  switch (op) {
    case Cmp::kLt: return Cmp::kGt;
    case Cmp::kLe: return Cmp::kGe;
    case Cmp::kGt: return Cmp::kLt;
    case Cmp::kGe: return Cmp::kLe;
    case Cmp::kEq: return Cmp::kEq;
  }
  return op;
}

class Evaluator {
 public:
  Evaluator(std::span<const Token> tokens, const Screen& screen) : t_(tokens), screen_(screen) {}

  // <media-query>: [not|only]? <media-type> [and <condition-without-or>]? | <condition>
  bool query(bool& ok) {
    if (at_end()) {
      ok = false;
      return false;
    }
    if (t_[i_].type == TokenType::kIdent) {
      std::string word = lower(t_[i_].value);
      bool negate = false;
      if (word == "not" || word == "only") {
        // "not (color)" is a condition; "not screen" a type.
        if (i_ + 1 < t_.size() && t_[i_ + 1].type == TokenType::kIdent) {
          negate = word == "not";
          ++i_;
          word = lower(t_[i_].value);
        } else if (word == "only") {
          ok = false;
          return false;
        } else {
          return condition(ok, 0, true);
        }
      }
      if (word == "and" || word == "or" || word == "not" || word == "only" || word == "layer") {
        ok = false;
        return false;
      }
      ++i_;
      bool type = word == "all" || word == "screen";
      bool result = type;
      if (!at_end()) {
        if (!is_ident(t_[i_], "and")) {
          ok = false;
          return false;
        }
        ++i_;
        bool cond = condition(ok, 0, false);
        result = type && cond;
      }
      return negate ? !result : result;
    }
    return condition(ok, 0, true);
  }

  // <media-condition>: not <in-parens> | <in-parens> [and|or <in-parens>]*
  bool condition(bool& ok, int depth, bool allow_or) {
    if (depth > kMaxDepth || at_end()) {
      ok = false;
      return false;
    }
    if (is_ident(t_[i_], "not")) {
      ++i_;
      return !in_parens(ok, depth);
    }
    bool result = in_parens(ok, depth);
    std::string joiner;
    while (ok && !at_end() && t_[i_].type == TokenType::kIdent) {
      std::string word = lower(t_[i_].value);
      if ((word != "and" && word != "or") || (!joiner.empty() && word != joiner) ||
          (word == "or" && !allow_or)) {
        ok = false;
        return false;
      }
      joiner = word;
      ++i_;
      bool next = in_parens(ok, depth);
      result = word == "and" ? (result && next) : (result || next);
    }
    return result;
  }

  bool at_end() const { return i_ >= t_.size(); }
  std::size_t index() const { return i_; }

 private:
  // ( condition ) | ( feature ) | general-enclosed (a function, or anything else in parens:
  // unknown, so false).
  bool in_parens(bool& ok, int depth) {
    if (at_end()) {
      ok = false;
      return false;
    }
    if (t_[i_].type == TokenType::kFunction) {
      skip_block(TokenType::kRightParen);
      return false;
    }
    if (t_[i_].type != TokenType::kLeftParen) {
      ok = false;
      return false;
    }
    std::size_t open = i_;
    std::size_t close = matching(open);
    if (close == t_.size()) {
      ok = false;
      return false;
    }
    std::span<const Token> inside = t_.subspan(open + 1, close - open - 1);
    i_ = close + 1;
    if (!inside.empty() && (inside[0].type == TokenType::kLeftParen || is_ident(inside[0], "not") ||
                            inside[0].type == TokenType::kFunction)) {
      Evaluator nested(inside, screen_);
      bool nested_ok = true;
      bool r = nested.condition(nested_ok, depth + 1, true);
      if (nested_ok && nested.at_end()) return r;
      return false;  // general-enclosed
    }
    return feature(inside);
  }

  std::size_t matching(std::size_t open) const {
    int level = 0;
    for (std::size_t k = open; k < t_.size(); ++k) {
      TokenType ty = t_[k].type;
      if (ty == TokenType::kLeftParen || ty == TokenType::kFunction) ++level;
      if (ty == TokenType::kRightParen && --level == 0) return k;
    }
    return t_.size();
  }

  void skip_block(TokenType) { i_ = std::min(matching(i_) + 1, t_.size()); }

  // The value of a feature for this screen, in the unit its values are compared in.
  std::optional<double> feature_value(const std::string& name) const {
    if (name == "width" || name == "device-width") return screen_.width;
    if (name == "height" || name == "device-height") return screen_.height;
    if (name == "aspect-ratio" || name == "device-aspect-ratio") return screen_.width / screen_.height;
    if (name == "resolution") return screen_.device_pixel_ratio;  // in dppx
    if (name == "-webkit-device-pixel-ratio") return screen_.device_pixel_ratio;
    if (name == "color") return 8;  // bits per colour component
    if (name == "color-index" || name == "monochrome" || name == "grid") return 0;
    return std::nullopt;
  }

  // A value token for feature `name`, in the feature's unit.
  std::optional<double> parse_value(const std::string& name, std::span<const Token> v) const {
    if (name == "aspect-ratio" || name == "device-aspect-ratio") {
      if (v.size() == 1 && v[0].type == TokenType::kNumber) return v[0].number;
      if (v.size() == 3 && v[0].type == TokenType::kNumber && is_delim(v[1], '/') &&
          v[2].type == TokenType::kNumber && v[2].number != 0)
        return v[0].number / v[2].number;
      return std::nullopt;
    }
    if (v.size() != 1) return std::nullopt;
    const Token& t = v[0];
    if (name == "resolution") {
      if (t.type != TokenType::kDimension) return std::nullopt;
      std::string unit = lower(t.value);
      if (unit == "dppx" || unit == "x") return t.number;
      if (unit == "dpi") return t.number / 96;
      if (unit == "dpcm") return t.number * 2.54 / 96;
      return std::nullopt;
    }
    if (name == "-webkit-device-pixel-ratio" || name == "color" || name == "color-index" ||
        name == "monochrome" || name == "grid") {
      if (t.type == TokenType::kNumber) return t.number;
      return std::nullopt;
    }
    return length_px(t, screen_);
  }

  // Discrete features with the value this screen has.
  std::optional<bool> discrete(const std::string& name, std::span<const Token> v) const {
    static const std::pair<std::string_view, std::string_view> kValues[] = {
        {"orientation", ""},  // computed below
        {"prefers-color-scheme", "light"},
        {"prefers-reduced-motion", "no-preference"},
        {"prefers-reduced-transparency", "no-preference"},
        {"prefers-contrast", "no-preference"},
        {"prefers-reduced-data", "no-preference"},
        {"forced-colors", "none"},
        {"inverted-colors", "none"},
        {"scripting", "enabled"},
        {"update", "fast"},
        {"display-mode", "browser"},
        {"color-gamut", "srgb"},
        {"dynamic-range", "standard"},
        {"video-dynamic-range", "standard"},
        {"overflow-block", "scroll"},
        {"overflow-inline", "scroll"},
        {"scan", "progressive"},
    };
    for (const auto& [feature, value] : kValues) {
      if (name != feature) continue;
      std::string have(value);
      if (name == "orientation") have = screen_.height >= screen_.width ? "portrait" : "landscape";
      if (v.empty()) {  // boolean context: true unless the value is "none"/"no-preference"
        return have != "none" && have != "no-preference";
      }
      if (v.size() != 1 || v[0].type != TokenType::kIdent) return std::nullopt;
      return lower(v[0].value) == have;
    }
    return std::nullopt;
  }

  bool feature(std::span<const Token> f) const {
    if (f.empty()) return false;
    // (name) | (name: value)
    if (f[0].type == TokenType::kIdent && (f.size() == 1 || f[1].type == TokenType::kColon)) {
      std::string name = lower(f[0].value);
      std::span<const Token> value = f.size() > 2 ? f.subspan(2) : std::span<const Token>();
      if (f.size() == 2) return false;  // "(width:)"
      if (auto d = discrete(name, value)) return *d;
      Cmp op = Cmp::kEq;
      if (name.starts_with("min-")) {
        op = Cmp::kGe;
        name = name.substr(4);
      } else if (name.starts_with("max-")) {
        op = Cmp::kLe;
        name = name.substr(4);
      } else if (name.starts_with("-webkit-min-")) {
        op = Cmp::kGe;
        name = "-webkit-" + name.substr(12);
      } else if (name.starts_with("-webkit-max-")) {
        op = Cmp::kLe;
        name = "-webkit-" + name.substr(12);
      }
      auto have = feature_value(name);
      if (!have) return false;
      if (value.empty()) return op == Cmp::kEq && *have != 0;  // boolean context
      auto want = parse_value(name, value);
      if (!want) return false;
      return compare(*have, op, *want);
    }
    return range(f);
  }

  // Range context: "width >= 600px", "600px < width", "400px <= width <= 700px".
  bool range(std::span<const Token> f) const {
    std::vector<std::span<const Token>> operands;
    std::vector<Cmp> ops;
    std::size_t start = 0;
    for (std::size_t k = 0; k < f.size(); ++k) {
      if (f[k].type != TokenType::kDelim) continue;
      char c = f[k].value.empty() ? 0 : f[k].value[0];
      if (c != '<' && c != '>' && c != '=') continue;
      bool eq = k + 1 < f.size() && is_delim(f[k + 1], '=') && c != '=';
      Cmp op = c == '=' ? Cmp::kEq : c == '<' ? (eq ? Cmp::kLe : Cmp::kLt) : (eq ? Cmp::kGe : Cmp::kGt);
      operands.push_back(f.subspan(start, k - start));
      ops.push_back(op);
      k += eq ? 1 : 0;
      start = k + 1;
    }
    operands.push_back(f.subspan(start));
    if (ops.empty() || ops.size() > 2) return false;
    auto name_of = [](std::span<const Token> s) -> std::string {
      return s.size() == 1 && s[0].type == TokenType::kIdent ? lower(s[0].value) : std::string();
    };
    if (ops.size() == 1) {
      std::string name = name_of(operands[0]);
      Cmp op = ops[0];
      std::span<const Token> value = operands[1];
      if (name.empty()) {
        name = name_of(operands[1]);
        op = flip(op);
        value = operands[0];
      }
      auto have = feature_value(name);
      auto want = have ? parse_value(name, value) : std::nullopt;
      return have && want && compare(*have, op, *want);
    }
    std::string name = name_of(operands[1]);
    auto have = feature_value(name);
    if (!have) return false;
    auto low = parse_value(name, operands[0]);
    auto high = parse_value(name, operands[2]);
    return low && high && compare(*have, flip(ops[0]), *low) && compare(*have, ops[1], *high);
  }

  std::span<const Token> t_;
  const Screen& screen_;
  std::size_t i_ = 0;
};

}  // namespace

std::vector<Token> significant_tokens(std::string_view text, std::size_t max_bytes) {
  std::vector<Token> out;
  if (text.size() > max_bytes) return out;
  Tokenizer tok(text);
  for (Token t = tok.next(); t.type != TokenType::kEof; t = tok.next())
    if (t.type != TokenType::kWhitespace) out.push_back(std::move(t));
  return out;
}

std::optional<double> length_px(const Token& t, const Screen& screen) {
  if (t.type == TokenType::kNumber && t.number == 0) return 0.0;
  if (t.type != TokenType::kDimension) return std::nullopt;
  std::string unit = lower(t.value);
  double n = t.number;
  if (unit == "px") return n;
  if (unit == "em" || unit == "rem") return n * 16;
  if (unit == "ex" || unit == "ch") return n * 8;  // Chromium's fallback: half an em
  if (unit == "vw") return n * screen.width / 100;
  if (unit == "vh") return n * screen.height / 100;
  if (unit == "vmin") return n * std::min(screen.width, screen.height) / 100;
  if (unit == "vmax") return n * std::max(screen.width, screen.height) / 100;
  if (unit == "in") return n * 96;
  if (unit == "cm") return n * 96 / 2.54;
  if (unit == "mm") return n * 96 / 25.4;
  if (unit == "q") return n * 96 / 101.6;
  if (unit == "pt") return n * 96 / 72;
  if (unit == "pc") return n * 16;
  return std::nullopt;
}

bool media_matches(std::span<const Token> tokens, const Screen& screen) {
  if (tokens.empty()) return true;
  // Split at top-level commas; any query that matches is enough.
  std::size_t start = 0;
  int level = 0;
  for (std::size_t k = 0; k <= tokens.size(); ++k) {
    if (k < tokens.size()) {
      TokenType ty = tokens[k].type;
      if (ty == TokenType::kLeftParen || ty == TokenType::kFunction) ++level;
      if (ty == TokenType::kRightParen && level > 0) --level;
      if (ty != TokenType::kComma || level > 0) continue;
    }
    Evaluator e(tokens.subspan(start, k - start), screen);
    bool ok = true;
    bool r = e.query(ok);
    if (ok && e.at_end() && r) return true;
    start = k + 1;
  }
  return false;
}

bool media_matches(std::string_view query_list, const Screen& screen) {
  if (query_list.size() > kMaxMediaTextBytes) return false;
  std::vector<Token> tokens = significant_tokens(query_list, kMaxMediaTextBytes);
  return media_matches(tokens, screen);
}

bool media_condition_matches(std::span<const Token> condition, const Screen& screen, bool& ok) {
  Evaluator e(condition, screen);
  ok = true;
  bool r = e.condition(ok, 0, true);
  if (!e.at_end()) ok = false;
  return ok && r;
}

}  // namespace pageload::page
