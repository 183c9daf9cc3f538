// Two runs side by side: what changed from run A (before) to run B (after), as WebPageTest's
// compare and `pageload compare` show it. Phase totals, the page's figures, requests by host
// and by type, and the requests matched by URL (query included) that appeared, disappeared
// or changed. Pure functions of two Runs: the terminal table (cli) and the HTML compare view
// (compare_page.cpp) both print this model and decide nothing themselves.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload::report {

// One figure of both runs. Absent on a side that does not have it (a run whose document
// never completed has no document time), never zero in its place.
enum class Unit { kCount, kMs, kBytes };
struct Figure {
  std::string name;  // "dns", "requests", "load"
  std::optional<double> a, b;
  Unit unit = Unit::kCount;

  // b - a, when both sides have the figure.
  std::optional<double> delta() const;
  // (b - a) / a as a percentage, when both have it and a is not 0.
  std::optional<double> delta_pct() const;
  bool changed() const { return a != b; }
};

// The requests of one host (origin, "https://a.test:8443") or one resource type.
struct GroupDiff {
  std::string name;  // cleaned (report/format.h clean_text)
  Figure requests, bytes, connections;  // connections: hosts only
  std::string protocol_a, protocol_b;  // "HTTP/2", "HTTP/1.1 HTTP/2" (hosts only; "" none)
};

enum class Change { kSame, kChanged, kAppeared, kDisappeared };
std::string_view change_name(Change c);  // "same", "changed", "appeared", "disappeared"

// A request matched by URL: the k-th request for a URL in A with the k-th for it in B
// (a page asking twice for one URL is matched in order).
struct RequestDiff {
  std::string url;  // as stored (clean it to print it)
  Change change = Change::kSame;
  std::optional<std::size_t> a_index, b_index;  // into each run's requests
  Figure duration;  // from its start (found by the page) to its last byte, ms
  Figure bytes;     // headers and body as received
  std::optional<int> status_a, status_b;
  std::string protocol_a, protocol_b;
  // What the HTTP cache did on each side (cache_kind): a different one counts as changed.
  std::string_view cache_a, cache_b;
};

// "fresh" (answered by the HTTP cache, nothing on the network), "revalidated" (a 304: the
// stored body used), "" (the network: no cache, a miss or a changed response).
std::string_view cache_kind(const Request& r);

// A request's time counts as changed when it moved by more than both of these: noise on
// loopback is tenths of a millisecond, on a real network a few percent.
inline constexpr double kChangedMs = 1.0;
inline constexpr double kChangedPct = 5.0;

struct Comparison {
  // Every phase's time summed over the requests (as HAR sums), kPhases order; a phase
  // neither run had is left out.
  std::vector<Figure> phases;
  // requests, failed, redirects, bytes (wire), decoded, connections, document, load.
  std::vector<Figure> page;
  std::vector<GroupDiff> hosts;  // in the order A, then B, first used them
  std::vector<GroupDiff> types;  // ResourceType order
  // Appeared first, then disappeared, then changed by how much their duration moved
  // (largest first); unchanged ones last, in A's order.
  std::vector<RequestDiff> requests;
  // One sentence per difference a reader must not miss: how the runs are related (B the
  // repeat view of A), the HTTP cache's use, a host's connections or protocol, the
  // document's status, requests appeared and gone. Cleaned.
  std::vector<std::string> headlines;
};

// What changed from `a` to `b`. Works for any two runs, empty or failed ones included.
Comparison compare_runs(const Run& a, const Run& b);

// A request's change counts (kChangedMs and kChangedPct) as a difference worth showing.
bool notable(const RequestDiff& d);

}  // namespace pageload::report
