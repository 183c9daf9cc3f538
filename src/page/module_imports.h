// The static imports of a JavaScript module script: what Chromium's module loader fetches
// for a <script type=module> before it evaluates anything (HTML's "fetch the descendants
// of a module script"), found without running it. A small lexer that knows JavaScript's
// comments, strings, template literals and regular expression literals (told from a
// division by the token before, as module lexers do), so an `import` inside any of them
// is not taken for one. Pure: no I/O.
//
//   import "./a.js";  import x, {y as z} from "./b.js";  import * as n from "/c.js";
//   export * from "./d.js";  export * as e from "./e.js";  export {f} from "./f.js";
//
// Dynamic `import("./x.js")` and `import.meta` are not static imports: a dynamic import
// happens when the script runs, which pageload does not do.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "page/discovery.h"
#include "page/import_map.h"

namespace pageload::page {

struct ModuleImports {
  std::vector<std::string> specifiers;  // in source order, as written (string escapes read)
  bool capped = false;                  // more than the most asked for: the rest left out
};

// The module specifiers of `source`'s static import and export-from declarations.
ModuleImports scan_module_imports(std::string_view source, std::size_t max_specifiers = 1000);

struct ModuleReferences {
  std::vector<Reference> references;  // each URL once, in source order
  std::vector<std::string> notes;     // what was not fetched, and why
};

// The fetches a module at `module_url` (its response's URL, after redirects: a module's
// base URL) makes for its static imports, as HTML's "resolve a module specifier" reads
// them with the page's `import_map` (page/import_map.h; none: no map): a specifier the
// map names goes where it says; else one starting "/", "./" or "../" is resolved against
// the module and an absolute URL is taken as it is. A bare one ("react") that nothing
// maps, or one an entry without an address blocks, fails the module before any of its
// imports is fetched (HTML: its parse error), so none is returned and a note names them.
// Each is a module script (type script, `module`), with the importing module's
// credentials mode (`cors_anonymous`: a module's descendants are fetched with its fetch
// options).
ModuleReferences module_import_references(const std::string& module_url, std::string_view source,
                                          bool cors_anonymous, std::size_t max_url_bytes = 8192,
                                          const ImportMap* import_map = nullptr);

}  // namespace pageload::page
