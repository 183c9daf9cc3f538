// The report's view model: a Run and its layouts turned into the kainjow::mustache data
// the page template (web/report.html.mustache) reads. Every string from the network or
// the user passes through clean_text here; the template escapes it for HTML.
// Internal to the report module.
#pragma once

#include <algorithm>
#include <map>

#include <kainjow/mustache.hpp>

#include "pageload/result.h"
#include "report/axis.h"
#include "report/connection_lanes.h"
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
// `value` under `key` in `object`, moved in. kainjow's own set() and push_back() copy the
// whole tree they are given, so a view built bottom up copied each row's segments once per
// level; with put and append nothing is copied.
inline void put(Data& object, const std::string& key, Data value) { object[key] = std::move(value); }
// `item` at the end of `list`, moved in. kainjow gives only const access to a list's
// items; the vector is the list's own, not const, so adding to it is sound. Its data's
// move constructor is not noexcept, so a vector that grows would copy every item it
// holds: a full one is moved into a larger one here instead.
inline void append(Data& list, Data item) {
  if (!list.is_list()) return;
  auto& items = const_cast<kainjow::mustache::basic_list<std::string>&>(list.list_value());
  if (items.size() == items.capacity()) {
    kainjow::mustache::basic_list<std::string> grown;
    grown.reserve(std::max<std::size_t>(4, 2 * items.size()));
    for (Data& d : items) grown.push_back(std::move(d));  // within its capacity: no copy
    items.swap(grown);
  }
  items.push_back(std::move(item));
}
// {name, value}, both cleaned: one line of a "Name: value" pane.
Data pair_view(std::string_view name, std::string_view value);
// "1 request", "6 requests".
std::string count_text(std::size_t n, const std::string& noun);
// The axis's labelled ticks, for a scale head.
Data ticks_view(const Axis& axis);

// Everything the page template needs, except the inlined css/js and the script hash.
Data page_view(const Run& run, const Waterfall& waterfall);

// A short redirect chain (this many connections or fewer, no subresource) shows its
// connections' facts open; a page shows them closed.
inline constexpr std::size_t kOpenConnections = 3;

// The connection view: each origin's connections on the time axis, each with its facts
// once (addresses, TLS, certificate, attempts, how it ended); a certificate seen on an
// earlier connection is named, not repeated. connections_view.cpp.
Data connection_groups_view(const Run& run, const std::vector<HostGroup>& groups);

// The connection each request opened in place of one the server closed (a keep-alive
// failure): the request's seq to the closed connection's index.
std::map<int, std::size_t> replacements_by_request(const std::vector<HostGroup>& groups);

// The one line a request's details give about its connection, linking to its entry in
// the connection view; false when the request had none.
Data request_connection_view(const Run& run, const Request& request);

// Certificates that did not verify on connections that still carried a response (-k):
// "www.test:443: certificate has expired, not verified: loaded under -k"; "" when none.
std::string unverified_text(const Run& run);

// Request numbers as ranges, "#0–#3, #5" for {0, 1, 2, 3, 5} (two in a row stay a list),
// as the numbers to link, each with what goes before it: {"", 0}, {"–", 3}, {", ", 5}.
std::vector<std::pair<std::string, int>> seq_range_links(const std::vector<int>& seqs);

// The summaries: by host, by type, and time per phase. summary_view.cpp.
void add_summaries(const Run& run, const Waterfall& waterfall, Data& page);

// A lookup walked from the root (--dns-trace): its steps as rows of a small waterfall;
// false when it has none. walk_view.cpp.
Data walk_view(const DnsLookup& lookup);

// Each header's earliest seq, request and response apart: a long header an earlier
// request had the same is named in a row, not repeated. details_view.cpp.
struct FirstHeaders {
  std::map<Header, int> request, response;
  // Each request's headers by seq, request and response apart: where one earlier request
  // had all of a row's repeated headers, the row names that one alone.
  std::map<int, const std::vector<Header>*> request_lists, response_lists;
};
FirstHeaders first_headers(const Run& run);

// The detail panes of one request (timings, the page's view of it, headers, DNS
// lookup, connection), merged into its row's data. details_view.cpp.
void add_request_details(const Run& run, const Row& row, const FirstHeaders& headers,
                         const std::map<int, std::size_t>& replacements, Data& data);

}  // namespace pageload::report
