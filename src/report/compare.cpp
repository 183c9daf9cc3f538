#include "report/compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "report/format.h"
#include "report/page_model.h"
#include "report/summaries.h"

namespace pageload::report {

namespace {

std::optional<double> some(double v) { return v; }

Figure figure(std::string name, std::optional<double> a, std::optional<double> b, Unit unit = Unit::kCount) {
  return Figure{std::move(name), a, b, unit};
}

// The protocols a host's requests were answered with, in order of first use: "HTTP/2".
std::map<std::string, std::string> protocols_by_origin(const Run& run) {
  std::map<std::string, std::string> out;
  for (const Request& r : run.requests) {
    if (r.http_version.empty() || r.from_cache) continue;  // the cache's answer used no protocol
    const std::string origin = clean_text(r.scheme + "://" + format_host(r.scheme, r.host, r.port));
    std::string& list = out[origin];
    if ((" " + list + " ").find(" " + r.http_version + " ") == std::string::npos)
      list += (list.empty() ? "" : " ") + r.http_version;
  }
  return out;
}

// How many of each origin's requests the HTTP cache answered (nothing on the network), by
// the names protocols_by_origin gives.
std::map<std::string, int> cached_by_origin(const Run& run) {
  std::map<std::string, int> out;
  for (const Request& r : run.requests)
    if (r.from_cache) ++out[clean_text(r.scheme + "://" + format_host(r.scheme, r.host, r.port))];
  return out;
}

// Groups of A and B merged by name: A's order, then B's new ones.
std::vector<GroupDiff> merge_groups(const std::vector<GroupTotals>& a, const std::vector<GroupTotals>& b,
                                    bool hosts) {
  std::vector<GroupDiff> out;
  std::map<std::string, std::size_t> at;
  auto add = [&](const GroupTotals& g, bool side_b) {
    auto [it, added] = at.emplace(g.name, out.size());
    if (added) {
      GroupDiff d;
      d.name = g.name;
      d.requests = figure("requests", std::nullopt, std::nullopt);
      d.bytes = figure("bytes", std::nullopt, std::nullopt, Unit::kBytes);
      d.connections = figure("connections", std::nullopt, std::nullopt);
      out.push_back(std::move(d));
    }
    GroupDiff& d = out[it->second];
    (side_b ? d.requests.b : d.requests.a) = g.requests;
    (side_b ? d.bytes.b : d.bytes.a) = static_cast<double>(g.wire_bytes);
    if (hosts) (side_b ? d.connections.b : d.connections.a) = g.connections;
  };
  for (const GroupTotals& g : a) add(g, false);
  for (const GroupTotals& g : b) add(g, true);
  // A group one side never used has none of it there: 0 requests, not an unknown.
  for (GroupDiff& d : out)
    for (Figure* f : {&d.requests, &d.bytes, &d.connections}) {
      if (!hosts && f == &d.connections) continue;
      if (!f->a) f->a = 0;
      if (!f->b) f->b = 0;
    }
  return out;
}

std::optional<double> wire_bytes(const Request& r) {
  if (!r.header_bytes && !r.body_bytes) return std::nullopt;
  return static_cast<double>(r.header_bytes.value_or(0) + r.body_bytes.value_or(0));
}

RequestDiff request_diff(const Run& a, const Run& b, std::optional<std::size_t> ia, std::optional<std::size_t> ib) {
  RequestDiff d;
  d.a_index = ia;
  d.b_index = ib;
  d.duration = figure("duration", std::nullopt, std::nullopt, Unit::kMs);
  d.bytes = figure("bytes", std::nullopt, std::nullopt, Unit::kBytes);
  if (ia) {
    const Request& r = a.requests[*ia];
    d.url = r.url;
    d.duration.a = r.span.duration_ms();
    d.bytes.a = wire_bytes(r);
    d.status_a = r.status;
    d.protocol_a = r.http_version;
    d.cache_a = cache_kind(r);
  }
  if (ib) {
    const Request& r = b.requests[*ib];
    d.url = r.url;
    d.duration.b = r.span.duration_ms();
    d.bytes.b = wire_bytes(r);
    d.status_b = r.status;
    d.protocol_b = r.http_version;
    d.cache_b = cache_kind(r);
  }
  if (!ia) d.change = Change::kAppeared;
  else if (!ib) d.change = Change::kDisappeared;
  else d.change = notable(d) || d.status_a != d.status_b || d.bytes.changed() || d.protocol_a != d.protocol_b ||
                          d.cache_a != d.cache_b
                      ? Change::kChanged
                      : Change::kSame;
  return d;
}

std::vector<RequestDiff> match_requests(const Run& a, const Run& b) {
  // The k-th request for a URL in A is the k-th for it in B.
  std::map<std::string, std::vector<std::size_t>> in_b;
  for (std::size_t i = 0; i < b.requests.size(); ++i) in_b[b.requests[i].url].push_back(i);
  std::map<std::string, std::size_t> used;
  std::vector<bool> b_matched(b.requests.size(), false);
  std::vector<RequestDiff> out;
  for (std::size_t i = 0; i < a.requests.size(); ++i) {
    const std::string& url = a.requests[i].url;
    std::optional<std::size_t> j;
    auto it = in_b.find(url);
    std::size_t& k = used[url];
    if (it != in_b.end() && k < it->second.size()) j = it->second[k++];
    if (j) b_matched[*j] = true;
    out.push_back(request_diff(a, b, i, j));
  }
  for (std::size_t j = 0; j < b.requests.size(); ++j)
    if (!b_matched[j]) out.push_back(request_diff(a, b, std::nullopt, j));
  auto rank = [](Change c) {
    switch (c) {
      case Change::kAppeared: return 0;
      case Change::kDisappeared: return 1;
      case Change::kChanged: return 2;
      case Change::kSame: return 3;
    }
    return 3;
  };
  std::stable_sort(out.begin(), out.end(), [&](const RequestDiff& x, const RequestDiff& y) {
    if (rank(x.change) != rank(y.change)) return rank(x.change) < rank(y.change);
    if (x.change != Change::kChanged) return false;
    return std::fabs(x.duration.delta().value_or(0)) > std::fabs(y.duration.delta().value_or(0));
  });
  return out;
}

std::string count_of(double n, const std::string& noun) {
  const long v = std::lround(n);
  return std::to_string(v) + " " + noun + (v == 1 ? "" : "s");
}

// "first view, run 2" of a run in a group.
std::string place_in_group(const Run& r) {
  return std::string(run_view_name(r.view.value_or(RunView::kFirst))) + " view, run " +
         std::to_string(r.run_number.value_or(1));
}

// How A and B are related when they are runs of one group: B the repeat view of A (the
// page again with A's HTTP cache and cookies) or two runs of it.
std::optional<std::string> group_headline(const Run& a, const Run& b) {
  if (!a.group_id || a.group_id != b.group_id || a.id == b.id) return std::nullopt;
  const std::string group = "group " + std::to_string(*a.group_id);
  const auto view_a = a.view.value_or(RunView::kFirst), view_b = b.view.value_or(RunView::kFirst);
  if (a.run_number == b.run_number && view_a != view_b) {
    const bool b_repeats = view_b == RunView::kRepeat;
    return std::string(b_repeats ? "B is the repeat view of A" : "A is the repeat view of B") + " (" + group +
           ", run " + std::to_string(a.run_number.value_or(1)) + "): the page again with " +
           (b_repeats ? "A's" : "B's") + " HTTP cache and cookies, on new connections";
  }
  return "A and B are runs of " + group + " (A: " + place_in_group(a) + "; B: " + place_in_group(b) + ")";
}

// "8 requests from the cache, 3 revalidated, 597 B saved", or "none" when the run used no
// cached response.
std::string cache_use(const Run& r) {
  int fresh = 0, revalidated = 0;
  int64_t saved = 0;
  for (const Request& q : r.requests) {
    fresh += cache_kind(q) == "fresh";
    revalidated += cache_kind(q) == "revalidated";
    saved += q.bytes_saved.value_or(0);
  }
  if (!fresh && !revalidated) return "none";
  std::string out = count_of(fresh, "request") + " from the cache, " + std::to_string(revalidated) + " revalidated";
  if (saved) out += ", " + format_bytes(saved) + " saved";
  return out;
}

// The HTTP cache's use when it differs: "HTTP cache: none → 8 requests from the cache, 3
// revalidated (200→304), 597 B saved".
std::optional<std::string> cache_headline(const Run& a, const Run& b, const Comparison& c) {
  const std::string use_a = cache_use(a), use_b = cache_use(b);
  if (use_a == use_b) return std::nullopt;
  // The status changes of the requests a side revalidated that the other did not.
  std::set<std::string> moves;
  for (const RequestDiff& d : c.requests)
    if (d.a_index && d.b_index && d.cache_a != d.cache_b && (d.cache_a == "revalidated" || d.cache_b == "revalidated") &&
        d.status_a != d.status_b)
      moves.insert((d.status_a ? std::to_string(*d.status_a) : "—") + "→" +
                   (d.status_b ? std::to_string(*d.status_b) : "—"));
  std::string line = "HTTP cache: " + use_a + " → " + use_b;
  if (!moves.empty()) {
    std::string list;
    for (const std::string& m : moves) list += (list.empty() ? "" : ", ") + m;
    // After the revalidated count of the side that revalidated (B, as a repeat view does).
    const auto at = line.rfind(" revalidated");
    if (at != std::string::npos) line.insert(at + std::string(" revalidated").size(), " (" + list + ")");
  }
  return line;
}

void add_headlines(const Run& a, const Run& b, Comparison& c) {
  const auto fa = a.figures(), fb = b.figures();
  if (auto g = group_headline(a, b)) c.headlines.push_back(*g);
  if (auto h = cache_headline(a, b, c)) c.headlines.push_back(*h);
  // Through a proxy, connect and tls are to the proxy and the origin's lookup is its: the
  // explanation of every phase that moved. runs.proxy is stored redacted.
  if (a.proxy != b.proxy)
    c.headlines.push_back("proxy: " + (a.proxy.empty() ? std::string("none") : a.proxy) + " → " +
                          (b.proxy.empty() ? std::string("none") : b.proxy));
  if (a.connections.size() != b.connections.size())
    c.headlines.push_back("connections: " + std::to_string(a.connections.size()) + " → " +
                          std::to_string(b.connections.size()));
  // A host whose every request the HTTP cache answered used no protocol at all: say so
  // rather than "HTTP/2 over 0 connections" (its rows keep the version they were stored with).
  const auto cached_a = cached_by_origin(a), cached_b = cached_by_origin(b);
  auto side = [](const std::string& protocol, std::optional<double> connections, std::optional<double> requests,
                 const std::map<std::string, int>& cached, const std::string& host) {
    const auto it = cached.find(host);
    const int from_cache = it == cached.end() ? 0 : it->second;
    if (connections.value_or(0) == 0 && from_cache > 0 && from_cache == requests.value_or(0))
      return "no connection (" + (from_cache == 1 ? std::string("its 1 request") : "all " + count_of(from_cache, "request")) +
             " from the HTTP cache)";
    if (connections.value_or(0) == 0) return std::string("no connection");  // e.g. its lookup failed
    return (protocol.empty() ? "—" : protocol) + " over " + count_of(connections.value_or(0), "connection");
  };
  for (const GroupDiff& h : c.hosts) {
    // A host on one side only is named below; one whose requests the cache answered on
    // one side has no protocol there (side() says so).
    if (!h.requests.a.value_or(0) || !h.requests.b.value_or(0)) continue;
    if (h.protocol_a.empty() && h.protocol_b.empty()) continue;
    if (h.protocol_a == h.protocol_b && !h.connections.changed()) continue;
    c.headlines.push_back(h.name + ": " + side(h.protocol_a, h.connections.a, h.requests.a, cached_a, h.name) + " → " +
                          side(h.protocol_b, h.connections.b, h.requests.b, cached_b, h.name));
  }
  for (const GroupDiff& h : c.hosts) {
    if (h.requests.a == 0) c.headlines.push_back(h.name + ": new host (" + count_of(*h.requests.b, "request") + ")");
    if (h.requests.b == 0) c.headlines.push_back(h.name + ": no longer used (" + count_of(*h.requests.a, "request") + ")");
  }
  if (a.final_status != b.final_status)
    c.headlines.push_back("document status: " + (a.final_status ? std::to_string(*a.final_status) : "none") +
                          " → " + (b.final_status ? std::to_string(*b.final_status) : "none"));
  if (fa.failed != fb.failed)
    c.headlines.push_back("failed requests: " + std::to_string(fa.failed) + " → " + std::to_string(fb.failed));
  int appeared = 0, gone = 0;
  for (const RequestDiff& d : c.requests) {
    appeared += d.change == Change::kAppeared;
    gone += d.change == Change::kDisappeared;
  }
  if (appeared || gone)
    c.headlines.push_back(count_of(appeared, "request") + " appeared, " + std::to_string(gone) + " disappeared");
}

}  // namespace

std::optional<double> Figure::delta() const {
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

std::optional<double> Figure::delta_pct() const {
  if (!a || !b || *a == 0) return std::nullopt;
  return (*b - *a) / *a * 100.0;
}

std::string_view cache_kind(const Request& r) {
  if (r.from_cache) return "fresh";
  if (r.cache_lookup == "revalidated") return "revalidated";
  return "";
}

std::string_view change_name(Change c) {
  switch (c) {
    case Change::kSame: return "same";
    case Change::kChanged: return "changed";
    case Change::kAppeared: return "appeared";
    case Change::kDisappeared: return "disappeared";
  }
  return "same";
}

bool notable(const RequestDiff& d) {
  const auto ms = d.duration.delta();
  if (!ms) return false;
  const auto pct = d.duration.delta_pct();
  return std::fabs(*ms) > kChangedMs && (!pct || std::fabs(*pct) > kChangedPct);
}

namespace {

// A measured run none of whose requests went through a phase spent 0 ms in it; an imported
// run may not have recorded the phase at all (Playwright's HAR has no `blocked`, and writes
// -1 or 0 for what it did not time): no figure, not 0.
std::optional<double> phase_total(const Run& run, const PhaseTime& p) {
  if (p.requests == 0 && run.source != "pageload") return std::nullopt;
  return p.summed_ms;
}

}  // namespace

Comparison compare_runs(const Run& a, const Run& b) {
  Comparison c;
  const TimePerPhase ta = time_per_phase(a), tb = time_per_phase(b);
  for (std::size_t i = 0; i < kPhases.size(); ++i) {
    const PhaseTime &pa = ta.phases[i], &pb = tb.phases[i];
    if (pa.requests == 0 && pb.requests == 0) continue;
    c.phases.push_back(figure(std::string(kPhases[i].name), phase_total(a, pa), phase_total(b, pb), Unit::kMs));
  }
  const Run::Figures fa = a.figures(), fb = b.figures();
  c.page.push_back(figure("requests", fa.requests, fb.requests));
  c.page.push_back(figure("failed", fa.failed, fb.failed));
  c.page.push_back(figure("redirects", fa.redirects, fb.redirects));
  c.page.push_back(figure("bytes", some(static_cast<double>(fa.transfer_bytes)),
                          some(static_cast<double>(fb.transfer_bytes)), Unit::kBytes));
  c.page.push_back(figure("decoded", some(static_cast<double>(fa.decoded_bytes)),
                          some(static_cast<double>(fb.decoded_bytes)), Unit::kBytes));
  c.page.push_back(figure("connections", some(static_cast<double>(a.connections.size())),
                          some(static_cast<double>(b.connections.size()))));
  const PageModel ma = analyse_page(a), mb = analyse_page(b);
  c.page.push_back(figure("first byte", document_first_byte_ms(a, ma), document_first_byte_ms(b, mb), Unit::kMs));
  c.page.push_back(figure("document", a.document_ms, b.document_ms, Unit::kMs));
  c.page.push_back(figure("load", a.load_ms, b.load_ms, Unit::kMs));

  c.hosts = merge_groups(totals_by_host(a), totals_by_host(b), true);
  const auto pa = protocols_by_origin(a), pb = protocols_by_origin(b);
  for (GroupDiff& h : c.hosts) {
    if (auto it = pa.find(h.name); it != pa.end()) h.protocol_a = it->second;
    if (auto it = pb.find(h.name); it != pb.end()) h.protocol_b = it->second;
  }
  c.types = merge_groups(totals_by_type(a), totals_by_type(b), false);
  std::stable_sort(c.types.begin(), c.types.end(), [](const GroupDiff& x, const GroupDiff& y) {
    auto index = [](const std::string& name) {
      for (std::size_t t = 0; t < kResourceTypeNames.size(); ++t)
        if (kResourceTypeNames[t] == name) return t;
      return kResourceTypeNames.size();
    };
    return index(x.name) < index(y.name);
  });
  c.requests = match_requests(a, b);
  add_headlines(a, b, c);
  return c;
}

}  // namespace pageload::report
