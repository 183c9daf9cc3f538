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
// An empty list, for {{#items}} sections.
inline Data list() { return Data{Data::type::list}; }
// {name, value}, both cleaned: one line of a "Name: value" pane.
Data pair_view(std::string_view name, std::string_view value);

// Everything the page template needs, except the inlined css/js and the script hash.
Data page_view(const Run& run, const Waterfall& waterfall);

// A short run (this many connections or fewer) shows its connections' facts open.
inline constexpr std::size_t kOpenConnections = 3;

// The Connections card: each connection once (addresses, TLS, certificate, attempts); a
// certificate seen on an earlier connection is named, not repeated.
Data connections_view(const Run& run);

// The one line a request's details give about its connection, linking to the card
// entry; false when the request had none.
Data request_connection_view(const Run& run, const Request& request);

// Request numbers as ranges: {0, 1, 2, 3, 5} → "#0–#3, #5"; two in a row stay a list.
std::string format_seq_ranges(const std::vector<int>& seqs);

// A lookup walked from the root (--dns-trace): its steps as rows of a small waterfall;
// false when it has none.
Data walk_view(const DnsLookup& lookup);

// The detail panes of one request (timings, headers, DNS, connection), merged into
// its row's data.
void add_request_details(const Run& run, const Request& request, Data& row);

}  // namespace pageload::report
