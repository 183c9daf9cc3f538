#include <catch2/catch.hpp>

#include "page/module_imports.h"

using namespace pageload::page;
using Specs = std::vector<std::string>;

TEST_CASE("every form of static import and export-from names its module") {
  const char* js = R"JS(
import "./side-effect.js";
import def from "./default.js";
import * as ns from './namespace.js';
import { a, b as c } from "./named.js";
import d, { e } from "./default-and-named.js";
import f, * as g from "./default-and-namespace.js";
import {} from "./empty.js";
import { "string name" as h } from "./string-name.js";
import from from "./named-from.js";
export * from "./star.js";
export * as star from "./star-as.js";
export { i, j as k } from "./reexport.js";
export { "x-y" as z } from "./reexport-string.js";
)JS";
  CHECK(scan_module_imports(js).specifiers ==
        Specs{"./side-effect.js", "./default.js", "./namespace.js", "./named.js", "./default-and-named.js",
              "./default-and-namespace.js", "./empty.js", "./string-name.js", "./named-from.js", "./star.js",
              "./star-as.js", "./reexport.js", "./reexport-string.js"});
}

TEST_CASE("minified imports without spaces or semicolons are read") {
  CHECK(scan_module_imports(R"(import{a as b}from"./a.js";import*as c from"./b.js"
import"./c.js"export*from"./d.js")")
            .specifiers == Specs{"./a.js", "./b.js", "./c.js", "./d.js"});
}

TEST_CASE("dynamic import, import.meta, a property named import and plain exports name no module") {
  const char* js = R"JS(
const m = await import("./dynamic.js");
const u = new URL("./asset.png", import.meta.url);
obj.import("./method.js");
obj?.import("./optional.js");
const o = { import: "./key.js" };
export const x = 1;
export default "./default-export.js";
export { x as y };
export function f() { return "./in-function.js"; }
)JS";
  CHECK(scan_module_imports(js).specifiers.empty());
}

TEST_CASE("an import inside a comment, a string, a template or a regular expression is not one") {
  const char* js = R"JS(
// import "./line-comment.js";
/* import "./block-comment.js"; */
const s1 = 'import "./single-quoted.js"';
const s2 = "it's import \"./double-quoted.js\"";
const t = `import "./template.js" ${ `nested import "./nested.js"` } import "./after-sub.js"`;
const r = /import "\.\/regex.js"/g;
const r2 = x => /["'`]/.test(x);
const q = a / 2 / b;
import "./real.js";
)JS";
  CHECK(scan_module_imports(js).specifiers == Specs{"./real.js"});
}

TEST_CASE("a regular expression with a slash in a character class and a quote does not derail the scan") {
  const char* js = R"JS(
const re = /[/"']+/;
if (x) /'/.test(y);
import "./after-regex.js";
)JS";
  CHECK(scan_module_imports(js).specifiers == Specs{"./after-regex.js"});
}

TEST_CASE("a template substitution with braces inside ends at its own closing brace") {
  const char* js = "const t = `${ {a: 1}.a } import \"./in-template.js\" ${ f({}) }`;\nimport \"./after-template.js\";";
  CHECK(scan_module_imports(js).specifiers == Specs{"./after-template.js"});
}

TEST_CASE("string escapes in a specifier are read") {
  CHECK(scan_module_imports(R"(import "./\x61\u0062\u{63}.js";)").specifiers == Specs{"./abc.js"});
}

TEST_CASE("a hashbang line is not a comment the scan trips on") {
  CHECK(scan_module_imports("#!/usr/bin/env node\nimport \"./x.js\";").specifiers == Specs{"./x.js"});
}

TEST_CASE("specifiers beyond the most asked for are left out and counted as capped") {
  std::string js;
  for (int i = 0; i < 10; ++i) js += "import \"./m" + std::to_string(i) + ".js\";\n";
  auto scanned = scan_module_imports(js, 4);
  CHECK(scanned.specifiers.size() == 4);
  CHECK(scanned.capped);
}

TEST_CASE("module imports resolve against the module, each once, with its credentials mode") {
  const char* js = R"JS(
import "./dep.js";
import "../up.js";
import "/root.js";
import "https://cdn.test/lib.js#frag";
import "./dep.js";
import "data:text/javascript,export default 1";
)JS";
  auto out = module_import_references("https://www.test/app/main.js", js, /*cors_anonymous=*/true);
  REQUIRE(out.references.size() == 4);
  CHECK(out.references[0].url == "https://www.test/app/dep.js");
  CHECK(out.references[1].url == "https://www.test/up.js");
  CHECK(out.references[2].url == "https://www.test/root.js");
  CHECK(out.references[3].url == "https://cdn.test/lib.js");
  for (const auto& r : out.references) {
    CHECK(r.type == pageload::ResourceType::kScript);
    CHECK(r.module);
    CHECK(r.cors_anonymous);
    CHECK(r.found_by == "module import");
  }
  CHECK(out.notes.empty());
}

TEST_CASE("a bare specifier fails the module: none of its imports is fetched and a note says it needs an import map") {
  auto out = module_import_references("https://www.test/main.js",
                                      "import './own.js';\nimport React from 'react';\nimport 'lodash/x.js';", false);
  CHECK(out.references.empty());
  REQUIRE(out.notes.size() == 1);
  CHECK(out.notes[0].find("static imports not fetched: 2 bare specifiers ('react', 'lodash/x.js')") == 0);
  CHECK(out.notes[0].find("import map") != std::string::npos);
}
