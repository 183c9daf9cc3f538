// The connection view's layout model (WebPageTest's Connection View): one row per
// connection, grouped by origin, on the waterfall's time axis: the DNS lookup, TCP connect
// and TLS handshake that opened it, then each request it carried as a block from the
// moment the request was sent on it to its last byte, labelled with the request's number.
// HTTP/2 streams that overlap are stacked in lanes, so one connection carrying 18 requests
// at once reads as 18 lanes beside six HTTP/1.1 connections of three requests each. Also
// how each connection ended, and the keep-alive failures: a connection the server closed
// while pageload still had requests for its origin, which then paid for a new one.
// Internal to the report module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pageload/result.h"
#include "report/axis.h"
#include "report/waterfall.h"

namespace pageload::report {

// A block's label (its request's number) is drawn only where it fits whole: on any screen
// (the narrow track, kNarrowTrackPx), or only on a wide one, whose connection track is at
// least kWideTrackPx; else the block's tooltip names it.
inline constexpr double kWideTrackPx = 500;
inline constexpr double kBlockCharPx = 6.2;
inline constexpr double kBlockPaddingPx = 4;
enum class LabelFit { kNone, kWide, kAlways };

// Lanes are kLabelledLanePx high (labelled) up to kMaxLabelledLanes lanes in a row, then
// kThinLanePx (unlabelled) up to kMaxThinLanes, then kHairLanePx.
inline constexpr int kMaxLabelledLanes = 24;
inline constexpr int kMaxThinLanes = 40;
inline constexpr int kLabelledLanePx = 13;
inline constexpr int kThinLanePx = 7;
inline constexpr int kHairLanePx = 3;

struct Block {
  std::size_t request_index = 0;
  int seq = 0;
  int lane = 0;
  std::string left_pct, width_pct;
  LabelFit label = LabelFit::kNone;
  std::string_view tint;  // the response's content kind ("k-css"), as the download segment's
  bool failed = false;    // failed, or answered 400 or above
};

// How the connection ended, placed on the axis.
struct EndMark {
  ConnectionClose close;
  std::string left_pct;
  std::string at_text;  // "412 ms"
};

// A connection the server ended (Connection: close on a response, a FIN while idle, a
// reset, or curl found it closed) while the page still needed its origin: a later request
// had to open `replacement`, paying its setup phases again (`paid`: those that happened).
struct KeepAliveFailure {
  std::size_t closed = 0;       // connection index
  std::size_t replacement = 0;  // connection index
  int request_seq = 0;          // the request that opened the replacement
  double idle_ms = 0;           // from the closed connection's last byte to the replacement
  double cost_ms = 0;           // the replacement's setup phases, those in `paid`
  std::vector<Phase> paid;      // the replacement's setup phases that happened (dns, connect, tls)
  CloseReason reason = CloseReason::kServerClosed;  // how the closed one ended
  bool found_in_use = false;    // curl sent a request on it and found it closed (retried)
};

struct ConnectionRow {
  std::size_t index = 0;  // into Run::connections
  int id = 0;
  std::string protocol;   // "HTTP/2", "HTTP/1.1"; "" when no request on it got a response
  std::vector<Segment> setup;  // the opener's dns, connect, tls (or the connect span alone)
  std::vector<Block> blocks;   // in start order
  int lanes = 1;
  int lane_px = kLabelledLanePx;
  std::optional<EndMark> end;
  std::optional<std::size_t> keepalive_failure;  // into HostGroup::failures, as the closed one
  bool replacement = false;                      // opened in place of a closed one
};

struct HostGroup {
  std::string origin;     // "https://a.test:8443", cleaned
  std::string protocols;  // "HTTP/2", "HTTP/1.1", or both joined by " and "
  int requests = 0;
  std::vector<ConnectionRow> rows;  // by when they opened
  std::vector<KeepAliveFailure> failures;
};

// Every connection of `run`, grouped by origin in the order the origins were first used.
std::vector<HostGroup> layout_connections(const Run& run, const Axis& axis);

}  // namespace pageload::report
