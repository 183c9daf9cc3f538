// Helpers for the DocumentDiscovery tests.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "page/discovery.h"

namespace pageload::page::testing {

inline constexpr const char* kPage = "https://site.test/dir/page.html";

inline Limits no_favicon() {
  Limits l;
  l.default_favicon = false;
  return l;
}

// Feeds the whole document at once and finishes it.
inline std::vector<Reference> discover(const std::string& html, Limits limits = no_favicon()) {
  DocumentDiscovery d(kPage, limits);
  auto out = d.feed(html);
  auto rest = d.finish();
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

inline std::vector<std::string> urls(const std::vector<Reference>& refs) {
  std::vector<std::string> out;
  for (const auto& r : refs) out.push_back(r.url);
  return out;
}

inline const Reference* find(const std::vector<Reference>& refs, const std::string& url) {
  auto it = std::find_if(refs.begin(), refs.end(), [&](const Reference& r) { return r.url == url; });
  return it == refs.end() ? nullptr : &*it;
}

inline std::string at(const std::string& path) { return "https://site.test" + path; }

}  // namespace pageload::page::testing
