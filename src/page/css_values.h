// CSS component values: the helpers the stylesheet scanner uses to read what a
// declaration names (url()s, image-set() choices, font-family lists) from its tokens.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "page/css_scanner.h"
#include "page/css_tokenizer.h"
#include "page/media_query.h"

namespace pageload::page {

std::string ascii_lower(std::string_view s);
bool is_delim(const Token& t, char c);

template <typename List>
bool in(const List& list, std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

// Tracks nesting of (), [], {} and functions, per CSS Syntax's simple blocks: a closer
// that does not close the innermost block is an ordinary token.
class Nesting {
 public:
  // Updates for `t`; returns the depth before it (0: `t` is at the top level).
  std::size_t step(const Token& t);
  std::size_t depth() const { return stack_.size() + overflow_; }

 private:
  std::vector<TokenType> stack_;
  std::size_t overflow_ = 0;
};

std::vector<Token> strip_whitespace(std::span<const Token> in);
std::span<const Token> trim_whitespace(std::span<const Token> v);
// Index just past the function or block opened at `open`.
std::size_t after_block(std::span<const Token> v, std::size_t open);
// The URL of a url token or a url("...")/src("...") function at `k`; nullopt otherwise.
std::optional<std::string> url_at(std::span<const Token> v, std::size_t k);
// The url()s a value of an image property loads, image-set() resolved for the screen.
void collect_urls(std::span<const Token> value, const std::string& property, const Screen& screen,
                  std::vector<CssUrl>& out);
// The `font` shorthand's family list: what follows the size (and "/ line-height").
std::vector<std::string> font_shorthand_families(std::span<const Token> value);
// bold, bolder, or a number of 600 and up.
bool is_bold_weight(const Token& t);

}  // namespace pageload::page
