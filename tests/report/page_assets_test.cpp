// The stylesheet and script as a report embeds them (report/page_assets.h), and a whole
// report's stylesheet holding only the rules its classes can use.
#include <catch2/catch.hpp>

#include <string>

#include "report/html.h"
#include "report/page_assets.h"
#include "synthetic_runs.h"

using namespace pageload;
using namespace pageload::report;

TEST_CASE("a rule whose selectors all name a class the page lacks is left out, the rest kept as written") {
  const std::set<std::string, std::less<>> classes{"row", "ph-dns", "hl"};
  CHECK(css_for_classes(".row{a:1}.walk{b:2}.row .walk{c:3}", classes) == ".row{a:1}");
  // A list is kept when any of its selectors can match.
  CHECK(css_for_classes(".walk,.row>summary{a:1}", classes) == ".walk,.row>summary{a:1}");
  // Selectors without classes always can.
  CHECK(css_for_classes(":root{--x:1}*{b:0}body{c:2}", classes) == ":root{--x:1}*{b:0}body{c:2}");
  // A dot in a value or a pseudo-class is not a class.
  CHECK(css_for_classes(".row:hover{margin:0.5em}", classes) == ".row:hover{margin:0.5em}");
  // :not(.absent) matches elements without it, and a dot in an attribute value names no class.
  CHECK(css_for_classes(".row:not(.walk){a:1}", classes) == ".row:not(.walk){a:1}");
  CHECK(css_for_classes("a[href$=\".css\"]{a:1}", classes) == "a[href$=\".css\"]{a:1}");
  // Inside @media each rule is judged; a @media left empty goes.
  CHECK(css_for_classes("@media (max-width:860px){.row{a:1}.walk{b:2}}@media print{.tools{c:3}}", classes) ==
        "@media (max-width:860px){.row{a:1}}");
  // An unclosed block is kept as it is rather than cut.
  CHECK(css_for_classes(".row{a:1}.walk{b:2", classes) == ".row{a:1}.walk{b:2");
}

TEST_CASE("a page's classes are its class attributes' words and those its script adds") {
  const auto classes = classes_of("<i class=\"ph-dns  failed\"></i><p class=\"\">x class=y</p>",
                                  "el.classList.toggle(\"hl\", on); el.classList.add(\"chain\"); x.classList.remove(\"gone\");");
  CHECK(classes == std::set<std::string, std::less<>>{"ph-dns", "failed", "hl", "chain"});
}

TEST_CASE("the embedded script keeps every statement and drops whole-line comments and indentation") {
  CHECK(js_for_page("(function () {\n  // a comment\n  var a = \"http://x\"; // kept: not a whole line\n\n  f(a);\n})();\n") ==
        "(function () {\nvar a = \"http://x\"; // kept: not a whole line\nf(a);\n})();\n");
}

TEST_CASE("a report's stylesheet has the rules its page uses and none for what it does not show") {
  const std::string chain = render_html(synthetic::redirect_chain(2));
  const std::string css = chain.substr(chain.find("<style>"), chain.find("</style>") - chain.find("<style>"));
  CHECK(css.find(".row") != std::string::npos);
  CHECK(css.find(".hl") != std::string::npos);    // added by report.js on hover
  CHECK(css.find(".chain") != std::string::npos);
  CHECK(css.find(".walk") == std::string::npos);  // no DNS walk in this run
  // A run with a walk has its rules.
  const std::string walked = render_html(synthetic::traced_walk());
  CHECK(walked.find(".walk") < walked.find("</style>"));
}
