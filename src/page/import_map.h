// Import maps (<script type="importmap">): how a page's module specifiers resolve, as
// HTML's "parse an import map string", "merge existing and new import maps" and "resolve
// a module specifier" say. With one, a bare specifier ("react") names a URL instead of
// failing its module, and a URL prefix ("/lib/") can be sent elsewhere. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pageload::page {

struct ImportMap {
  // Specifier key → address, the longest key first (HTML sorts them in descending code
  // unit order, so a longer prefix wins). No address: the entry did not parse, and a
  // specifier it matches is blocked (its module fails).
  using SpecifierMap = std::vector<std::pair<std::string, std::optional<std::string>>>;
  SpecifierMap imports;
  std::vector<std::pair<std::string, SpecifierMap>> scopes;  // scope prefix → its map, longest first
  bool empty() const { return imports.empty() && scopes.empty(); }
};

// One import map's JSON, its keys and addresses resolved against `base_url` (the
// document's base URL). A map that is not a JSON object, or whose "imports" or "scopes"
// is not one, is no map at all (nullopt), as in Chromium; an entry that does not parse is
// kept without an address. Each problem adds a note (Chromium's console warning).
std::optional<ImportMap> parse_import_map(std::string_view json, const std::string& base_url,
                                          std::vector<std::string>& notes);

// The page's import maps in document order, as one: an entry of an earlier map wins over
// a later map's entry for the same key (HTML's merge; Chromium since version 133).
void merge_import_map(ImportMap& into, const ImportMap& next);

// The result of resolving one module specifier.
struct Resolved {
  std::optional<std::string> url;  // what the specifier names
  bool blocked = false;            // an import map entry without an address matched it
};

// HTML's "resolve a module specifier" for a module at `base_url`: the import map's scopes
// that contain the module, then its imports, then a URL-like specifier ("/", "./", "../",
// or an absolute URL) as it is. A bare specifier nothing maps has no URL.
Resolved resolve_module_specifier(const std::string& specifier, const std::string& base_url,
                                  const ImportMap* map);

}  // namespace pageload::page
