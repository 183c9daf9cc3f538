#include "cli/page_totals.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "cli/cells.h"
#include "cli/safe.h"

namespace pageload::cli {
namespace {

// Hosts the totals list one by one; the rest are summed on one line.
constexpr std::size_t kTotalsHosts = 10;

// A small table of totals: a title row and rows of cells, the first column text.
std::vector<std::string> small_table(const std::vector<std::string_view>& titles,
                                     const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(titles.size());
  for (std::size_t c = 0; c < titles.size(); ++c) {
    widths[c] = display_width(titles[c]);
    for (const auto& row : rows) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) out += (c ? "  " : "") + pad(cells[c], widths[c], c > 0);
    return out;
  };
  std::vector<std::string> out;
  std::vector<std::string> title_cells(titles.begin(), titles.end());
  out.push_back(line(title_cells));
  for (const auto& row : rows) out.push_back(line(row));
  return out;
}

}  // namespace

std::string format_totals(const Run& run, const TableStyle& style) {
  if (run.requests.empty()) return "";
  struct Totals {
    int requests = 0, failed = 0;
    int64_t bytes = 0;
    std::set<int> connections;
    std::set<std::string> protocols;
    std::optional<double> dns_ms;
    std::size_t first = 0;
  };
  // As the run_hosts and run_types views count: bytes as received, a connection for the
  // host of each request that opened one, the longest DNS phase of the host's requests
  // (not through a proxy, where it is the proxy's lookup).
  std::map<std::string, Totals> hosts;
  std::map<ResourceType, Totals> types;
  bool any_failed = false;
  for (std::size_t i = 0; i < run.requests.size(); ++i) {
    const Request& r = run.requests[i];
    for (Totals* t : {&hosts[r.host], &types[r.resource_type]}) {
      if (t->requests++ == 0) t->first = i;
      t->failed += request_failed(r);
      t->bytes += transfer_bytes(r).value_or(0);
    }
    any_failed |= request_failed(r);
    Totals& h = hosts[r.host];
    if (r.connection && !r.reused) h.connections.insert(*r.connection);
    // A response the HTTP cache gave went over no protocol (its row says "-" too).
    if (!r.http_version.empty() && !r.from_cache) h.protocols.insert(protocol(r.http_version));
    // Through a proxy, a request's dns phase is the proxy's lookup (README): the origin
    // host was never looked up, so its row has no DNS time.
    const bool proxied = r.connection && *r.connection >= 0 && *r.connection < static_cast<int>(run.connections.size()) &&
                         !run.connections[static_cast<std::size_t>(*r.connection)].proxy.empty();
    if (const PhaseRecord* dns = r.phase(Phase::kDns); dns && !proxied)
      h.dns_ms = std::max(h.dns_ms.value_or(0), dns->span.duration_ms());
  }
  std::vector<std::pair<std::string, const Totals*>> by_host;
  for (const auto& [host, t] : hosts) by_host.push_back({host, &t});
  std::stable_sort(by_host.begin(), by_host.end(), [](const auto& a, const auto& b) {
    return a.second->requests != b.second->requests ? a.second->requests > b.second->requests
                                                    : a.second->first < b.second->first;
  });
  // A page on a hundred hosts: the busiest, then the rest summed on one line.
  Totals rest;
  std::string rest_label;
  if (by_host.size() > kTotalsHosts) {
    for (std::size_t i = kTotalsHosts - 1; i < by_host.size(); ++i) {
      const Totals& t = *by_host[i].second;
      rest.requests += t.requests;
      rest.failed += t.failed;
      rest.bytes += t.bytes;
      rest.connections.insert(t.connections.begin(), t.connections.end());
      rest.protocols.insert(t.protocols.begin(), t.protocols.end());
      if (t.dns_ms) rest.dns_ms = std::max(rest.dns_ms.value_or(0), *t.dns_ms);
    }
    rest_label = "… " + std::to_string(by_host.size() - kTotalsHosts + 1) + " other hosts";
    by_host.resize(kTotalsHosts - 1);
    by_host.push_back({rest_label, &rest});
  }

  std::vector<std::string_view> host_titles{"host", "requests"};
  if (any_failed) host_titles.push_back("failed");
  for (std::string_view t : {"bytes", "conns", "http", "dns ms"}) host_titles.push_back(t);
  std::vector<std::vector<std::string>> host_rows;
  for (const auto& [host, t] : by_host) {
    const bool ipv6 = t != &rest && host.find(':') != std::string::npos;
    std::vector<std::string> row{t == &rest ? host : safe(ipv6 ? "[" + host + "]" : host, 60),
                                 std::to_string(t->requests)};
    if (any_failed) row.push_back(std::to_string(t->failed));
    row.push_back(bytes_text(t->bytes));
    row.push_back(std::to_string(t->connections.size()));
    std::string protocols;
    for (const std::string& p : t->protocols) protocols += (protocols.empty() ? "" : ",") + p;
    row.push_back(protocols.empty() ? "-" : protocols);
    row.push_back(t->dns_ms ? ms_figure(*t->dns_ms) : "-");
    host_rows.push_back(std::move(row));
  }
  std::vector<std::string_view> type_titles{"type", "requests"};
  if (any_failed) type_titles.push_back("failed");
  type_titles.push_back("bytes");
  std::vector<std::vector<std::string>> type_rows;
  for (const auto& [type, t] : types) {
    std::vector<std::string> row{std::string(resource_type_name(type)), std::to_string(t.requests)};
    if (any_failed) row.push_back(std::to_string(t.failed));
    row.push_back(bytes_text(t.bytes));
    type_rows.push_back(std::move(row));
  }
  const std::vector<std::string> left = small_table(host_titles, host_rows);
  const std::vector<std::string> right = small_table(type_titles, type_rows);

  // Side by side when both fit in the width, else one under the other.
  std::size_t left_width = 0, right_width = 0;
  for (const auto& l : left) left_width = std::max(left_width, display_width(l));
  for (const auto& l : right) right_width = std::max(right_width, display_width(l));
  constexpr std::size_t kGap = 6;
  std::vector<std::string> lines;
  if (left_width + kGap + right_width <= static_cast<std::size_t>(std::max(style.width, 0))) {
    for (std::size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
      std::string line = i < left.size() ? left[i] : "";
      if (i < right.size()) line += std::string(left_width - display_width(line) + kGap, ' ') + right[i];
      lines.push_back(std::move(line));
    }
  } else {
    lines = left;
    lines.insert(lines.end(), right.begin(), right.end());
  }
  std::ostringstream out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    trim_right(lines[i]);
    const bool title = i == 0 || (lines.size() == left.size() + right.size() && i == left.size());
    out << painted(lines[i], kDim, style.color && title) << "\n";
  }
  return out.str();
}

std::string format_page_figures(const Run& run) {
  const Run::Figures f = run.figures();
  std::string out = run.document_ms ? "document received at " + ms_figure(*run.document_ms) + " ms"
                                    : std::string("document not received");
  // "Fully loaded" only when the page ended by itself: a load cut by --max-time or Ctrl-C
  // (or whose document failed) stopped, and its failure and warning say why.
  if (run.load_ms) out += (run.failure ? " · stopped at " : " · fully loaded at ") + ms_figure(*run.load_ms) + " ms";
  out += " · " + std::to_string(f.requests) + (f.requests == 1 ? " request" : " requests");
  out += ", " + std::to_string(f.failed) + " failed";
  out += " · " + bytes_text(f.transfer_bytes);
  return out;
}

}  // namespace pageload::cli
