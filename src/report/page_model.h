// What a page's requests are to each other, for the report: the order they started in
// (found by the page, row_start_ms),
// who asked for each (its initiator, and the chain of initiators behind it), the page's
// document, and the critical path: the chain of initiators ending at the request that
// finished last among those the page's load waited for (not the icon a browser asks for
// after the load). Pure functions of a Run. Internal to the report module.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "pageload/result.h"

namespace pageload::report {

// What a response is by its Content-Type, as WebPageTest tints downloads in its default
// mode; a response without one is taken for what its request asked for.
enum class ContentKind { kHtml = 0, kCss, kJs, kImage, kFont, kOther };
struct ContentKindInfo {
  ContentKind kind;
  std::string_view name;   // "html": a filter value
  std::string_view css;    // "k-html": the download segment's tint
  std::string_view label;  // "HTML": the legend
};
inline constexpr std::array<ContentKindInfo, 6> kContentKinds{{
    {ContentKind::kHtml, "html", "k-html", "HTML"},
    {ContentKind::kCss, "css", "k-css", "CSS"},
    {ContentKind::kJs, "js", "k-js", "JavaScript"},
    {ContentKind::kImage, "image", "k-image", "Image"},
    {ContentKind::kFont, "font", "k-font", "Font"},
    {ContentKind::kOther, "other", "k-other", "Other"},
}};
constexpr const ContentKindInfo& content_kind_info(ContentKind k) { return kContentKinds[static_cast<int>(k)]; }
ContentKind content_kind(const Request& r);

// How the critical path spent the load: on the network (from each request's first phase
// after queueing to its last byte), queued (blocked), or neither (no request of the path in
// flight: its next request not yet found, or pageload's own work). Each counts a moment
// once; the three add up to `length_ms`.
struct PathTime {
  double length_ms = 0;  // from the run's start to the last request's end
  double network_ms = 0;
  double queued_ms = 0;
  double other_ms = 0;
};

// Where a request's row starts: when the page found it (its discovery line or queueing,
// DevTools' "queued at"), or its first phase if that came first.
double row_start_ms(const Request& r);

// Whether `r` was asked for after the page's load, as a browser asks for the page's icon
// (`<link rel=icon>` or the default /favicon.ico) once the load event has fired. A redirect
// hop of such a request is one too; `run` resolves its chain.
bool after_load(const Run& run, const Request& r);

struct PageModel {
  std::vector<std::size_t> order;                      // request indexes, by row start, then seq
  std::vector<std::optional<std::size_t>> initiator;   // per request index: its initiator's
  std::optional<std::size_t> document;                 // the last hop of seq 0's redirect chain
  // The request that finished last among those the load waited for (every request but
  // the after-load icon; all of them if that leaves none).
  std::optional<std::size_t> last;
  std::vector<bool> after_load;                        // per request index: see after_load()
  std::vector<std::size_t> critical_path;              // from the first request to `last`
  std::vector<bool> on_critical_path;                  // per request index
  PathTime path_time;
};

// The model of `run`. An initiator that names no request of the run (or a loop of them,
// from a damaged database) ends a chain; it never hangs or throws.
PageModel analyse_page(const Run& run);

// The initiators of request `index`, the first request first, without `index` itself.
std::vector<std::size_t> initiator_chain(const PageModel& model, std::size_t index);

// When the final document's first response byte came (the end of its wait), if it did.
std::optional<double> document_first_byte_ms(const Run& run, const PageModel& model);

}  // namespace pageload::report
