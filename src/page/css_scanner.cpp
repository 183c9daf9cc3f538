#include "page/css_scanner.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "page/css_values.h"

namespace pageload::page {
namespace {

// Tokens kept of one prelude or declaration; the rest of a hostile one is read and dropped.
constexpr std::size_t kMaxItemTokens = 4096;
// Bytes of a selector kept for display.
constexpr std::size_t kMaxSelectorText = 200;

// Properties whose url()s Chromium loads as images when the rule applies (Chromium's
// CSSProperty list of image-valued properties; a url() in any other property, or in a
// custom property, is not fetched for itself).
constexpr std::string_view kImageProperties[] = {
    "background", "background-image", "list-style", "list-style-image", "border-image",
    "border-image-source", "-webkit-border-image", "content", "cursor", "mask", "mask-image",
    "-webkit-mask", "-webkit-mask-image", "-webkit-mask-box-image",
    "-webkit-mask-box-image-source", "mask-border", "mask-border-source", "shape-outside"};

// @font-face src formats Chromium supports (FontCustomPlatformData::SupportsFormat).
constexpr std::string_view kFontFormats[] = {
    "woff", "woff2", "truetype", "opentype", "collection", "woff-variations",
    "woff2-variations", "truetype-variations", "opentype-variations"};
constexpr std::string_view kFontTechs[] = {"variations", "features-opentype", "color-colrv0",
                                           "color-colrv1", "color-cbdt", "color-sbix", "palettes",
                                           "incremental"};

class Stream {
 public:
  explicit Stream(std::string_view css) : tok_(css) {}
  const Token& peek() {
    if (!has_) {
      start_ = tok_.position();
      cur_ = tok_.next();
      has_ = true;
    }
    return cur_;
  }
  Token take() {
    peek();
    has_ = false;
    return std::move(cur_);
  }
  // Where the peeked token (or the next one) starts, comments before it included.
  std::size_t start() {
    peek();
    return start_;
  }

 private:
  Tokenizer tok_;
  Token cur_;
  bool has_ = false;
  std::size_t start_ = 0;
};

std::string clip(std::string text) {
  if (text.size() > kMaxSelectorText) {
    text.resize(kMaxSelectorText);
    text += "...";
  }
  return text;
}

class Scanner {
 public:
  Scanner(std::string_view css, const Screen& screen, const CssLimits& limits, SheetSummary& out)
      : css_(css), s_(css), screen_(screen), limits_(limits), out_(out) {}

  void rule_list(bool top, int depth) {
    while (true) {
      const Token& t = s_.peek();
      switch (t.type) {
        case TokenType::kEof: return;
        case TokenType::kRightBrace:
          s_.take();
          if (!top) return;
          break;
        case TokenType::kWhitespace:
        case TokenType::kCdo:
        case TokenType::kCdc:
        case TokenType::kSemicolon:
          s_.take();
          break;
        case TokenType::kAtKeyword: at_rule(top, depth); break;
        default: qualified_rule(depth); break;
      }
    }
  }

 private:
  enum class End { kSemicolon, kBlock, kCloseBrace, kEof };

  // Component values up to a top-level ';' (consumed, if `semicolon_ends`), '{' (consumed)
  // or '}' (left, when `nested`), or the end.
  End item(std::vector<Token>& out, bool semicolon_ends, bool nested, bool* overflow = nullptr) {
    Nesting n;
    while (true) {
      const Token& t = s_.peek();
      if (t.type == TokenType::kEof) return End::kEof;
      if (n.depth() == 0) {
        if (t.type == TokenType::kSemicolon && semicolon_ends) {
          s_.take();
          return End::kSemicolon;
        }
        if (t.type == TokenType::kLeftBrace) {
          s_.take();
          return End::kBlock;
        }
        if (t.type == TokenType::kRightBrace && nested) return End::kCloseBrace;
      }
      Token tok = s_.take();
      n.step(tok);
      if (out.size() < kMaxItemTokens) out.push_back(std::move(tok));
      else if (overflow) *overflow = true;
    }
  }

  // After a '{': consumes up to its matching '}'.
  void skip_block() {
    Nesting n;
    while (true) {
      Token t = s_.take();
      if (t.type == TokenType::kEof) return;
      if (n.depth() == 0 && t.type == TokenType::kRightBrace) return;
      n.step(t);
    }
  }

  void at_rule(bool top, int depth) {
    std::string name = ascii_lower(s_.take().value);
    std::vector<Token> prelude;
    End end = item(prelude, true, !top);
    bool block = end == End::kBlock;
    if (name == "charset" || (name == "layer" && !block)) {
      if (block) skip_block();
      return;
    }
    if (name == "import") {
      if (block) skip_block();
      else if (top && imports_allowed_) import(prelude);
      return;
    }
    imports_allowed_ = false;
    if (!block) return;
    if (depth >= limits_.max_nesting) {
      note_once("blocks nested deeper than " + std::to_string(limits_.max_nesting) + " skipped");
      skip_block();
      return;
    }
    if (name == "media") {
      if (media_matches(strip_whitespace(prelude), screen_)) rule_list(false, depth + 1);
      else skip_block();
    } else if (name == "supports" || name == "layer" || name == "container" || name == "scope" ||
               name == "starting-style" || name == "document" || name == "-moz-document") {
      rule_list(false, depth + 1);  // conditions not evaluated: taken as true
    } else if (name == "font-face") {
      font_face();
    } else {
      skip_block();  // @keyframes, @page, @property, ...: nothing a page load fetches
    }
  }

  // @import url("a.css") [layer|layer(x)] [supports(...)] [media]
  void import(const std::vector<Token>& prelude) {
    std::span<const Token> v = trim_whitespace(prelude);
    if (v.empty()) return;
    std::string url;
    std::size_t k = 0;
    if (v[0].type == TokenType::kString) {
      url = v[0].value;
      k = 1;
    } else if (auto u = url_at(v, 0)) {
      url = *u;
      k = v[0].type == TokenType::kFunction ? after_block(v, 0) : 1;
    } else {
      return;
    }
    std::vector<Token> rest;
    for (; k < v.size(); ++k) {
      const Token& t = v[k];
      if (t.type == TokenType::kFunction && (ascii_lower(t.value) == "layer" || ascii_lower(t.value) == "supports")) {
        k = after_block(v, k) - 1;
        continue;
      }
      if (t.type == TokenType::kIdent && ascii_lower(t.value) == "layer" && rest.empty()) continue;
      if (t.type != TokenType::kWhitespace) rest.push_back(t);
    }
    out_.imports.push_back({url, media_matches(rest, screen_)});
  }

  void qualified_rule(int depth) {
    imports_allowed_ = false;
    std::size_t start = s_.start();
    std::vector<Token> prelude;
    bool overflow = false;
    std::size_t end_pos = 0;
    End end = item_until_block(prelude, overflow, end_pos, false);
    if (end != End::kBlock) return;  // no block: dropped
    auto selectors = overflow ? std::nullopt : parse_selector_list(prelude);
    if (!selectors || depth >= limits_.max_nesting) {  // an invalid selector drops the rule
      skip_block();
      return;
    }
    StyleRule rule;
    rule.selector_text = selector_text(start, end_pos);
    rule.selectors = std::move(*selectors);
    style_block(rule, depth + 1);
    add(std::move(rule));
  }

 public:
  // A style="" attribute: a list of declarations up to the end (a stray '}' ends nothing).
  void inline_declarations(StyleRule& rule) {
    while (s_.peek().type != TokenType::kEof) style_block(rule, 1);
  }

 private:
  // A qualified rule's prelude: up to '{' (consumed), or a '}' when nested.
  End item_until_block(std::vector<Token>& out, bool& overflow, std::size_t& end_pos, bool nested) {
    Nesting n;
    while (true) {
      const Token& t = s_.peek();
      if (t.type == TokenType::kEof) return End::kEof;
      if (n.depth() == 0 && t.type == TokenType::kLeftBrace) {
        end_pos = s_.start();
        s_.take();
        return End::kBlock;
      }
      if (n.depth() == 0 && t.type == TokenType::kRightBrace && nested) return End::kCloseBrace;
      Token tok = s_.take();
      n.step(tok);
      if (out.size() < kMaxItemTokens) out.push_back(std::move(tok));
      else overflow = true;
    }
  }

  std::string selector_text(std::size_t start, std::size_t end) const {
    std::string out;
    if (end < start) return out;
    std::string_view raw = css_.substr(start, end - start);
    for (char c : raw) {
      bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
      if (space) {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else {
        out += c;
      }
      if (out.size() >= kMaxSelectorText) {
        out += "...";
        break;
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }

  // A style rule's block, after its '{': declarations, nested at-rules and nested rules.
  void style_block(StyleRule& rule, int depth) {
    while (true) {
      const Token& t = s_.peek();
      if (t.type == TokenType::kEof) return;
      if (t.type == TokenType::kRightBrace) {
        s_.take();
        return;
      }
      if (t.type == TokenType::kWhitespace || t.type == TokenType::kSemicolon) {
        s_.take();
        continue;
      }
      if (t.type == TokenType::kAtKeyword) {
        std::string name = ascii_lower(s_.take().value);
        std::vector<Token> prelude;
        if (item(prelude, true, true) != End::kBlock) continue;
        bool applies = name == "media" ? media_matches(strip_whitespace(prelude), screen_)
                                       : (name == "supports" || name == "layer" || name == "container" ||
                                          name == "scope" || name == "starting-style");
        if (applies && depth < limits_.max_nesting) style_block(rule, depth + 1);
        else skip_block();
        continue;
      }
      std::size_t start = s_.start();
      std::vector<Token> tokens;
      bool overflow = false;
      End end = declaration_or_rule(tokens, overflow);
      if (end == End::kBlock) {
        // CSS Nesting: a rule inside a rule. Matched as its parent (a superset: the nested
        // rule's elements all lie where the parent matches, or are the parent's own).
        StyleRule child;
        child.selector_text = clip(rule.selector_text + " " + selector_text(start, nested_end_));
        if (depth >= limits_.max_nesting) {
          skip_block();
          continue;
        }
        child.selectors = rule.selectors;
        for (auto& sel : child.selectors.selectors) sel.approximations.push_back("a nested rule");
        style_block(child, depth + 1);
        add(std::move(child));
        continue;
      }
      declaration(tokens, rule);
    }
  }

  // One item of a style block: up to ';' (consumed), '}' (left) or '{' (a nested rule).
  End declaration_or_rule(std::vector<Token>& out, bool& overflow) {
    Nesting n;
    while (true) {
      const Token& t = s_.peek();
      if (t.type == TokenType::kEof) return End::kEof;
      if (n.depth() == 0) {
        if (t.type == TokenType::kSemicolon) {
          s_.take();
          return End::kSemicolon;
        }
        if (t.type == TokenType::kRightBrace) return End::kCloseBrace;
        if (t.type == TokenType::kLeftBrace) {
          nested_end_ = s_.start();
          s_.take();
          return End::kBlock;
        }
      }
      Token tok = s_.take();
      n.step(tok);
      if (out.size() < kMaxItemTokens) out.push_back(std::move(tok));
      else overflow = true;
    }
  }

  void declaration(const std::vector<Token>& tokens, StyleRule& rule) {
    std::span<const Token> v = trim_whitespace(tokens);
    if (v.empty() || v[0].type != TokenType::kIdent) return;
    std::string name = ascii_lower(v[0].value);
    std::size_t k = 1;
    while (k < v.size() && v[k].type == TokenType::kWhitespace) ++k;
    if (k >= v.size() || v[k].type != TokenType::kColon) return;
    std::span<const Token> value = trim_whitespace(v.subspan(k + 1));
    if (v[0].value.starts_with("--")) {  // a custom property: its url()s load only through var()
      std::vector<CssUrl> urls;
      collect_urls(value, v[0].value, screen_, urls);
      if (!urls.empty()) rule.custom_urls.emplace_back(v[0].value, std::move(urls));
      return;
    }
    if (in(kImageProperties, name)) {
      collect_urls(value, name, screen_, rule.urls);
      for (std::size_t j = 0; j + 1 < value.size(); ++j) {
        if (value[j].type != TokenType::kFunction || ascii_lower(value[j].value) != "var") continue;
        std::size_t q = j + 1;
        while (q < value.size() && value[q].type == TokenType::kWhitespace) ++q;
        if (q < value.size() && value[q].type == TokenType::kIdent && value[q].value.starts_with("--"))
          rule.var_images.push_back(value[q].value);
      }
    }
    if (name == "font-family") {
      auto families = parse_font_family(value);
      if (!families.empty()) rule.font_lists.push_back(std::move(families));
    } else if (name == "font") {
      auto families = font_shorthand_families(value);
      if (!families.empty()) rule.font_lists.push_back(std::move(families));
      // Weight and style come before the size: any bold or italic word or weight there.
      for (const auto& t : value) {
        if (t.type == TokenType::kDimension || t.type == TokenType::kPercentage || t.type == TokenType::kComma) break;
        if (is_bold_weight(t)) rule.bold = true;
        if (t.type == TokenType::kIdent && (ascii_lower(t.value) == "italic" || ascii_lower(t.value) == "oblique")) rule.italic = true;
      }
    } else if (name == "font-weight") {
      for (const auto& t : value) rule.bold = rule.bold || is_bold_weight(t);
    } else if (name == "font-style") {
      for (const auto& t : value)
        if (t.type == TokenType::kIdent && (ascii_lower(t.value) == "italic" || ascii_lower(t.value) == "oblique")) rule.italic = true;
    }
  }



  void font_face() {
    FontFaceRule face;
    std::vector<Token> src;
    while (true) {
      const Token& t = s_.peek();
      if (t.type == TokenType::kEof) break;
      if (t.type == TokenType::kRightBrace) {
        s_.take();
        break;
      }
      std::vector<Token> tokens;
      bool overflow = false;
      std::size_t begin = s_.start();
      if (declaration_or_rule(tokens, overflow) == End::kBlock) {
        skip_block();
        continue;
      }
      // unicode-range is read from the text: its tokens ("U+1E00" is an ident and a
      // number 1e00) lose the digits (CSS Syntax 3 §7.1).
      std::string_view raw = css_.substr(begin, s_.start() - begin);
      std::span<const Token> v = trim_whitespace(tokens);
      if (v.empty() || v[0].type != TokenType::kIdent) {
        if (s_.peek().type == TokenType::kSemicolon) s_.take();
        continue;
      }
      std::string name = ascii_lower(v[0].value);
      std::size_t k = 1;
      while (k < v.size() && v[k].type == TokenType::kWhitespace) ++k;
      if (k >= v.size() || v[k].type != TokenType::kColon) continue;
      std::span<const Token> value = trim_whitespace(v.subspan(k + 1));
      if (name == "font-family") {
        std::vector<Token> parts = strip_whitespace(value);
        if (parts.size() == 1 && parts[0].type == TokenType::kString) {
          face.family = parts[0].value;
        } else {
          std::string family;
          for (const auto& p : parts) {
            if (p.type != TokenType::kIdent) {
              family.clear();
              break;
            }
            family += (family.empty() ? "" : " ") + p.value;
          }
          face.family = family;
        }
      } else if (name == "src") {
        src.assign(value.begin(), value.end());
      } else if (name == "unicode-range") {
        std::size_t colon = raw.find(':');
        std::string_view text = colon == std::string_view::npos ? std::string_view() : raw.substr(colon + 1);
        while (!text.empty() && (text.back() == ';' || text.back() == '}')) text.remove_suffix(1);
        auto ranges = parse_unicode_range(text);
        face.ranges = ranges ? std::move(*ranges) : std::vector<UnicodeRange>{};
        if (!ranges) face.note = face.note.empty() ? "invalid unicode-range ignored" : face.note;
      } else if (name == "font-weight") {
        std::vector<double> weights;
        for (const auto& t : strip_whitespace(value)) {
          if (t.type == TokenType::kNumber) weights.push_back(t.number);
          else if (t.type == TokenType::kIdent && ascii_lower(t.value) == "bold") weights.push_back(700);
          else if (t.type == TokenType::kIdent && ascii_lower(t.value) == "normal") weights.push_back(400);
        }
        if (!weights.empty()) {
          face.weight_min = std::min(weights.front(), weights.back());
          face.weight_max = std::max(weights.front(), weights.back());
        }
      } else if (name == "font-style") {
        std::vector<Token> parts = strip_whitespace(value);
        if (!parts.empty() && parts[0].type == TokenType::kIdent) {
          std::string st = ascii_lower(parts[0].value);
          face.style = st == "italic" ? FontStyle::kItalic : st == "oblique" ? FontStyle::kOblique : FontStyle::kNormal;
        }
      }
    }
    if (face.family.empty()) return;
    pick_font_source(src, face);
    out_.font_faces.push_back(std::move(face));
  }

  // The first src entry in a supported format (Chromium's CSSFontFace tries them in order
  // and fetches the first it can use; later ones only if that one fails). local() entries
  // are skipped: whether a font is installed is not known here.
  void pick_font_source(std::span<const Token> src, FontFaceRule& face) {
    std::size_t start = 0;
    Nesting n;
    bool saw_local = false;
    for (std::size_t k = 0; k <= src.size(); ++k) {
      if (k < src.size()) {
        std::size_t level = n.step(src[k]);
        if (src[k].type != TokenType::kComma || level != 0) continue;
      }
      std::span<const Token> entry = trim_whitespace(src.subspan(start, k - start));
      start = k + 1;
      if (entry.empty()) continue;
      if (entry[0].type == TokenType::kFunction && ascii_lower(entry[0].value) == "local") {
        saw_local = true;
        continue;
      }
      auto url = url_at(entry, 0);
      if (!url || url->empty()) continue;
      bool supported = true;
      for (std::size_t j = 1; j < entry.size(); ++j) {
        if (entry[j].type != TokenType::kFunction) continue;
        std::string fn = ascii_lower(entry[j].value);
        std::size_t end = after_block(entry, j);
        std::vector<Token> args = strip_whitespace(entry.subspan(j + 1, end > j + 1 ? end - j - 2 : 0));
        if (fn == "format") {
          bool any = false;
          for (const auto& a : args)
            if ((a.type == TokenType::kString || a.type == TokenType::kIdent) && in(kFontFormats, ascii_lower(a.value)))
              any = true;
          supported = supported && any;
        } else if (fn == "tech") {
          for (const auto& a : args)
            if (a.type == TokenType::kIdent && !in(kFontTechs, ascii_lower(a.value))) supported = false;
        }
        j = end - 1;
      }
      if (!supported) continue;
      face.url = *url;
      if (saw_local) face.note = "local() sources before it taken as not installed";
      return;
    }
  }

  void add(StyleRule rule) {
    if (rule.urls.empty() && rule.font_lists.empty() && !rule.bold && !rule.italic && rule.custom_urls.empty() &&
        rule.var_images.empty())
      return;
    if (out_.rules.size() >= limits_.max_rules) {
      note_once("only the first " + std::to_string(limits_.max_rules) + " rules with url() or fonts kept");
      return;
    }
    out_.rules.push_back(std::move(rule));
  }

  void note_once(const std::string& note) {
    if (std::find(out_.notes.begin(), out_.notes.end(), note) == out_.notes.end()) out_.notes.push_back(note);
  }

  std::string_view css_;
  Stream s_;
  const Screen& screen_;
  const CssLimits& limits_;
  SheetSummary& out_;
  bool imports_allowed_ = true;
  std::size_t nested_end_ = 0;
};

}  // namespace

SheetSummary scan_stylesheet(std::string_view css, const Screen& screen, const CssLimits& limits) {
  SheetSummary out;
  if (css.size() > limits.max_bytes) {
    out.notes.push_back("stylesheet parsed up to " + std::to_string(limits.max_bytes) + " of its " +
                        std::to_string(css.size()) + " bytes");
    css = css.substr(0, limits.max_bytes);
  }
  Scanner(css, screen, limits, out).rule_list(true, 0);
  return out;
}

std::optional<std::vector<UnicodeRange>> parse_unicode_range(std::string_view text) {
  std::vector<UnicodeRange> out;
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size()) {
      char c = text[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++i;
      } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
        std::size_t end = text.find("*/", i + 2);
        i = end == std::string_view::npos ? text.size() : end + 2;
      } else {
        return;
      }
    }
  };
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  // Up to 6 hex digits (then '?'s when `wild`, 6 in all); false when none or more than 6.
  auto number = [&](bool wild, std::uint32_t& low, std::uint32_t& high) {
    std::size_t digits = 0, marks = 0;
    low = high = 0;
    while (i < text.size() && hex(text[i]) >= 0 && marks == 0) {
      low = low * 16 + static_cast<std::uint32_t>(hex(text[i]));
      high = high * 16 + static_cast<std::uint32_t>(hex(text[i]));
      ++digits, ++i;
      if (digits > 6) return false;
    }
    while (wild && i < text.size() && text[i] == '?') {
      low = low * 16;
      high = high * 16 + 15;
      ++marks, ++i;
      if (digits + marks > 6) return false;
    }
    return digits + marks > 0 && !(i < text.size() && hex(text[i]) >= 0);
  };
  while (true) {
    skip_space();
    if (i + 1 >= text.size() || (text[i] != 'u' && text[i] != 'U') || text[i + 1] != '+') return std::nullopt;
    i += 2;
    std::uint32_t first = 0, last = 0;
    if (!number(true, first, last)) return std::nullopt;
    bool wild = text[i - 1] == '?';
    if (!wild && i < text.size() && text[i] == '-') {
      ++i;
      std::uint32_t unused = 0;
      if (!number(false, last, unused)) return std::nullopt;
    }
    if (last > 0x10FFFF || first > last) return std::nullopt;
    out.push_back({static_cast<char32_t>(first), static_cast<char32_t>(last)});
    skip_space();
    if (i >= text.size()) return out;
    if (text[i] != ',') return std::nullopt;
    ++i;
  }
}

StyleRule scan_inline_style(std::string_view declarations, const Screen& screen) {
  CssLimits limits;
  SheetSummary unused;
  StyleRule rule;
  Scanner(declarations, screen, limits, unused).inline_declarations(rule);
  return rule;
}

}  // namespace pageload::page
