#include "page/css_tokenizer.h"

#include <cmath>
#include <cstdint>

#include "core/text.h"

namespace pageload::page {
namespace {

bool is_newline(char c) { return c == '\n' || c == '\r' || c == '\f'; }
bool is_space(char c) { return c == ' ' || c == '\t' || is_newline(c); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
// §4.2 "ident-start code point": a letter, a non-ASCII code point, or '_'.
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_name(char c) { return is_name_start(c) || is_digit(c) || c == '-'; }
bool is_non_printable(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u <= 0x08 || u == 0x0B || (u >= 0x0E && u <= 0x1F) || u == 0x7F;
}
int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// §4.3.7: zero, a surrogate or beyond the maximum become U+FFFD.
void append_css_code_point(std::string& out, uint32_t cp) {
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  append_utf8(out, static_cast<char32_t>(cp));
}

Token simple(TokenType t) { return Token{t, {}, 0, false}; }

}  // namespace

void Tokenizer::skip_newline() {
  if (peek() == '\r' && peek(1) == '\n') ++pos_;
  ++pos_;
}

// §4.3.8: a backslash not followed by a newline.
bool Tokenizer::starts_escape(std::size_t ahead) const {
  return peek(ahead) == '\\' && !at_end(ahead + 1) && !is_newline(peek(ahead + 1));
}

// §4.3.9
bool Tokenizer::starts_ident(std::size_t ahead) const {
  char c = peek(ahead);
  if (at_end(ahead)) return false;
  if (c == '-') {
    char d = peek(ahead + 1);
    return (!at_end(ahead + 1) && (is_name_start(d) || d == '-')) || starts_escape(ahead + 1);
  }
  if (is_name_start(c)) return true;
  return starts_escape(ahead);
}

// §4.3.10
bool Tokenizer::starts_number() const {
  char c = peek();
  if (c == '+' || c == '-') {
    if (is_digit(peek(1))) return true;
    return peek(1) == '.' && is_digit(peek(2));
  }
  if (c == '.') return is_digit(peek(1));
  return is_digit(c);
}

// §4.3.7, the backslash already checked by starts_escape and not yet consumed.
void Tokenizer::consume_escape(std::string& out) {
  ++pos_;  // '\'
  if (at_end()) {
    append_utf8(out, U'\uFFFD');
    return;
  }
  if (is_hex(peek())) {
    uint32_t cp = 0;
    for (int i = 0; i < 6 && !at_end() && is_hex(peek()); ++i) cp = cp * 16 + hex_value(css_[pos_++]);
    if (!at_end() && is_space(peek())) skip_newline();  // one white space after a hex escape
    append_css_code_point(out, cp);
    return;
  }
  out += css_[pos_++];
}

std::string Tokenizer::consume_name() {
  std::string out;
  while (!at_end()) {
    if (is_name(peek())) {
      out += css_[pos_++];
    } else if (starts_escape()) {
      consume_escape(out);
    } else {
      break;
    }
  }
  return out;
}

// §4.3.12, with the value computed by strtod on the consumed text.
double Tokenizer::consume_number() {
  std::size_t start = pos_;
  if (peek() == '+' || peek() == '-') ++pos_;
  while (is_digit(peek()) && !at_end()) ++pos_;
  if (peek() == '.' && is_digit(peek(1))) {
    pos_ += 2;
    while (is_digit(peek()) && !at_end()) ++pos_;
  }
  char e = peek();
  if ((e == 'e' || e == 'E') &&
      (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
    pos_ += is_digit(peek(1)) ? 1 : 2;
    while (is_digit(peek()) && !at_end()) ++pos_;
  }
  std::string text(css_.substr(start, pos_ - start));
  double v = std::strtod(text.c_str(), nullptr);
  return std::isfinite(v) ? v : 0;
}

Token Tokenizer::consume_numeric() {
  Token t;
  t.number = consume_number();
  if (starts_ident()) {
    t.type = TokenType::kDimension;
    t.value = consume_name();
  } else if (peek() == '%' && !at_end()) {
    ++pos_;
    t.type = TokenType::kPercentage;
  } else {
    t.type = TokenType::kNumber;
  }
  return t;
}

// §4.3.4: url( with an unquoted argument is a url token; with a quoted one, a function.
Token Tokenizer::consume_ident_like() {
  std::string name = consume_name();
  bool is_url = name.size() == 3 && (name[0] | 0x20) == 'u' && (name[1] | 0x20) == 'r' &&
                (name[2] | 0x20) == 'l';
  if (is_url && peek() == '(' && !at_end()) {
    ++pos_;
    std::size_t p = pos_;
    while (p < css_.size() && is_space(css_[p])) ++p;
    char q = p < css_.size() ? css_[p] : '\0';
    if (q == '"' || q == '\'') return Token{TokenType::kFunction, std::move(name), 0, false};
    pos_ = p;
    return consume_url();
  }
  if (peek() == '(' && !at_end()) {
    ++pos_;
    return Token{TokenType::kFunction, std::move(name), 0, false};
  }
  return Token{TokenType::kIdent, std::move(name), 0, false};
}

// §4.3.5
Token Tokenizer::consume_string(char quote) {
  Token t{TokenType::kString, {}, 0, false};
  while (!at_end()) {
    char c = peek();
    if (c == quote) {
      ++pos_;
      return t;
    }
    if (is_newline(c)) {  // not consumed: the string is bad
      t.type = TokenType::kBadString;
      return t;
    }
    if (c == '\\') {
      if (at_end(1)) {
        ++pos_;
      } else if (is_newline(peek(1))) {
        ++pos_;
        skip_newline();
      } else {
        consume_escape(t.value);
      }
      continue;
    }
    t.value += c;
    ++pos_;
  }
  return t;  // EOF: a parse error, the string as read
}

// §4.3.6, after "url(" and its white space.
Token Tokenizer::consume_url() {
  Token t{TokenType::kUrl, {}, 0, false};
  while (true) {
    if (at_end()) return t;
    char c = peek();
    if (c == ')') {
      ++pos_;
      return t;
    }
    if (is_space(c)) {
      while (!at_end() && is_space(peek())) ++pos_;
      if (at_end()) return t;
      if (peek() == ')') {
        ++pos_;
        return t;
      }
      consume_bad_url_remnants();
      return simple(TokenType::kBadUrl);
    }
    if (c == '"' || c == '\'' || c == '(' || is_non_printable(c)) {
      consume_bad_url_remnants();
      return simple(TokenType::kBadUrl);
    }
    if (c == '\\') {
      if (starts_escape()) {
        consume_escape(t.value);
        continue;
      }
      consume_bad_url_remnants();
      return simple(TokenType::kBadUrl);
    }
    t.value += c;
    ++pos_;
  }
}

// §4.3.14
void Tokenizer::consume_bad_url_remnants() {
  while (!at_end()) {
    if (peek() == ')') {
      ++pos_;
      return;
    }
    if (starts_escape()) {
      std::string ignored;
      consume_escape(ignored);
    } else {
      ++pos_;
    }
  }
}

Token Tokenizer::next() {
  // §4.3.2 comments are consumed before each token.
  while (peek() == '/' && peek(1) == '*') {
    std::size_t end = css_.find("*/", pos_ + 2);
    pos_ = end == std::string_view::npos ? css_.size() : end + 2;
  }
  if (at_end()) return simple(TokenType::kEof);
  char c = peek();
  if (is_space(c)) {
    while (!at_end() && is_space(peek())) ++pos_;
    return simple(TokenType::kWhitespace);
  }
  switch (c) {
    case '"':
    case '\'':
      ++pos_;
      return consume_string(c);
    case '#':
      if (is_name(peek(1)) || starts_escape(1)) {
        ++pos_;
        Token t{TokenType::kHash, {}, 0, starts_ident()};
        t.value = consume_name();
        return t;
      }
      break;
    case '(': ++pos_; return simple(TokenType::kLeftParen);
    case ')': ++pos_; return simple(TokenType::kRightParen);
    case '[': ++pos_; return simple(TokenType::kLeftBracket);
    case ']': ++pos_; return simple(TokenType::kRightBracket);
    case '{': ++pos_; return simple(TokenType::kLeftBrace);
    case '}': ++pos_; return simple(TokenType::kRightBrace);
    case ',': ++pos_; return simple(TokenType::kComma);
    case ':': ++pos_; return simple(TokenType::kColon);
    case ';': ++pos_; return simple(TokenType::kSemicolon);
    case '+':
    case '.':
      if (starts_number()) return consume_numeric();
      break;
    case '-':
      if (starts_number()) return consume_numeric();
      if (peek(1) == '-' && peek(2) == '>') {
        pos_ += 3;
        return simple(TokenType::kCdc);
      }
      if (starts_ident()) return consume_ident_like();
      break;
    case '<':
      if (css_.substr(pos_, 4) == "<!--") {
        pos_ += 4;
        return simple(TokenType::kCdo);
      }
      break;
    case '@':
      if (starts_ident(1)) {
        ++pos_;
        return Token{TokenType::kAtKeyword, consume_name(), 0, false};
      }
      break;
    case '\\':
      if (starts_escape()) return consume_ident_like();
      break;
    default:
      if (is_digit(c)) return consume_numeric();
      if (is_name_start(c)) return consume_ident_like();
      break;
  }
  // A delimiter: one code point, kept whole if it is a UTF-8 sequence.
  std::size_t len = 1;
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0xC0) len = u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : 2;
  len = std::min(len, css_.size() - pos_);
  Token t{TokenType::kDelim, std::string(css_.substr(pos_, len)), 0, false};
  pos_ += len;
  return t;
}

}  // namespace pageload::page
