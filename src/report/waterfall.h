// The request waterfall's layout model: one row per request in start order (when the page
// found it, its row_start_ms),
// where every bar, segment, discovery line, page marker and note goes, as percentages of
// the shared time axis, and what each row's cells say. Pure arithmetic over a Run, no
// markup, so it is unit-tested here and the template only places what it is given.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pageload/result.h"
#include "report/axis.h"
#include "report/page_model.h"

namespace pageload::report {

// A row's note (its total time) must fit beside its bar on the narrowest track, a phone's
// (about 370 px at a 420 px viewport), where a character of the note is about 6.6 px.
inline constexpr double kNarrowTrackPx = 360;
inline constexpr double kNoteCharPx = 6.6;
inline constexpr double kNotePaddingPx = 10;

// Segments narrower than this (percent of the axis) are widened to it so a 0.1 ms DNS
// answer from cache is still visible; they are moved left, never past the row's end.
inline constexpr double kMinSegmentPct = 0.2;
// TLS ticks of one direction closer than this (percent of the axis: under a pixel on a
// track up to 1000 px wide) are drawn, and written, as one.
inline constexpr double kTickMergePct = 0.1;
// A discovery line shorter than this (percent of the axis) is not drawn: it would be a dot.
inline constexpr double kMinDiscoveryPct = 0.3;

struct Segment {
  Phase phase = Phase::kDns;
  std::string_view css;    // from kPhases
  std::string_view label;  // from kPhases
  std::string_view tint;   // the download's content kind ("k-css"); "" for other phases
  double start_ms = 0;
  double duration_ms = 0;
  std::string left_pct, width_pct;
  std::string start_text, duration_text;
  bool failed = false;
  std::string error;  // "code_name: message" when failed
};

// A TLS handshake message drawn as a tick on the tls segment of the request that opened
// the connection: at the moment OpenSSL wrote or read it, kept inside the segment.
struct HandshakeTick {
  std::string left_pct;
  bool received = false;  // drawn in the lower half; sent ones in the upper
  bool alert = false;
};

// Where a row's text note (its total time, or its error) sits: after or before its bar
// when it fits there, else over the bar's end when the bar is long enough, else on a line
// of its own under the bar (kInside).
enum class NoteSide { kAfter, kBefore, kOver, kInside };

struct Row {
  std::size_t request_index = 0;  // into Run::requests
  int seq = 0;
  ResourceType type = ResourceType::kDocument;
  ContentKind kind = ContentKind::kOther;  // what the response was, for the download's tint
  std::string host;      // "b.test:8443": the port only when not the scheme's own
  std::string name;      // the last path segment and query, "hero.png?w=2"; "/" for the root
  std::string size_text;      // headers and body on the wire, "12.3 KiB"; "—" without a response
  std::string priority_text;  // "High", as DevTools words it; "—" when none was given
  std::string status_text;    // "200"; "failed", or "—" when no response came back
  std::string status_class;   // "s2xx" .. "s5xx", or "s-none"
  std::string status_group;   // the filter's: "1xx" .. "5xx", "failed" (no response), "none"
  std::string tint_class;     // "", "t-3xx", "t-4xx", "t-5xx" or "t-failed"
  bool is_redirect = false;
  std::string redirect_target;  // "/next" when same-origin, else the full URL
  std::string redirect_url;     // the full URL it led to, for the tooltip of a cut target
  std::optional<int> connection;  // id of the connection used
  bool reused = false;
  bool from_cache = false;   // answered by the HTTP cache: no segments, "(cache)", a note
  bool revalidated = false;  // a 304 to a conditional request: the stored body was used
  std::optional<int> initiator;   // seq of the request that asked for it
  std::vector<int> chain;         // seqs of its initiators, the first request first
  bool critical = false;          // on the critical path
  // The thin line from when the page found it to its first segment, if long enough to see.
  std::optional<std::pair<std::string, std::string>> discovery;  // left_pct, width_pct
  std::vector<Segment> segments;
  std::vector<HandshakeTick> tls_ticks;  // the handshake's messages, none after it
  std::string start_text, duration_text;
  bool failed = false;
  std::string error;  // request-level failure, "TLS handshake: certificate expired"
  std::string note;   // what the note says: the error, or the duration
  NoteSide note_side = NoteSide::kAfter;
  // For kAfter the note's left edge, for kBefore and kOver its distance from the right
  // edge. Either way it has the rest of the track, 100 - note_pct, and is cut with an
  // ellipsis there.
  std::string note_pct;
};

// A vertical line across every row at a moment of the page.
struct Marker {
  std::string_view css;    // "m-ttfb", "m-doc", "m-load"
  std::string_view label;  // "Document first byte"
  double ms = 0;
  std::string left_pct;
  std::string time_text;   // "12.3 ms"
};

struct Waterfall {
  Axis axis;
  PageModel page;
  std::vector<Row> rows;        // in start order (PageModel::order)
  std::vector<Marker> markers;  // in time order; only those the run reached
};

// One phase as a segment of an axis `axis_ms` long; `tint` colours a download.
Segment layout_segment(const PhaseRecord& p, double axis_ms, std::string_view tint = {});

// The whole layout of `run`. The axis covers every request, phase, marker and connection
// end, whichever is latest.
Waterfall layout_waterfall(const Run& run);

// The CSS class of a status chip: "s1xx" .. "s5xx", or "s-none" (no or odd status).
std::string status_class(std::optional<int> status);

// A redirect target as a row shows it: the path and query when `to` has the same origin
// as `from`, the whole URL otherwise (or `to` verbatim if either does not parse).
std::string redirect_display(const std::string& from, const std::string& to);

// "host[:port]" and the last path segment with its query, as a row names its URL; the
// whole URL as the name when it does not parse.
std::pair<std::string, std::string> host_and_name(const std::string& url);

}  // namespace pageload::report
