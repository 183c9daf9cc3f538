#include <catch2/catch.hpp>

#include <vector>

#include "page/css_tokenizer.h"

using namespace pageload::page;

namespace {
std::vector<Token> all(std::string_view css) {
  std::vector<Token> out;
  Tokenizer t(css);
  for (Token k = t.next(); k.type != TokenType::kEof; k = t.next()) out.push_back(k);
  return out;
}
}  // namespace

TEST_CASE("comments vanish and white space becomes one token") {
  auto t = all("a/* x */  b");
  REQUIRE(t.size() == 3);
  CHECK(t[0].type == TokenType::kIdent);
  CHECK(t[1].type == TokenType::kWhitespace);
  CHECK(t[2].value == "b");
}

TEST_CASE("an unquoted url() is one url token with its escapes decoded") {
  auto t = all("url( a\\(b\\).png )");
  REQUIRE(t.size() == 1);
  CHECK(t[0].type == TokenType::kUrl);
  CHECK(t[0].value == "a(b).png");
}

TEST_CASE("a quoted url() is a function followed by a string") {
  auto t = all("url(\"a b.png\")");
  REQUIRE(t.size() == 3);
  CHECK(t[0].type == TokenType::kFunction);
  CHECK(t[0].value == "url");
  CHECK(t[1].type == TokenType::kString);
  CHECK(t[1].value == "a b.png");
  CHECK(t[2].type == TokenType::kRightParen);
}

TEST_CASE("a url with a quote or space inside is a bad url that swallows up to its paren") {
  auto t = all("url(a b) x");
  REQUIRE(t.size() == 3);
  CHECK(t[0].type == TokenType::kBadUrl);
  CHECK(t[2].value == "x");
}

TEST_CASE("hex escapes in identifiers and strings decode to UTF-8") {
  auto t = all("\\41 bc '\\e9t\\\né'");
  CHECK(t[0].value == "Abc");
  CHECK(t[2].value == "\xC3\xA9t\xC3\xA9");
}

TEST_CASE("a string cut by a newline is a bad string") {
  auto t = all("'abc\ndef'");
  CHECK(t[0].type == TokenType::kBadString);
}

TEST_CASE("numbers, percentages and dimensions carry their value and unit") {
  auto t = all("12.5px 50% -3 1e3em");
  CHECK(t[0].type == TokenType::kDimension);
  CHECK(t[0].number == 12.5);
  CHECK(t[0].value == "px");
  CHECK(t[2].type == TokenType::kPercentage);
  CHECK(t[4].type == TokenType::kNumber);
  CHECK(t[4].number == -3);
  CHECK(t[6].number == 1000);
  CHECK(t[6].value == "em");
}

TEST_CASE("at-keywords, hashes and brackets are told apart") {
  auto t = all("@import #main #1x {}[]();:,");
  CHECK(t[0].type == TokenType::kAtKeyword);
  CHECK(t[0].value == "import");
  CHECK(t[2].type == TokenType::kHash);
  CHECK(t[2].hash_is_id);
  CHECK(t[4].type == TokenType::kHash);
  CHECK_FALSE(t[4].hash_is_id);
  CHECK(t[6].type == TokenType::kLeftBrace);
  CHECK(t[7].type == TokenType::kRightBrace);
  CHECK(t[8].type == TokenType::kLeftBracket);
  CHECK(t.back().type == TokenType::kComma);
}

TEST_CASE("an unterminated comment or string ends at the end of input") {
  CHECK(all("a /* never closed").size() == 2);
  auto t = all("'open");
  REQUIRE(t.size() == 1);
  CHECK(t[0].value == "open");
}
