#include "page/import_map.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/url.h"

namespace pageload::page {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with_slash(std::string_view s) { return !s.empty() && s.back() == '/'; }

// HTML's "resolve a URL-like module specifier": "/", "./" and "../" against `base_url`,
// else an absolute URL as it is; a bare specifier is none. An absolute URL of a scheme
// pageload does not fetch (data:, blob:) is kept as written.
std::optional<std::string> url_like(std::string_view spec, const std::string& base_url) {
  if (starts_with(spec, "/") || starts_with(spec, "./") || starts_with(spec, "../")) {
    auto base = parse_url(base_url);
    if (!base.ok()) return std::nullopt;
    auto url = resolve_location(*base, spec);
    return url.ok() ? std::optional<std::string>(url->full) : std::nullopt;
  }
  const std::string scheme = reference_scheme(spec);
  if (scheme.empty()) return std::nullopt;
  if (scheme != "http" && scheme != "https") return std::string(spec);
  auto url = parse_url(spec);
  return url.ok() ? std::optional<std::string>(url->full) : std::nullopt;
}

bool special(std::string_view url) { return starts_with(url, "http:") || starts_with(url, "https:"); }

template <typename Entries>
void sort_longest_first(Entries& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
}

// HTML's "sort and normalize a specifier map". Entries that do not parse are counted in
// `ignored`, the first of them kept in `example`.
ImportMap::SpecifierMap specifier_map(const nlohmann::json& object, const std::string& base_url, int& ignored,
                                      std::string& example) {
  ImportMap::SpecifierMap out;
  auto bad = [&](const std::string& why) {
    if (ignored++ == 0) example = why;
  };
  for (const auto& [key, value] : object.items()) {
    if (key.empty()) {
      bad("an empty specifier key");
      continue;
    }
    const std::string normalized = url_like(key, base_url).value_or(key);
    std::optional<std::string> address;
    if (!value.is_string()) {
      bad("'" + key.substr(0, 80) + "': " + (value.is_null() ? std::string("null") : std::string(value.type_name())));
    } else if (auto url = url_like(value.get<std::string>(), base_url); !url) {
      bad("'" + key.substr(0, 80) + "' maps to '" + value.get<std::string>().substr(0, 80) + "', not a URL");
    } else if (ends_with_slash(key) && !ends_with_slash(*url)) {
      bad("'" + key.substr(0, 80) + "' ends in '/' but its address does not");
    } else {
      address = std::move(url);
    }
    auto same = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == normalized; });
    if (same != out.end()) same->second = std::move(address);
    else out.emplace_back(normalized, std::move(address));
  }
  sort_longest_first(out);
  return out;
}

// HTML's "resolve an imports match": the entry equal to the specifier, else the longest
// key ending in "/" that it starts with (a URL-like specifier only when its URL is http(s)).
std::optional<Resolved> imports_match(const std::string& normalized, const std::optional<std::string>& as_url,
                                      const ImportMap::SpecifierMap& map) {
  for (const auto& [key, address] : map) {
    if (key == normalized) return address ? Resolved{address, false} : Resolved{std::nullopt, true};
    if (!ends_with_slash(key) || !starts_with(normalized, key) || (as_url && !special(*as_url))) continue;
    if (!address) return Resolved{std::nullopt, true};
    auto base = parse_url(*address);
    if (!base.ok()) return Resolved{std::nullopt, true};
    auto url = resolve_location(*base, std::string_view(normalized).substr(key.size()));
    // "Backtracking" above the address ("/lib/" mapped, "/lib/../x") is blocked.
    if (!url.ok() || !starts_with(url->full, *address)) return Resolved{std::nullopt, true};
    return Resolved{url->full, false};
  }
  return std::nullopt;
}

}  // namespace

std::optional<ImportMap> parse_import_map(std::string_view json, const std::string& base_url,
                                          std::vector<std::string>& notes) {
  const nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    notes.push_back("an import map not used: it is not a JSON object");
    return std::nullopt;
  }
  ImportMap map;
  int ignored = 0;
  std::string example;
  if (auto imports = parsed.find("imports"); imports != parsed.end()) {
    if (!imports->is_object()) {
      notes.push_back("an import map not used: its \"imports\" is not a JSON object");
      return std::nullopt;
    }
    map.imports = specifier_map(*imports, base_url, ignored, example);
  }
  if (auto scopes = parsed.find("scopes"); scopes != parsed.end()) {
    if (!scopes->is_object()) {
      notes.push_back("an import map not used: its \"scopes\" is not a JSON object");
      return std::nullopt;
    }
    auto base = parse_url(base_url);
    for (const auto& [prefix, scope] : scopes->items()) {
      if (!scope.is_object()) {
        notes.push_back("an import map not used: its scope '" + prefix.substr(0, 80) + "' is not a JSON object");
        return std::nullopt;
      }
      auto url = base.ok() ? resolve_location(*base, prefix) : base;
      if (!url.ok()) {
        if (ignored++ == 0) example = "the scope '" + prefix.substr(0, 80) + "' is not a URL, its entries unused";
        continue;
      }
      map.scopes.emplace_back(url->full, specifier_map(scope, base_url, ignored, example));
    }
    sort_longest_first(map.scopes);
  }
  if (ignored)
    notes.push_back(std::to_string(ignored) + (ignored == 1 ? " import map entry" : " import map entries") +
                    " without a usable address, as Chromium warns (" + example + (ignored > 1 ? ", ..." : "") +
                    "): a specifier such an entry matches is blocked, and its module fails");
  return map;
}

void merge_import_map(ImportMap& into, const ImportMap& next) {
  auto add = [](ImportMap::SpecifierMap& to, const ImportMap::SpecifierMap& from) {
    for (const auto& entry : from)
      if (std::none_of(to.begin(), to.end(), [&](const auto& e) { return e.first == entry.first; })) to.push_back(entry);
    sort_longest_first(to);
  };
  for (const auto& scope : next.scopes) {  // not a structured binding: clang 14 cannot capture one
    auto same =
        std::find_if(into.scopes.begin(), into.scopes.end(), [&](const auto& s) { return s.first == scope.first; });
    if (same == into.scopes.end()) into.scopes.push_back(scope);
    else add(same->second, scope.second);
  }
  sort_longest_first(into.scopes);
  add(into.imports, next.imports);
}

Resolved resolve_module_specifier(const std::string& specifier, const std::string& base_url, const ImportMap* map) {
  const std::optional<std::string> as_url = url_like(specifier, base_url);
  const std::string& normalized = as_url ? *as_url : specifier;
  if (map) {
    for (const auto& [prefix, scope] : map->scopes)
      if (prefix == base_url || (ends_with_slash(prefix) && starts_with(base_url, prefix)))
        if (auto found = imports_match(normalized, as_url, scope)) return *found;
    if (auto found = imports_match(normalized, as_url, map->imports)) return *found;
  }
  return Resolved{as_url, false};
}

}  // namespace pageload::page
