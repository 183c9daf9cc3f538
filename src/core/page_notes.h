// Sentences about a run as a page that the terminal summary and the HTML report both say,
// worded once here. Plain text: each caller escapes it for where it goes.
#pragma once

#include <optional>
#include <string>

#include "pageload/result.h"

namespace pageload {

// Whether `run` loaded a page (not --document-only, the redirect chain alone), from the
// options it was stored with.
bool loaded_as_page(const Run& run);

// Why a page is its document alone: the final document was not HTML, so nothing was
// parsed out of it (a browser shows or downloads such a response, it names nothing).
// Empty for HTML, a failed document or --document-only. The Content-Type is as the
// server sent it: escape the sentence.
std::string document_not_parsed_note(const Run& run);

// A document's note when it came with no usable Content-Type and its first bytes read as
// HTML, so it was parsed, as Chromium sniffs it (page/mime_sniff.h). The loader writes it;
// document_not_parsed_note() reads it.
inline constexpr const char* kSniffedAsHtmlNote =
    "no usable Content-Type: its first bytes read as HTML, so it was parsed, as Chromium sniffs it";
// ... and when it was not parsed: its first bytes do not read as HTML, or it said nosniff.
inline constexpr const char* kSniffedNotHtmlNote =
    "no usable Content-Type and its first bytes do not read as HTML: not parsed, as Chromium sniffs it";
inline constexpr const char* kNosniffNote =
    "no usable Content-Type and X-Content-Type-Options: nosniff: not sniffed, so not parsed";

// A request's note when it went without credentials: a CORS request (credentials mode
// "same-origin": an @font-face font, a module script, an element with crossorigin) to
// another origin than its document's. It is what marks such a request in a stored run
// (the loader writes it, readers find it with sent_without_credentials()).
inline constexpr const char* kWithoutCredentialsNote =
    "sent without credentials (a cross-origin CORS request): no cookies, no Authorization, on connections kept "
    "apart from the page's others, as Chromium keeps them";
bool sent_without_credentials(const Request& r);
// Why a connection of `run` exists beside the page's others to its host: "for requests
// without credentials (CORS), as Chromium keeps them apart: ..." when every request on it
// went without credentials; empty otherwise.
std::string connection_purpose_note(const Run& run, const Connection& c);

// What the browser's HTTP cache held when the load began, from runs.options' "cache"
// (--cache DIR, --repeat-view): "12 responses from --cache /tmp/c", "empty (a first
// view)", "11 responses from the first view". Empty when the load had no such cache.
// `from_dir` is set when the cache was read from a --cache DIR (a warm run that no group
// names as a repeat view). DIR is as given: escape the sentence.
std::string cache_start_note(const Run& run, bool* from_dir = nullptr);

// The page timings the producer of an imported HAR measured itself (its pageTimings, kept
// in runs.options): a browser's DOMContentLoaded and load, in ms from the page's start.
struct ProducerTimings {
  std::optional<double> content_loaded_ms, load_ms;
  std::string title;
};
ProducerTimings producer_timings(const Run& run);
// "DOMContentLoaded 271 ms · load 333 ms (the producer's own page timings)"; empty when the
// file gave none.
std::string producer_timings_note(const Run& run);

}  // namespace pageload
