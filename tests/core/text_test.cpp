#include <catch2/catch.hpp>

#include "core/text.h"

using namespace pageload;

TEST_CASE("append_utf8 writes each code point in as many bytes as UTF-8 takes, and utf8_sequence reads it back") {
  for (const char32_t cp : {U'\u0000', U'A', U'\u007f', U'\u0080', U'\u00e9', U'\u07ff', U'\u0800', U'\u20ac',
                            U'\uffff', U'\U00010000', U'\U0001f600', U'\U0010ffff'}) {
    std::string out = "x";
    append_utf8(out, cp);
    INFO(static_cast<unsigned long>(cp));
    const std::size_t expected = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    REQUIRE(out.size() == 1 + expected);
    char32_t back = 0;
    CHECK(utf8_sequence(out, 1, back) == expected);
    CHECK(back == cp);
  }
  std::string euro;
  append_utf8(euro, U'\u20ac');
  CHECK(euro == "\xe2\x82\xac");
  // A lone surrogate is written as WTF-8 holds it (three bytes), which is not UTF-8.
  std::string surrogate;
  append_utf8(surrogate, static_cast<char32_t>(0xD800));
  CHECK(surrogate == "\xed\xa0\x80");
  char32_t cp = 0;
  CHECK(utf8_sequence(surrogate, 0, cp) == 0);
}
