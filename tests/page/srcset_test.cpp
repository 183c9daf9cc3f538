#include <catch2/catch.hpp>

#include "page/srcset.h"

using namespace pageload::page;

TEST_CASE("srcset candidates keep their descriptors and drop invalid ones") {
  auto c = parse_srcset("a.png 1x, b.png 2x,c.png 300w, d.png 1x 2x, e.png 10h, f.png", 100);
  REQUIRE(c.size() == 4);
  CHECK(c[0].url == "a.png");
  CHECK(*c[0].density == 1);
  CHECK(*c[1].density == 2);
  CHECK(*c[2].width == 300);
  CHECK(c[3].url == "f.png");
  CHECK_FALSE(c[3].density);
}

TEST_CASE("a URL ending in commas has no descriptors, commas inside parentheses do not split") {
  auto c = parse_srcset("a.png,, b.png (x, y) 2x", 100);
  REQUIRE(c.size() == 1);
  CHECK(c[0].url == "a.png");
}

TEST_CASE("w descriptors pick the first candidate at least as wide as the 1280 px viewport") {
  Screen s;
  CHECK(pick_image_url("a.png", "a-400.png 400w, a-1600.png 1600w, a-2000.png 2000w", "", s, 100) == "a-1600.png");
  // sizes: 50vw is 640 px, so 700w is the first at density >= 1.
  CHECK(pick_image_url("c.png", "c-500.png 500w, c-700.png 700w, c-1000.png 1000w",
                       "(max-width: 600px) 100vw, 50vw", s, 100) == "c-700.png");
}

TEST_CASE("when no candidate is dense enough the densest wins") {
  CHECK(pick_image_url("", "a.png 100w, b.png 200w", "", Screen{}, 100) == "b.png");
}

TEST_CASE("x descriptors pick 1x on a 1x screen, and src counts as 1x") {
  Screen s;
  CHECK(pick_image_url("", "b1.png 1x, b2.png 2x", "", s, 100) == "b1.png");
  CHECK(pick_image_url("src.png", "b2.png 2x", "", s, 100) == "src.png");
  // An explicit 1x in srcset comes before src of the same density.
  CHECK(pick_image_url("src.png", "b1.png 1x", "", s, 100) == "b1.png");
}

TEST_CASE("with w descriptors the src attribute is not a candidate") {
  CHECK(pick_image_url("src.png", "a.png 2000w", "", Screen{}, 100) == "a.png");
}

TEST_CASE("an empty srcset falls back to src") {
  CHECK(pick_image_url("src.png", "  ,  ", "", Screen{}, 100) == "src.png");
}

TEST_CASE("sizes takes the first entry whose condition matches, else 100vw") {
  Screen s;
  CHECK(source_size("(max-width: 600px) 480px, 800px", s) == 800);
  CHECK(source_size("(min-width: 1000px) 33vw, 100vw", s) == Approx(1280 * 0.33));
  CHECK(source_size("", s) == 1280);
  CHECK(source_size("garbage", s) == 1280);
}

TEST_CASE("a 10 MB srcset is read only up to the candidate limit") {
  std::string big;
  for (int i = 0; i < 700000; ++i) big += "i.png 1x,";
  auto c = parse_srcset(big, 1000);
  CHECK(c.size() == 1000);
}
