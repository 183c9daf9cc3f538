// What a page load fetches beyond what its markup names, against the lab: a module
// script's static imports (/page/modules), the document's Link header (/page/link-header),
// and where an @import chain deeper than pageload follows is cut (/page/deep-import).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "fixtures/lab_fixture.h"
#include "request_lookup.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

bool has_warning(const std::vector<std::string>& warnings, const std::string& part) {
  return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("a module script's static imports are fetched level by level, each once, with the importer as initiator") {
  auto& lab = shared_lab();
  Run run = load_and_store(lab_options(lab.https_url("www.test", "/page/modules")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& main = by_url(run, "/page/modules/main.js");
  const Request& dep = by_url(run, "/page/modules/dep.js");
  for (const char* path : {"/page/modules/dep.js", "/page/modules/shared.js", "/page/modules/reexport.js"}) {
    INFO(path);
    const Request& r = by_url(run, path);
    CHECK(r.initiator == main.seq);
    CHECK(r.found_by == "module import");
    CHECK(r.resource_type == ResourceType::kScript);
    CHECK(r.priority == Priority::kHigh);
    CHECK(r.status == 200);
  }
  CHECK(by_url(run, "/page/modules/leaf.js").initiator == dep.seq);  // the second level
  CHECK(count(run, "/page/modules/shared.js") == 1);                 // imported twice, fetched once
  // Not run, so not fetched: the dynamic import(); never imports: comments, strings, a regex.
  for (const char* path : {"dynamic.js", "commented.js", "in-string.js", "in-regex.js", "/react"}) {
    INFO(path);
    CHECK_FALSE(requested(run, path));
  }
  // A bare specifier fails its module (no import map): none of its imports is fetched.
  CHECK_FALSE(requested(run, "/page/modules/after-bare.js"));
  CHECK(has_warning(by_url(run, "/page/modules/bare.js?delay=300").warnings, "1 bare specifier ('react')"));
  CHECK(main.warnings.empty());
  // A modulepreload fetches its module alone, as Chromium's FetchSingle does.
  CHECK(requested(run, "/page/modules/preloaded.js"));
  CHECK_FALSE(requested(run, "/page/modules/preload-dep.js"));
}

TEST_CASE("a page's import map decides where its modules' imports go: bare, prefix, remapped, scoped, blocked") {
  auto& lab = shared_lab();
  Run run = load_and_store(lab_options(lab.https_url("www.test", "/page/import-map")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& main = by_url(run, "/page/import-map/main.js");
  for (const char* path : {"/page/import-map/lib.js", "/page/import-map/utils/strings.js", "/page/import-map/new.js"}) {
    INFO(path);
    const Request& r = by_url(run, path);
    CHECK(r.initiator == main.seq);
    CHECK(r.found_by == "module import");
    CHECK(r.status == 200);
  }
  CHECK_FALSE(requested(run, "/page/import-map/old.js"));  // remapped to new.js
  CHECK(by_url(run, "/page/import-map/scoped-lib.js").initiator == by_url(run, "/page/import-map/scoped/entry.js").seq);
  CHECK(count(run, "/page/import-map/lib.js") == 1);  // the scope's modules get their own
  // "blocked" maps to null: blocked.js fails, and neither of its imports is fetched.
  CHECK_FALSE(requested(run, "/page/import-map/never.js"));
  CHECK(has_warning(by_url(run, "/page/import-map/blocked.js").warnings, "1 specifier ('blocked') that an import map entry blocks"));
  CHECK(has_warning(run.requests[0].warnings, "1 import map entry without a usable address"));
}

TEST_CASE("a document's Link header preloads are fetched as its response arrives but not its rel=stylesheet") {
  auto& lab = shared_lab();
  Run run = load_and_store(lab_options(lab.http_url("www.test", "/page/link-header")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& css = by_url(run, "/page/asset/link-header-preloaded.css");
  CHECK(css.found_by == "Link header rel=preload as=style");
  CHECK(css.initiator == 0);
  CHECK(css.priority == Priority::kHighest);
  const Request& hero = by_url(run, "/page/asset/link-header-hero.png");
  CHECK(hero.resource_type == ResourceType::kImage);
  const Request& module = by_url(run, "/page/asset/link-header-module.js");
  CHECK(module.found_by == "Link header rel=modulepreload");
  CHECK_FALSE(requested(run, "/page/asset/link-header-applied.css"));
  CHECK(run.requests.size() == 5);  // the document, three preloads, the icon
}

TEST_CASE("an @import chain deeper than pageload follows is cut with a warning on the sheet and the run") {
  auto& lab = shared_lab();
  Run run = load_and_store(lab_options(lab.http_url("www.test", "/page/deep-import")));
  REQUIRE(run.outcome == Outcome::kOk);
  for (int i = 1; i <= 6; ++i) CHECK(requested(run, "/page/deep-import/" + std::to_string(i) + ".css"));
  CHECK_FALSE(requested(run, "/page/deep-import/7.css"));
  const Request& last = by_url(run, "/page/deep-import/6.css");
  CHECK(has_warning(last.warnings, "1 @import not followed: pageload follows @import 5 deep at most"));
  CHECK(has_warning(run.warnings, "1 @import not followed"));
}
