#include "report/connection_lanes.h"

#include <algorithm>
#include <map>

#include "report/format.h"
#include "report/page_model.h"

namespace pageload::report {

namespace {

constexpr double kSameMomentMs = 0.001;  // stamps of one event, read a microsecond apart

struct Usage {
  std::vector<std::size_t> requests;     // request indexes on the connection, by start
  std::optional<std::size_t> opener;     // the request that opened it
  double opened_ms = 0;                  // its first socket (or first use)
  double last_byte_ms = 0;               // the end of its last request
};

// When a request began to use its connection: its request going out.
std::optional<double> use_start(const Request& r) {
  for (Phase p : {Phase::kSend, Phase::kWait, Phase::kReceive})
    if (const PhaseRecord* rec = r.phase(p)) return rec->span.start_ms;
  return std::nullopt;
}

std::vector<Usage> usage_of(const Run& run) {
  std::vector<Usage> out(run.connections.size());
  for (std::size_t i = 0; i < run.requests.size(); ++i) {
    const Request& r = run.requests[i];
    if (!r.connection || *r.connection < 0 || static_cast<std::size_t>(*r.connection) >= out.size()) continue;
    Usage& u = out[static_cast<std::size_t>(*r.connection)];
    u.requests.push_back(i);
    if (!r.reused && !u.opener) u.opener = i;
  }
  for (std::size_t c = 0; c < out.size(); ++c) {
    Usage& u = out[c];
    std::sort(u.requests.begin(), u.requests.end(), [&](std::size_t a, std::size_t b) {
      return use_start(run.requests[a]).value_or(run.requests[a].span.start_ms) <
             use_start(run.requests[b]).value_or(run.requests[b].span.start_ms);
    });
    const Connection& conn = run.connections[c];
    std::optional<double> opened;
    if (conn.connect) opened = conn.connect->start_ms;
    if (u.opener)
      for (Phase p : {Phase::kDns, Phase::kConnect, Phase::kTunnel, Phase::kTls})
        if (const PhaseRecord* rec = run.requests[*u.opener].phase(p); rec && p != Phase::kDns)
          opened = std::min(opened.value_or(rec->span.start_ms), rec->span.start_ms);
    for (std::size_t i : u.requests) {
      const Request& r = run.requests[i];
      if (!opened) opened = use_start(r).value_or(r.span.start_ms);
      u.last_byte_ms = std::max(u.last_byte_ms, r.span.end_ms);
    }
    u.opened_ms = opened.value_or(conn.closed ? conn.closed->at_ms : 0);
    u.last_byte_ms = std::max(u.last_byte_ms, u.opened_ms);
  }
  return out;
}

std::string protocol_of(const Run& run, const Connection& c, const Usage& u) {
  for (std::size_t i : u.requests)
    if (!run.requests[i].http_version.empty()) return run.requests[i].http_version;
  if (c.tls && c.tls->alpn == "h2") return "HTTP/2";
  if (c.tls && c.tls->alpn == "http/1.1") return "HTTP/1.1";
  return "";
}

std::size_t digits(int n) { return std::to_string(n).size(); }

LabelFit label_fit(double width_pct, int seq) {
  const double need_px = kBlockPaddingPx + kBlockCharPx * static_cast<double>(digits(seq));
  if (width_pct / 100 * kNarrowTrackPx >= need_px) return LabelFit::kAlways;
  if (width_pct / 100 * kWideTrackPx >= need_px) return LabelFit::kWide;
  return LabelFit::kNone;
}

void lay_blocks(const Run& run, const Usage& u, double axis_ms, ConnectionRow& row) {
  std::vector<double> lane_ends;  // where each lane's last block ends, ms
  for (std::size_t i : u.requests) {
    const Request& r = run.requests[i];
    const auto start = use_start(r);
    if (!start) continue;  // failed before it was sent: no block
    const double end = std::max(*start, r.span.end_ms);
    Block b;
    b.request_index = i;
    b.seq = r.seq;
    auto lane = std::find_if(lane_ends.begin(), lane_ends.end(), [&](double e) { return e <= *start + kSameMomentMs; });
    if (lane == lane_ends.end()) lane = lane_ends.insert(lane_ends.end(), end);
    else *lane = end;
    b.lane = static_cast<int>(lane - lane_ends.begin());
    double left = pct_of(*start, axis_ms);
    double width = std::min(pct_of(end - *start, axis_ms), 100.0 - left);
    if (width < kMinSegmentPct) {
      width = kMinSegmentPct;
      left = std::min(left, 100.0 - kMinSegmentPct);
    }
    b.left_pct = format_pct(left);
    b.width_pct = format_pct(width);
    b.label = label_fit(width, r.seq);
    b.tint = content_kind_info(content_kind(r)).css;
    b.failed = r.failure || (r.status && *r.status >= 400);
    row.blocks.push_back(std::move(b));
  }
  row.lanes = std::max<int>(1, static_cast<int>(lane_ends.size()));
  row.lane_px = row.lanes <= kMaxLabelledLanes ? kLabelledLanePx : row.lanes <= kMaxThinLanes ? kThinLanePx : kHairLanePx;
  if (row.lane_px != kLabelledLanePx)
    for (auto& b : row.blocks) b.label = LabelFit::kNone;
}

// DNS, connect and TLS of the request that opened it, or the connect span alone.
std::vector<Segment> setup_of(const Run& run, const Connection& c, const Usage& u, double axis_ms) {
  std::vector<Segment> out;
  if (u.opener)
    for (Phase p : {Phase::kDns, Phase::kConnect, Phase::kTunnel, Phase::kTls})
      if (const PhaseRecord* rec = run.requests[*u.opener].phase(p)) out.push_back(layout_segment(*rec, axis_ms));
  if (out.empty() && c.connect) out.push_back(layout_segment(PhaseRecord{Phase::kConnect, *c.connect, {}}, axis_ms));
  return out;
}

// What opening the connection cost: the time of its opener's dns, connect and tls phases
// that happened (a lookup answered from the run's cache or plain HTTP has none), or its
// connect span alone.
void setup_cost(const Run& run, const Connection& c, const Usage& u, KeepAliveFailure& f) {
  f.cost_ms = 0;
  f.paid.clear();
  if (u.opener)
    for (Phase p : {Phase::kDns, Phase::kConnect, Phase::kTunnel, Phase::kTls})
      if (const PhaseRecord* rec = run.requests[*u.opener].phase(p)) {
        f.cost_ms += std::max(0.0, rec->span.duration_ms());
        f.paid.push_back(p);
      }
  if (f.paid.empty() && c.connect) {
    f.cost_ms = std::max(0.0, c.connect->duration_ms());
    f.paid.push_back(Phase::kConnect);
  }
}

// A connection the server ended (see KeepAliveFailure), and the first connection to its
// origin opened after that close: the one a kept-alive connection would have saved.
void find_failures(const Run& run, const std::vector<Usage>& usage, HostGroup& g) {
  std::vector<bool> claimed(g.rows.size(), false);
  for (std::size_t a = 0; a < g.rows.size(); ++a) {
    const Connection& x = run.connections[g.rows[a].index];
    if (!x.closed || x.closed->by != ClosedBy::kServer || x.closed->reason == CloseReason::kEndOfPage) continue;
    const Usage& ux = usage[g.rows[a].index];
    for (std::size_t b = 0; b < g.rows.size(); ++b) {
      if (b == a || claimed[b]) continue;
      const Usage& uy = usage[g.rows[b].index];
      if (uy.opened_ms + kSameMomentMs < x.closed->at_ms || uy.opened_ms + kSameMomentMs < ux.last_byte_ms) continue;
      claimed[b] = true;
      KeepAliveFailure f;
      f.closed = g.rows[a].index;
      f.replacement = g.rows[b].index;
      f.request_seq = uy.opener ? run.requests[*uy.opener].seq : uy.requests.empty() ? -1 : run.requests[uy.requests.front()].seq;
      f.idle_ms = std::max(0.0, uy.opened_ms - ux.last_byte_ms);
      setup_cost(run, run.connections[f.replacement], uy, f);
      f.reason = x.closed->reason;
      f.found_in_use = !x.retry_reason.empty();
      g.rows[a].keepalive_failure = g.failures.size();
      g.rows[b].replacement = true;
      g.failures.push_back(f);
      break;
    }
  }
}

}  // namespace

std::vector<HostGroup> layout_connections(const Run& run, const Axis& axis) {
  const std::vector<Usage> usage = usage_of(run);
  std::vector<std::size_t> order(run.connections.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return usage[a].opened_ms < usage[b].opened_ms; });

  std::vector<HostGroup> groups;
  std::map<std::string, std::size_t> group_of;
  for (std::size_t c : order) {
    const Connection& conn = run.connections[c];
    const std::string origin = conn.scheme + "://" + format_host(conn.scheme, conn.host, conn.port);
    auto [it, added] = group_of.emplace(origin, groups.size());
    if (added) groups.push_back(HostGroup{clean_text(origin), "", 0, {}, {}});
    HostGroup& g = groups[it->second];
    ConnectionRow row;
    row.index = c;
    row.id = conn.id;
    row.protocol = protocol_of(run, conn, usage[c]);
    row.setup = setup_of(run, conn, usage[c], axis.end_ms);
    lay_blocks(run, usage[c], axis.end_ms, row);
    if (conn.closed)
      row.end = EndMark{*conn.closed, format_pct(pct_of(conn.closed->at_ms, axis.end_ms)), format_ms(conn.closed->at_ms)};
    g.requests += static_cast<int>(usage[c].requests.size());
    if (!row.protocol.empty() && g.protocols.find(row.protocol) == std::string::npos)
      g.protocols += (g.protocols.empty() ? "" : " and ") + row.protocol;
    g.rows.push_back(std::move(row));
  }
  for (auto& g : groups) find_failures(run, usage, g);
  return groups;
}

}  // namespace pageload::report
