#include "page/css_values.h"

namespace pageload::page {
namespace {

// Nested (), [] and {} tracked exactly; deeper ones only counted.
constexpr std::size_t kMaxBracketDepth = 256;

// Image types Chromium decodes (MIMETypeRegistry::IsSupportedImageMIMEType).
constexpr std::string_view kImageTypes[] = {
    "image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/apng", "image/gif",
    "image/webp", "image/avif", "image/bmp", "image/x-ms-bmp", "image/svg+xml",
    "image/vnd.microsoft.icon", "image/x-icon", "image/x-xbitmap"};

TokenType closer_for(TokenType t) {
  switch (t) {
    case TokenType::kLeftParen:
    case TokenType::kFunction: return TokenType::kRightParen;
    case TokenType::kLeftBracket: return TokenType::kRightBracket;
    case TokenType::kLeftBrace: return TokenType::kRightBrace;
    default: return TokenType::kEof;
  }
}

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_delim(const Token& t, char c) {
  return t.type == TokenType::kDelim && t.value.size() == 1 && t.value[0] == c;
}

bool is_bold_weight(const Token& t) {
  if (t.type == TokenType::kNumber) return t.number >= 600;
  if (t.type != TokenType::kIdent) return false;
  std::string w = ascii_lower(t.value);
  return w == "bold" || w == "bolder";
}

std::size_t Nesting::step(const Token& t) {
  std::size_t before = depth();
  TokenType closer = closer_for(t.type);
  if (closer != TokenType::kEof) {
    if (stack_.size() < kMaxBracketDepth) stack_.push_back(closer);
    else ++overflow_;
  } else if (!stack_.empty() && overflow_ == 0 && t.type == stack_.back()) {
    stack_.pop_back();
  } else if (overflow_ > 0 && (t.type == TokenType::kRightParen || t.type == TokenType::kRightBracket ||
                               t.type == TokenType::kRightBrace)) {
    --overflow_;
  }
  return before;
}

std::vector<Token> strip_whitespace(std::span<const Token> in) {
  std::vector<Token> out;
  for (const auto& t : in)
    if (t.type != TokenType::kWhitespace) out.push_back(t);
  return out;
}

std::span<const Token> trim_whitespace(std::span<const Token> v) {
  while (!v.empty() && v.front().type == TokenType::kWhitespace) v = v.subspan(1);
  while (!v.empty() && v.back().type == TokenType::kWhitespace) v = v.first(v.size() - 1);
  return v;
}

// Index just past the function or block opened at `open`.
std::size_t after_block(std::span<const Token> v, std::size_t open) {
  Nesting n;
  for (std::size_t k = open; k < v.size(); ++k) {
    n.step(v[k]);
    if (n.depth() == 0) return k + 1;
  }
  return v.size();
}

// The URL of a url token or a url("...")/src("...") function at `k`; nullopt otherwise.
std::optional<std::string> url_at(std::span<const Token> v, std::size_t k) {
  if (v[k].type == TokenType::kUrl) return v[k].value;
  if (v[k].type == TokenType::kFunction) {
    std::string name = ascii_lower(v[k].value);
    if (name != "url" && name != "src") return std::nullopt;
    for (std::size_t j = k + 1; j < v.size(); ++j) {
      if (v[j].type == TokenType::kWhitespace) continue;
      if (v[j].type == TokenType::kString) return v[j].value;
      break;
    }
  }
  return std::nullopt;
}

// image-set(): the option Chromium picks (CSSImageSetValue: options of a supported type
// sorted by resolution, the first at least the device pixel ratio, else the last).
static std::optional<std::string> pick_image_set(std::span<const Token> args, const Screen& screen) {
  struct Option {
    std::string url;
    double x = 1;
  };
  std::vector<Option> options;
  std::size_t start = 0;
  Nesting n;
  for (std::size_t k = 0; k <= args.size(); ++k) {
    if (k < args.size()) {
      std::size_t level = n.step(args[k]);
      if (args[k].type != TokenType::kComma || level != 0) continue;
    }
    std::span<const Token> opt = args.subspan(start, k - start);
    start = k + 1;
    Option o;
    bool have_url = false, supported = true;
    for (std::size_t j = 0; j < opt.size(); ++j) {
      const Token& t = opt[j];
      if (!have_url && t.type == TokenType::kString) {
        o.url = t.value;
        have_url = true;
      } else if (auto u = have_url ? std::nullopt : url_at(opt, j)) {
        o.url = *u;
        have_url = true;
        if (t.type == TokenType::kFunction) j = after_block(opt, j) - 1;
      } else if (t.type == TokenType::kDimension) {
        std::string unit = ascii_lower(t.value);
        if (unit == "x" || unit == "dppx") o.x = t.number;
        else if (unit == "dpi") o.x = t.number / 96;
        else if (unit == "dpcm") o.x = t.number * 2.54 / 96;
      } else if (t.type == TokenType::kFunction && ascii_lower(t.value) == "type") {
        std::size_t end = after_block(opt, j);
        for (std::size_t q = j + 1; q < end; ++q)
          if (opt[q].type == TokenType::kString) supported = in(kImageTypes, ascii_lower(opt[q].value));
        j = end - 1;
      } else if (t.type == TokenType::kFunction) {
        j = after_block(opt, j) - 1;  // a gradient: no URL to fetch
      }
    }
    if (have_url && supported) options.push_back(std::move(o));
  }
  if (options.empty()) return std::nullopt;
  std::stable_sort(options.begin(), options.end(), [](const Option& a, const Option& b) { return a.x < b.x; });
  for (const auto& o : options)
    if (o.x >= screen.device_pixel_ratio) return o.url;
  return options.back().url;
}

void collect_urls(std::span<const Token> value, const std::string& property, const Screen& screen,
                  std::vector<CssUrl>& out) {
  for (std::size_t k = 0; k < value.size(); ++k) {
    const Token& t = value[k];
    if (t.type == TokenType::kFunction) {
      std::string name = ascii_lower(t.value);
      if (name == "image-set" || name == "-webkit-image-set") {
        std::size_t end = after_block(value, k);
        std::size_t inner_end = end > k + 1 ? end - 1 : k + 1;
        if (auto u = pick_image_set(value.subspan(k + 1, inner_end - (k + 1)), screen))
          out.push_back({*u, property});
        k = end - 1;
        continue;
      }
    }
    if (auto u = url_at(value, k)) {
      out.push_back({*u, property});
      if (t.type == TokenType::kFunction) k = after_block(value, k) - 1;
    }
  }
}

// The `font` shorthand's family list: what follows the size (and "/ line-height").
std::vector<std::string> font_shorthand_families(std::span<const Token> value) {
  static constexpr std::string_view kSizeWords[] = {"xx-small", "x-small", "small", "medium", "large",
                                                    "x-large", "xx-large", "xxx-large", "larger", "smaller"};
  std::vector<Token> v = strip_whitespace(value);
  std::size_t size_at = v.size();
  for (std::size_t k = 0; k < v.size(); ++k) {
    const Token& t = v[k];
    if (t.type == TokenType::kComma || t.type == TokenType::kString) break;
    bool size = t.type == TokenType::kDimension || t.type == TokenType::kPercentage ||
                (t.type == TokenType::kIdent && in(kSizeWords, ascii_lower(t.value))) ||
                (t.type == TokenType::kFunction);  // calc()
    if (!size) continue;
    size_at = t.type == TokenType::kFunction ? after_block(v, k) - 1 : k;
    if (size_at + 1 < v.size() && is_delim(v[size_at + 1], '/')) size_at += 2;  // line-height
    if (size_at < v.size() && v[size_at].type == TokenType::kFunction) size_at = after_block(v, size_at) - 1;
    break;
  }
  if (size_at >= v.size()) return {};
  // Re-tokenised families keep their white space for multi-word names: take from value.
  std::size_t seen = 0, from = value.size();
  for (std::size_t k = 0; k < value.size(); ++k) {
    if (value[k].type == TokenType::kWhitespace) continue;
    if (seen++ == size_at) {
      from = k + 1;
      break;
    }
  }
  return parse_font_family(value.subspan(from));
}

bool is_generic_family(std::string_view name) {
  static constexpr std::string_view kGeneric[] = {
      "serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-serif",
      "ui-sans-serif", "ui-monospace", "ui-rounded", "math", "emoji", "fangsong",
      "-webkit-body", "-apple-system", "blinkmacsystemfont", "-webkit-standard"};
  return in(kGeneric, name);
}

std::vector<std::string> parse_font_family(std::span<const Token> value) {
  std::vector<std::string> out;
  std::string current;
  bool valid = true;
  auto flush = [&] {
    if (valid && !current.empty()) out.push_back(current);
    current.clear();
    valid = true;
  };
  for (const auto& t : value) {
    if (t.type == TokenType::kComma) {
      flush();
    } else if (t.type == TokenType::kString) {
      if (!current.empty()) valid = false;
      current = ascii_lower(t.value);
    } else if (t.type == TokenType::kIdent) {
      std::string word = ascii_lower(t.value);
      if (word == "inherit" || word == "initial" || word == "unset" || word == "revert" ||
          word == "revert-layer")
        return {};
      current += (current.empty() ? "" : " ") + word;
    } else if (t.type != TokenType::kWhitespace) {
      valid = false;  // var(), numbers: not a family name we can read
    }
  }
  flush();
  return out;
}

}  // namespace pageload::page
