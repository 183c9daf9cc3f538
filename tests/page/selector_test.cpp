#include <catch2/catch.hpp>

#include "page/media_query.h"
#include "page/selector.h"

using namespace pageload::page;

namespace {

// html > body > div#main.hero.wide[data-kind=Photo] > ul > li.item > a[href]
ElementTree sample() {
  ElementTree t;
  int html = t.add({"html", -1, "", {}, {}});
  int body = t.add({"body", html, "", {}, {}});
  int div = t.add({"div", body, "main", {"hero", "wide"},
                   {{"id", "main"}, {"class", "hero wide"}, {"data-kind", "Photo"}, {"lang", "en-GB"}}});
  int ul = t.add({"ul", div, "", {}, {}});
  int li = t.add({"li", ul, "", {"item"}, {{"class", "item"}}});
  t.add({"a", li, "", {}, {{"href", "/x.pdf"}}});
  return t;
}

bool matches(const ElementTree& tree, std::string_view selector) {
  auto tokens = std::vector<Token>();
  Tokenizer tok(selector);
  for (Token k = tok.next(); k.type != TokenType::kEof; k = tok.next()) tokens.push_back(k);
  auto list = parse_selector_list(tokens);
  REQUIRE(list);
  SelectorMatcher m(tree, 1000000);
  return m.any_match(*list).matches;
}

std::optional<SelectorList> parse(std::string_view selector) {
  std::vector<Token> tokens;
  Tokenizer tok(selector);
  for (Token k = tok.next(); k.type != TokenType::kEof; k = tok.next()) tokens.push_back(k);
  return parse_selector_list(tokens);
}

}  // namespace

TEST_CASE("type, class, id and universal selectors match elements that have them") {
  auto t = sample();
  CHECK(matches(t, "div"));
  CHECK(matches(t, ".hero"));
  CHECK(matches(t, "#main"));
  CHECK(matches(t, "div.hero.wide#main"));
  CHECK(matches(t, "*"));
  CHECK_FALSE(matches(t, "span"));
  CHECK_FALSE(matches(t, ".hero.narrow"));
  CHECK_FALSE(matches(t, "#other"));
  CHECK_FALSE(matches(t, "li#main"));
}

TEST_CASE("attribute selectors support every operator and the i flag") {
  auto t = sample();
  CHECK(matches(t, "[data-kind]"));
  CHECK(matches(t, "[data-kind=Photo]"));
  CHECK_FALSE(matches(t, "[data-kind=photo]"));
  CHECK(matches(t, "[data-kind=photo i]"));
  CHECK(matches(t, "[class~=wide]"));
  CHECK_FALSE(matches(t, "[class~=wid]"));
  CHECK(matches(t, "[lang|=en]"));
  CHECK(matches(t, "a[href^='/x']"));
  CHECK(matches(t, "a[href$='.pdf']"));
  CHECK(matches(t, "a[href*=x]"));
  CHECK_FALSE(matches(t, "a[href$='.png']"));
}

TEST_CASE("descendant and child combinators follow the tree") {
  auto t = sample();
  CHECK(matches(t, "body a"));
  CHECK(matches(t, ".hero li > a"));
  CHECK(matches(t, "div > ul > li"));
  CHECK_FALSE(matches(t, "div > li"));
  CHECK_FALSE(matches(t, "a div"));
  CHECK(matches(t, "html body div ul li a"));
}

TEST_CASE("a selector list matches when any of its selectors does") {
  auto t = sample();
  CHECK(matches(t, "span, .nope, li.item"));
  CHECK_FALSE(matches(t, "span, .nope"));
}

TEST_CASE("user-action states never match a page nobody touches") {
  auto t = sample();
  CHECK_FALSE(matches(t, "a:hover"));
  CHECK_FALSE(matches(t, ".hero:focus-within"));
  CHECK_FALSE(matches(t, "a:visited"));
  CHECK(matches(t, "a:link"));
  CHECK(matches(t, ":root"));
  CHECK_FALSE(matches(t, "body:root"));
}

TEST_CASE("structural pseudo-classes and sibling combinators are treated as matching and say so") {
  auto list = parse("li:first-child + li a");
  REQUIRE(list);
  auto t = sample();
  SelectorMatcher m(t, 1000);
  auto r = m.any_match(*list);
  CHECK(r.matches);
  REQUIRE_FALSE(r.approximations.empty());
  CHECK(r.approximations.front() == ":first-child");
  CHECK(std::find(r.approximations.begin(), r.approximations.end(), "the + combinator") != r.approximations.end());
}

TEST_CASE("a pseudo-element is treated as present") {
  auto t = sample();
  CHECK(matches(t, ".hero::before"));
  CHECK(matches(t, ".hero:after"));
  CHECK_FALSE(matches(t, ".hero::selection"));
}

TEST_CASE("an unknown pseudo-class or a stray token makes the selector invalid") {
  CHECK_FALSE(parse("a:frobnicate"));
  CHECK_FALSE(parse("a >"));
  CHECK_FALSE(parse(", a"));
  CHECK_FALSE(parse("a::-moz-selection"));
  CHECK(parse("a::-webkit-scrollbar"));
}

TEST_CASE("selector work beyond the budget is treated as matching") {
  ElementTree t;
  int parent = t.add({"div", -1, "", {}, {}});
  for (int i = 0; i < 200; ++i) parent = t.add({"div", parent, "", {}, {}});
  t.add({"span", parent, "", {}, {}});
  // No div has the attribute, and descendant combinators make the search backtrack.
  auto list = parse("div[data-x] div div div div div div div span");
  REQUIRE(list);
  SelectorMatcher m(t, 5000);
  auto r = m.any_match(*list);
  CHECK(r.matches);
  CHECK(m.budget_spent());
}
