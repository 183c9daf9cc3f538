#include "core/page_notes.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace pageload {

bool loaded_as_page(const Run& run) {
  const auto options = nlohmann::json::parse(run.options_json, nullptr, false);
  if (!options.is_object()) return false;
  const auto only = options.find("document_only");
  return only != options.end() && only->is_boolean() && !only->get<bool>();
}

bool sent_without_credentials(const Request& r) { return r.note.find(kWithoutCredentialsNote) != std::string::npos; }

std::string connection_purpose_note(const Run& run, const Connection& c) {
  bool any = false;
  for (const Request& r : run.requests) {
    if (!r.connection || *r.connection != c.id) continue;
    if (!sent_without_credentials(r)) return {};
    any = true;
  }
  if (!any) return {};
  return "for requests without credentials (CORS), as Chromium keeps them apart: not shared with the page's "
         "requests that carry cookies or Authorization";
}

std::string document_not_parsed_note(const Run& run) {
  if (!loaded_as_page(run) || run.failure) return {};
  for (const auto& r : run.requests) {
    if (r.url != run.final_url || r.resource_type != ResourceType::kDocument || !r.status) continue;
    std::string type = r.content_type.substr(0, r.content_type.find(';'));
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (type == "text/html" || type == "application/xhtml+xml") return {};
    if (r.note.find(kSniffedAsHtmlNote) != std::string::npos) return {};
    if (type.empty())
      return r.note.find(kNosniffNote) != std::string::npos
                 ? "the document has no Content-Type and says X-Content-Type-Options: nosniff: not parsed, so nothing it "
                   "names was fetched"
                 : "the document has no Content-Type and its first bytes do not read as HTML: not parsed, so nothing it "
                   "names was fetched";
    return "the document is " + type + ", not HTML: not parsed, so nothing it names was fetched";
  }
  return {};
}

std::string cache_start_note(const Run& run, bool* from_dir) {
  if (from_dir) *from_dir = false;
  const auto options = nlohmann::json::parse(run.options_json, nullptr, false);
  if (!options.is_object()) return {};
  const auto cache = options.find("cache");
  if (cache == options.end() || !cache->is_object()) return {};
  const auto responses = cache->find("responses");
  if (responses == cache->end() || !responses->is_number_unsigned()) return {};
  const auto n = responses->get<std::uint64_t>();
  const std::string held = n == 0 ? "empty" : std::to_string(n) + (n == 1 ? " response" : " responses");
  const auto dir = cache->find("dir");
  if (dir != cache->end() && dir->is_string()) {
    if (from_dir) *from_dir = true;
    return held + " from --cache " + dir->get<std::string>();
  }
  if (n == 0) return "empty (a first view)";
  return held + " from the first view";
}

ProducerTimings producer_timings(const Run& run) {
  ProducerTimings out;
  if (run.source == "pageload") return out;
  const auto options = nlohmann::json::parse(run.options_json, nullptr, false);
  if (!options.is_object()) return out;
  auto ms = [&](const char* key) -> std::optional<double> {
    const auto it = options.find(key);
    if (it == options.end() || !it->is_number()) return std::nullopt;
    const double v = it->get<double>();
    return std::isfinite(v) && v >= 0 && v <= 86400e3 ? std::optional<double>(v) : std::nullopt;
  };
  out.content_loaded_ms = ms("onContentLoad");
  out.load_ms = ms("onLoad");
  if (const auto it = options.find("title"); it != options.end() && it->is_string()) out.title = it->get<std::string>();
  return out;
}

std::string producer_timings_note(const Run& run) {
  auto format_ms = [](double v) {
    char text[32];
    std::snprintf(text, sizeof text, v >= 10 ? "%.1f ms" : "%.2f ms", v);
    return std::string(text);
  };
  const ProducerTimings t = producer_timings(run);
  std::string out;
  if (t.content_loaded_ms) out = "DOMContentLoaded " + format_ms(*t.content_loaded_ms);
  if (t.load_ms) out += (out.empty() ? "" : " · ") + std::string("load ") + format_ms(*t.load_ms);
  return out.empty() ? out : out + " (the producer's own page timings)";
}

}  // namespace pageload
