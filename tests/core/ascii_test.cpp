#include <catch2/catch.hpp>

#include "core/ascii.h"

using namespace pageload;

TEST_CASE("ascii_lower_copy lowers A to Z and leaves UTF-8 bytes as they are") {
  CHECK(ascii_lower_copy("Set-Cookie") == "set-cookie");
  CHECK(ascii_lower_copy("\xc3\x89T\xc3\xa9") == "\xc3\x89t\xc3\xa9");
  CHECK(ascii_lower_copy("") == "");
}

TEST_CASE("trim_ows drops spaces and tabs at the ends only") {
  CHECK(trim_ows(" \ta b\t ") == "a b");
  CHECK(trim_ows("   ") == "");
  CHECK(trim_ows("\nx") == "\nx");
}

TEST_CASE("split_on keeps empty pieces, so a trailing separator gives an empty last piece") {
  CHECK(split_on("a;b;", ';') == std::vector<std::string_view>{"a", "b", ""});
  CHECK(split_on("", ';') == std::vector<std::string_view>{""});
  CHECK(split_on("abc", ';') == std::vector<std::string_view>{"abc"});
}
