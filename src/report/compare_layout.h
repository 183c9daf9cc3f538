// The HTML compare view's layout: both runs' waterfalls on one time axis, aligned by their
// start or by their document's first byte (WebPageTest's compare overlay, with the
// alignment its users ask for). Pure arithmetic over two Runs and their Comparison; the
// template only places what it is given. Internal to the report module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pageload/result.h"
#include "report/axis.h"
#include "report/compare.h"
#include "report/waterfall.h"

namespace pageload::report {

enum class Align { kStart, kFirstByte };
std::string_view align_name(Align a);  // "start", "first-byte"
std::optional<Align> align_from_name(std::string_view name);

// One request's row of one side.
struct CompareRow {
  std::size_t request_index = 0;
  std::string host, name;   // cleaned, as the single report names a URL
  // How the request differs from its match in the other run: "new" (only in B), "gone"
  // (only in A), "slower" / "faster" (notable(), report/compare.h), "changed" (status,
  // bytes or protocol), "" the same.
  std::string mark;
  std::string bar_left_pct, bar_width_pct;  // the whole request, start to last byte
  std::vector<Segment> segments;            // on the shared axis, shifted by the side's offset
  std::string duration_text;
  // The HTTP cache, as the single report marks it: a fresh answer (no bar: nothing went on
  // the network) and a revalidation (a 304).
  bool from_cache = false, revalidated = false;
};

// A moment of one side drawn across its rows: first byte, document, load.
struct CompareMarker {
  std::string_view css;    // "m-ttfb", "m-doc", "m-load"
  std::string_view label;
  std::string left_pct;
  std::string time_text;   // on the side's own clock, "12.3 ms"
};

struct CompareSide {
  double offset_ms = 0;  // how far right its start is drawn (aligning moves the earlier one)
  std::vector<CompareRow> rows;  // in start order (page_model's order)
  std::vector<CompareMarker> markers;
};

struct CompareLayout {
  Align align = Align::kStart;
  // Asked to align by first byte and both documents had one (else aligned by start).
  bool aligned = true;
  Axis axis;
  CompareSide a, b;
};

// Both sides on one axis. By first byte, the side whose document's first byte came
// earlier is shifted right so both first bytes share one x; the axis spans the later end.
CompareLayout layout_compare(const Run& a, const Run& b, const Comparison& c, Align align);

}  // namespace pageload::report
