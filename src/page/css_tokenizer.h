// A CSS tokenizer following CSS Syntax Level 3 (§4, "Tokenization"): comments, strings,
// escapes, url() tokens, numbers and dimensions, blocks' brackets. It yields one token at a
// time so a multi-megabyte stylesheet is never held as a token vector. Pure: no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pageload::page {

enum class TokenType {
  kIdent, kFunction, kAtKeyword, kHash, kString, kBadString, kUrl, kBadUrl, kDelim,
  kNumber, kPercentage, kDimension, kWhitespace, kCdo, kCdc, kColon, kSemicolon, kComma,
  kLeftBracket, kRightBracket, kLeftParen, kRightParen, kLeftBrace, kRightBrace, kEof,
};

struct Token {
  TokenType type = TokenType::kEof;
  // Ident, function or at-keyword name, hash name, string or url value (escapes decoded),
  // a dimension's unit; for kDelim the one code point (UTF-8).
  std::string value;
  double number = 0;      // kNumber, kPercentage, kDimension
  bool hash_is_id = false;  // kHash: "id" type flag (a valid identifier follows '#')
};

class Tokenizer {
 public:
  // `css` must outlive the tokenizer. NUL and invalid UTF-8 bytes are taken as they come
  // (a stylesheet is a stranger's input); CR, CRLF and FF count as newlines (§3.3).
  explicit Tokenizer(std::string_view css) : css_(css) {}
  Token next();
  std::size_t position() const { return pos_; }

 private:
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < css_.size() ? css_[pos_ + ahead] : '\0';
  }
  bool at_end(std::size_t ahead = 0) const { return pos_ + ahead >= css_.size(); }
  bool starts_escape(std::size_t ahead = 0) const;
  bool starts_ident(std::size_t ahead = 0) const;
  bool starts_number() const;
  void consume_escape(std::string& out);
  std::string consume_name();
  double consume_number();
  Token consume_numeric();
  Token consume_ident_like();
  Token consume_string(char quote);
  Token consume_url();
  void consume_bad_url_remnants();
  void skip_newline();

  std::string_view css_;
  std::size_t pos_ = 0;
};

}  // namespace pageload::page
