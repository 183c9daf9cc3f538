// The report's view model: a Run and its Waterfall turned into the kainjow::mustache
// data the page template (web/report.html.mustache) reads. Every string from the
// network or the user passes through clean_text here; the template escapes it for HTML.
// Internal to the report module.
#pragma once

#include <kainjow/mustache.hpp>

#include "pageload/result.h"
#include "report/waterfall.h"

namespace pageload::report {

using Data = kainjow::mustache::data;

// A string value, cleaned (see clean_text).
Data text(std::string_view s);
// `s` cleaned when non-empty, else false: for optional values the template tests with
// {{#name}}, so an absent one never falls through to an outer context's `name`.
Data optional_text(std::string_view s);

// Everything the page template needs, except the inlined css/js and the script hash.
Data page_view(const Run& run, const Waterfall& waterfall);

// The detail panes of one request (timings, headers, DNS, connection), merged into
// its row's data.
void add_request_details(const Run& run, const Request& request, Data& row);

}  // namespace pageload::report
