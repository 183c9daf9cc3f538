#include <catch2/catch.hpp>

#include "page/media_query.h"

using namespace pageload::page;

TEST_CASE("an empty media list matches") { CHECK(media_matches("", Screen{})); }

TEST_CASE("screen and all match a 1280x720 screen, print does not") {
  Screen s;
  CHECK(media_matches("screen", s));
  CHECK(media_matches("all", s));
  CHECK_FALSE(media_matches("print", s));
  CHECK(media_matches("print, screen", s));
  CHECK(media_matches("not print", s));
  CHECK(media_matches("only screen and (min-width: 1024px)", s));
}

TEST_CASE("width features compare against the 1280 px viewport") {
  Screen s;
  CHECK(media_matches("(min-width: 1280px)", s));
  CHECK_FALSE(media_matches("(min-width: 1281px)", s));
  CHECK(media_matches("(max-width: 80em)", s));
  CHECK_FALSE(media_matches("(max-width: 600px)", s));
  CHECK(media_matches("(min-width: 600px) and (max-width: 1300px)", s));
  CHECK_FALSE(media_matches("(min-width: 600px) and (max-height: 600px)", s));
  CHECK(media_matches("(max-width: 600px) or (orientation: landscape)", s));
}

TEST_CASE("range syntax works in both directions") {
  Screen s;
  CHECK(media_matches("(width >= 1000px)", s));
  CHECK_FALSE(media_matches("(width < 1000px)", s));
  CHECK(media_matches("(400px <= width <= 1400px)", s));
  CHECK_FALSE(media_matches("(1000px > width)", s));
}

TEST_CASE("resolution and device pixel ratio are 1") {
  Screen s;
  CHECK(media_matches("(min-resolution: 1dppx)", s));
  CHECK_FALSE(media_matches("(min-resolution: 2dppx)", s));
  CHECK(media_matches("(-webkit-min-device-pixel-ratio: 1)", s));
  CHECK_FALSE(media_matches("(min-resolution: 192dpi)", s));
}

TEST_CASE("the light scheme without reduced motion is what headless Chromium reports") {
  Screen s;
  CHECK(media_matches("(prefers-color-scheme: light)", s));
  CHECK_FALSE(media_matches("(prefers-color-scheme: dark)", s));
  CHECK_FALSE(media_matches("(prefers-reduced-motion: reduce)", s));
}

TEST_CASE("an unknown feature or a broken query does not match") {
  Screen s;
  CHECK_FALSE(media_matches("(fancy-feature: 3)", s));
  CHECK_FALSE(media_matches("screen and", s));
  CHECK_FALSE(media_matches("(min-width: 10px", s));
  CHECK(media_matches("garbage(), screen", s));
  CHECK_FALSE(media_matches("garbage((, screen", s));  // the open parens take the rest
}

TEST_CASE("conditions nested thousands deep are refused, not recursed into") {
  std::string deep(5000, '(');
  deep += "min-width: 1px";
  deep += std::string(5000, ')');
  CHECK_FALSE(media_matches(deep, Screen{}));
}
