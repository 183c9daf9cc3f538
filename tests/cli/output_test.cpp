// safe(): what reaches the terminal from the network.
#include <catch2/catch.hpp>

#include "cli/output.h"

using pageload::cli::safe;

TEST_CASE("safe keeps printable ASCII and valid UTF-8 as they are") {
  CHECK(safe("200 OK") == "200 OK");
  CHECK(safe("bücher.test → 日本") == "bücher.test → 日本");
}

TEST_CASE("safe escapes C0 controls and DEL") {
  CHECK(safe("a\x1b[31mb") == "a\\x1b[31mb");
  CHECK(safe("line\r\nbreak\x7f") == "line\\x0d\\x0abreak\\x7f");
}

// U+009B is CSI on terminals that honour 8-bit controls: it let a reason phrase recolour
// the screen although ESC was escaped.
TEST_CASE("safe escapes C1 controls, raw or UTF-8 encoded, and bidi overrides") {
  CHECK(safe("A\xc2\x9b" "31mB") == "A\\u{009b}31mB");
  CHECK(safe("A\x9b" "31mB") == "A\\x9b31mB");
  CHECK(safe("evil\xe2\x80\xae" "txt.exe") == "evil\\u{202e}txt.exe");
}

TEST_CASE("safe escapes bytes that are not UTF-8: overlongs, surrogates, truncated sequences") {
  CHECK(safe("\xc0\xaf") == "\\xc0\\xaf");
  CHECK(safe("\xed\xa0\x80") == "\\xed\\xa0\\x80");
  CHECK(safe("ab\xe2\x82") == "ab\\xe2\\x82");
  CHECK(safe("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");
}

// 0xF5..0xFF start no UTF-8 sequence; 0xFF was taken for a three-byte lead and let
// through raw (found by tests/fuzz/fuzz_response_text).
TEST_CASE("safe escapes bytes that can never start a UTF-8 character") {
  CHECK(safe("\xff\x8f\xa9") == "\\xff\\x8f\\xa9");
  CHECK(safe("\xf8\x88\x80\x80\x80") == "\\xf8\\x88\\x80\\x80\\x80");
  CHECK(safe("\xfe") == "\\xfe");
}

TEST_CASE("safe cuts long text with an ellipsis and never inside a UTF-8 character") {
  std::string out = safe(std::string(10, 'x') + "ééé", 11);
  CHECK(out == "xxxxxxxxxxé…");
  CHECK(safe(std::string(500, 'a'), 300).size() == 300 + std::string("…").size());
}
