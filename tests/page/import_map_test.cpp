// Import maps (page/import_map.h) as HTML's "parse an import map string" and "resolve a
// module specifier" read them, and what a module's imports then fetch.
#include <catch2/catch.hpp>

#include "page/discovery.h"
#include "page/import_map.h"
#include "page/module_imports.h"

using namespace pageload::page;

namespace {

const std::string kBase = "https://www.test/app/index.html";

ImportMap parsed(const std::string& json, std::vector<std::string>* notes = nullptr) {
  std::vector<std::string> n;
  auto map = parse_import_map(json, kBase, notes ? *notes : n);
  REQUIRE(map);
  return *map;
}

std::string resolved(const ImportMap& map, const std::string& spec, const std::string& module = kBase) {
  const Resolved r = resolve_module_specifier(spec, module, &map);
  return r.blocked ? "blocked" : r.url.value_or("none");
}

}  // namespace

TEST_CASE("an import map sends bare specifiers, prefixes and URLs where it says, the longest key first") {
  const ImportMap map = parsed(R"({"imports": {
      "react": "/vendor/react.js",
      "lib/": "https://cdn.test/lib/",
      "lib/special/": "/special/",
      "/app/old.js": "./new.js",
      "https://other.test/x.js": "/y.js"}})");
  CHECK(resolved(map, "react") == "https://www.test/vendor/react.js");
  CHECK(resolved(map, "lib/a/b.js") == "https://cdn.test/lib/a/b.js");
  CHECK(resolved(map, "lib/special/c.js") == "https://www.test/special/c.js");  // the longer prefix wins
  CHECK(resolved(map, "./old.js") == "https://www.test/app/new.js");           // a URL-like specifier, remapped
  CHECK(resolved(map, "https://other.test/x.js") == "https://www.test/y.js");
  CHECK(resolved(map, "./other.js") == "https://www.test/app/other.js");       // not in the map: as it is
  CHECK(resolved(map, "vue") == "none");                                       // bare, not mapped
  CHECK(resolved(map, "lib") == "none");                                       // "lib/" is a prefix only
}

TEST_CASE("an import map's scope applies to the modules under it, before its imports") {
  const ImportMap map = parsed(R"({"imports": {"a": "/top/a.js"},
      "scopes": {"/app/scoped/": {"a": "/scoped/a.js"}, "/app/scoped/deeper/": {"a": "/deeper/a.js"}}})");
  CHECK(resolved(map, "a") == "https://www.test/top/a.js");
  CHECK(resolved(map, "a", "https://www.test/app/scoped/m.js") == "https://www.test/scoped/a.js");
  CHECK(resolved(map, "a", "https://www.test/app/scoped/deeper/m.js") == "https://www.test/deeper/a.js");
}

TEST_CASE("an import map entry without a usable address blocks what it matches, and a bad map is none") {
  std::vector<std::string> notes;
  const ImportMap map = parsed(R"({"imports": {"gone": null, "bad/": "/no-slash", "num": 3, "": "/x.js"}})", &notes);
  CHECK(resolved(map, "gone") == "blocked");
  CHECK(resolved(map, "bad/x.js") == "blocked");
  CHECK(resolved(map, "num") == "blocked");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].rfind("4 import map entries without a usable address", 0) == 0);
  // Backtracking above a prefix's address is blocked too.
  const ImportMap prefix = parsed(R"({"imports": {"lib/": "/lib/"}})");
  CHECK(resolved(prefix, "lib/../secret.js") == "blocked");

  for (const char* bad : {"[]", "not json", R"({"imports": []})", R"({"scopes": {"/x/": 1}})"}) {
    INFO(bad);
    std::vector<std::string> n;
    CHECK_FALSE(parse_import_map(bad, kBase, n));
    CHECK(n.size() == 1);
  }
}

TEST_CASE("import maps merge in document order, the earlier entry winning") {
  ImportMap map = parsed(R"({"imports": {"a": "/first-a.js"}})");
  merge_import_map(map, parsed(R"({"imports": {"a": "/second-a.js", "b": "/second-b.js"}})"));
  CHECK(resolved(map, "a") == "https://www.test/first-a.js");
  CHECK(resolved(map, "b") == "https://www.test/second-b.js");
}

TEST_CASE("a module's bare imports are fetched through the page's import map, and fail the module without it") {
  const ImportMap map = parsed(R"({"imports": {"app-lib": "/lib.js", "blocked": null}})");
  const std::string js = R"(import "app-lib"; import "./b.js";)";
  auto with = module_import_references("https://www.test/app/main.js", js, true, 8192, &map);
  REQUIRE(with.references.size() == 2);
  CHECK(with.references[0].url == "https://www.test/lib.js");
  CHECK(with.references[1].url == "https://www.test/app/b.js");
  CHECK(with.notes.empty());
  auto without = module_import_references("https://www.test/app/main.js", js, true);
  CHECK(without.references.empty());
  REQUIRE(without.notes.size() == 1);
  CHECK(without.notes[0].find("no import map on the page") != std::string::npos);
  auto unmapped = module_import_references("https://www.test/app/main.js", R"(import "vue"; import "./b.js";)", true,
                                           8192, &map);
  CHECK(unmapped.references.empty());
  CHECK(unmapped.notes[0].find("that the page's import map does not map") != std::string::npos);
  auto blocked = module_import_references("https://www.test/app/main.js", R"(import "blocked";)", true, 8192, &map);
  CHECK(blocked.references.empty());
  CHECK(blocked.notes[0].find("that an import map entry blocks") != std::string::npos);
}

TEST_CASE("a document's import maps are read against its base URL, each once its end tag has arrived") {
  DocumentDiscovery d("https://www.test/page/index.html");
  const std::string head = R"(<!doctype html><base href="/other/"><script type="importmap">{"imports": {"x": "./x.js"}})";
  d.feed(head);
  CHECK(d.import_map().empty());  // the element is not complete yet
  d.feed(R"(</script><script type="importmap" src="/map.json"></script><script type="importmap">{"imports":
            {"x": "/late.js", "y": "/y.js"}}</script>)");
  d.finish();
  const ImportMap& map = d.import_map();
  CHECK(resolve_module_specifier("x", "https://www.test/page/m.js", &map).url == "https://www.test/other/x.js");
  CHECK(resolve_module_specifier("y", "https://www.test/page/m.js", &map).url == "https://www.test/y.js");
}
