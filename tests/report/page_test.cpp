// A page's report model: rows in start order, initiators and the critical path, page
// markers, failed subresources, download tints, the connection view's lanes and ends, and
// the union of spans behind "time per phase". Over synthetic pages (synthetic::page).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "report/connection_lanes.h"
#include "report/html.h"
#include "report/intervals.h"
#include "report/page_model.h"
#include "report/summaries.h"
#include "report/waterfall.h"
#include "synthetic_runs.h"

using namespace pageload;
using namespace pageload::report;

namespace {

double num(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto i = s.find(what); i != std::string::npos; i = s.find(what, i + what.size())) ++n;
  return n;
}

const Request& by_path(const Run& run, const std::string& suffix) {
  for (const auto& r : run.requests)
    if (r.url.size() >= suffix.size() && r.url.compare(r.url.size() - suffix.size(), suffix.size(), suffix) == 0)
      return r;
  FAIL("no request ends with " << suffix);
  return run.requests.front();
}

const Row& row_of(const Waterfall& w, int seq) {
  for (const auto& row : w.rows)
    if (row.seq == seq) return row;
  FAIL("no row #" << seq);
  return w.rows.front();
}

}  // namespace

TEST_CASE("a page's rows are in the order its requests were found and say type, host, size and priority") {
  const Run run = synthetic::page(29, false);
  const Waterfall w = layout_waterfall(run);
  REQUIRE(w.rows.size() == 35);
  CHECK(w.rows[0].seq == 0);
  CHECK(w.rows[0].type == ResourceType::kDocument);
  for (std::size_t i = 1; i < w.rows.size(); ++i)
    CHECK(row_start_ms(run.requests[w.rows[i - 1].request_index]) <=
          row_start_ms(run.requests[w.rows[i].request_index]));
  const Row& css = row_of(w, by_path(run, "/style.css").seq);
  CHECK(css.type == ResourceType::kStylesheet);
  CHECK(css.host == "example.test");
  CHECK(css.name == "style.css");
  CHECK(css.priority_text == "Highest");
  CHECK(css.size_text == "6.0 KiB");  // 180 B of headers and 6,000 of body
  const Row& photo = row_of(w, by_path(run, "/img/photo-3.jpg?w=640").seq);
  CHECK(photo.name == "photo-3.jpg?w=640");
  CHECK(photo.priority_text == "Low");
}

TEST_CASE("each row names its initiator and the chain behind it, the critical path is document, stylesheet, font") {
  const Run run = synthetic::page(29, false);
  const Waterfall w = layout_waterfall(run);
  const int css = by_path(run, "/style.css").seq;
  const int font = by_path(run, "/fonts/body.woff2").seq;
  const Row& font_row = row_of(w, font);
  CHECK(font_row.initiator == css);
  CHECK(font_row.chain == std::vector<int>{0, css});
  CHECK(font_row.critical);
  CHECK(row_of(w, css).critical);
  CHECK(row_of(w, 0).critical);
  CHECK_FALSE(row_of(w, by_path(run, "/app.js").seq).critical);
  CHECK(row_of(w, 0).chain.empty());
  std::vector<int> path;
  for (std::size_t i : w.page.critical_path) path.push_back(run.requests[i].seq);
  CHECK(path == std::vector<int>{0, css, font});
  // How the path spent the load adds up to it, and it was on the network most of it.
  const PathTime& t = w.page.path_time;
  CHECK(t.length_ms == Approx(by_path(run, "/fonts/body.woff2").span.end_ms));
  CHECK(t.network_ms + t.queued_ms + t.other_ms == Approx(t.length_ms));
  CHECK(t.network_ms > t.length_ms / 2);
}

TEST_CASE("the critical path ends at the last request of the page, not at the icon asked for after the load") {
  Run run = synthetic::page(3, true);
  const int font = by_path(run, "/fonts/body.woff2").seq;
  // The icon, as pageload fetches it: after everything else, so it finishes last.
  Request icon = run.requests.front();
  icon.seq = static_cast<int>(run.requests.size());
  icon.id = icon.seq;
  icon.url = "https://example.test/favicon.png";
  icon.resource_type = ResourceType::kImage;
  icon.found_by = "link rel=icon";
  icon.initiator = 0;
  icon.redirect_from.reset();
  icon.reused = true;
  icon.dns_lookup.reset();
  std::erase_if(icon.phases, [](const PhaseRecord& p) {
    return p.phase == Phase::kDns || p.phase == Phase::kConnect || p.phase == Phase::kTls;
  });
  const double after = by_path(run, "/fonts/body.woff2").span.end_ms + 50;
  icon.span = {after, after + 5};
  for (auto& p : icon.phases) p.span = {after, after + 1};
  run.requests.push_back(icon);
  const Waterfall w = layout_waterfall(run);
  std::vector<int> path;
  for (std::size_t i : w.page.critical_path) path.push_back(run.requests[i].seq);
  CHECK(path.back() == font);
  CHECK_FALSE(row_of(w, icon.seq).critical);
  // A page of nothing but its document and icon: the path is the document.
  Run bare = synthetic::page(0, true);
  bare.requests.resize(1);
  icon.seq = 1;
  icon.id = 1;
  bare.requests.push_back(icon);
  const Waterfall b = layout_waterfall(bare);
  CHECK(b.page.critical_path == std::vector<std::size_t>{0});
}

TEST_CASE("the critical path ends at the last request the load waited for, not at the icon asked for after it") {
  Run run = synthetic::page(6, false);
  const int font = by_path(run, "/fonts/body.woff2").seq;
  const double font_end = by_path(run, "/fonts/body.woff2").span.end_ms;
  // The icon, as pageload and a browser ask for it: after every other request, so it
  // finishes last; its initiator is the document. And a redirect hop of a default icon.
  Request icon = run.requests[1];
  icon.seq = static_cast<int>(run.requests.size());
  icon.url = "https://example.test/icon.png";
  icon.found_by = "link rel=icon";
  icon.initiator = 0;
  icon.discovered_ms = *run.load_ms + 1;
  icon.span = {*run.load_ms + 1, *run.load_ms + 9};
  for (auto& p : icon.phases) p.span = {*run.load_ms + 1, *run.load_ms + 9};
  run.requests.push_back(icon);
  Request moved = icon;
  moved.seq = icon.seq + 1;
  moved.found_by = "redirect";
  moved.redirect_from = icon.seq;
  moved.span = {*run.load_ms + 9, *run.load_ms + 12};
  for (auto& p : moved.phases) p.span = moved.span;
  run.requests.push_back(moved);
  run.load_ms = *run.load_ms + 12;

  const PageModel m = analyse_page(run);
  REQUIRE(m.last);
  CHECK(run.requests[*m.last].seq == font);
  CHECK(m.path_time.length_ms == Approx(font_end));
  CHECK(m.after_load[run.requests.size() - 2]);
  CHECK(m.after_load[run.requests.size() - 1]);  // the icon's redirect hop
  CHECK_FALSE(m.after_load[0]);
  // The report names the icon as left out of the path.
  const std::string html = render_html(run);
  CHECK(html.find("The icon <a href=\"#req-" + std::to_string(icon.seq) + "\">") != std::string::npos);

  // A page of the icon alone (nothing else waited for) still has its last request.
  Run lone = synthetic::page(0, false);
  for (auto& r : lone.requests) r.found_by = "default /favicon.ico";
  CHECK(analyse_page(lone).last);
}

TEST_CASE("an initiator loop or a missing initiator from a damaged database ends the chain") {
  Run run = synthetic::page(2, false);
  run.requests[1].initiator = 2;
  run.requests[2].initiator = 1;  // a loop
  run.requests[3].initiator = 999;  // no such request
  const PageModel m = analyse_page(run);
  CHECK(initiator_chain(m, 1) == std::vector<std::size_t>{2});
  CHECK(initiator_chain(m, 2) == std::vector<std::size_t>{1});
  CHECK(initiator_chain(m, 3).empty());
  CHECK_FALSE(m.initiator[3]);
}

TEST_CASE("page markers sit at the document's first byte, document received and fully loaded, in time order") {
  const Run run = synthetic::page(29, true);
  const Waterfall w = layout_waterfall(run);
  REQUIRE(w.markers.size() == 3);
  CHECK(w.markers[0].css == "m-ttfb");
  CHECK(w.markers[0].ms == Approx(run.requests[0].phase(Phase::kWait)->span.end_ms));
  CHECK(w.markers[1].css == "m-doc");
  CHECK(w.markers[1].ms == Approx(*run.document_ms));
  CHECK(w.markers[2].css == "m-load");
  CHECK(w.markers[2].ms == Approx(*run.load_ms));
  for (const auto& m : w.markers) CHECK(num(m.left_pct) == Approx(m.ms / w.axis.end_ms * 100).margin(0.005));
  // A run that never got its document's first byte has no such marker.
  Run failed = synthetic::failed_at_dns();
  for (const auto& m : layout_waterfall(failed).markers) CHECK(m.css != "m-ttfb");
}

TEST_CASE("a request queued for a connection has a blocked segment, and a discovery line when found earlier") {
  const Run run = synthetic::page(29, false);
  const Waterfall w = layout_waterfall(run);
  // Over HTTP/1.1 the last photos wait for one of six connections.
  const Row& late = row_of(w, by_path(run, "/img/photo-28.jpg?w=640").seq);
  REQUIRE_FALSE(late.segments.empty());
  CHECK(late.segments[0].phase == Phase::kBlocked);
  CHECK(late.segments[0].duration_ms > 50);
  // Found 20 ms before its first phase: a thin line from discovery to the bar.
  Run found_early = synthetic::page(0, true);
  Request& js = found_early.requests[2];
  js.discovered_ms = js.span.start_ms - 20;
  const Waterfall w2 = layout_waterfall(found_early);
  const Row& row = row_of(w2, js.seq);
  REQUIRE(row.discovery);
  CHECK(num(row.discovery->first) == Approx(*js.discovered_ms / w2.axis.end_ms * 100).margin(0.001));
  CHECK(num(row.discovery->second) == Approx(20 / w2.axis.end_ms * 100).margin(0.002));
  CHECK_FALSE(row_of(w2, 0).discovery);  // the document was not found by anything
}

TEST_CASE("failed subresources stand out without hiding the rest: a 404 and a host that does not resolve") {
  const Run run = synthetic::page(29, false);
  const Waterfall w = layout_waterfall(run);
  CHECK(w.rows.size() == run.requests.size());
  const Row& missing = row_of(w, by_path(run, "/missing.png").seq);
  CHECK(missing.status_text == "404");
  CHECK(missing.status_group == "4xx");
  CHECK(missing.tint_class == "t-4xx");
  CHECK(missing.host == "cdn.example.test");
  const Row& dead = row_of(w, by_path(run, "/ads.js").seq);
  CHECK(dead.failed);
  CHECK(dead.status_text == "failed");
  CHECK(dead.status_group == "failed");
  CHECK(dead.tint_class == "t-failed");
  CHECK(dead.error == "DNS lookup failed: dns_nxdomain: ads.nowhere.test: NXDOMAIN");
  int ok = 0;
  for (const auto& row : w.rows) ok += row.status_text == "200";
  CHECK(ok == 33);
  const std::string html = render_html(run);
  CHECK(html.find("<b>2 requests of 35 failed</b>") != std::string::npos);
  CHECK(count(html, " data-bad") == 2);
}

TEST_CASE("downloads are tinted by their Content-Type, or by what was asked for when it has none") {
  Request r;
  r.resource_type = ResourceType::kImage;
  CHECK(content_kind(r) == ContentKind::kImage);
  for (auto [type, kind] : std::vector<std::pair<std::string, ContentKind>>{
           {"text/html; charset=utf-8", ContentKind::kHtml}, {"TEXT/CSS", ContentKind::kCss},
           {"application/javascript", ContentKind::kJs}, {"text/javascript;charset=utf-8", ContentKind::kJs},
           {"image/webp", ContentKind::kImage}, {"font/woff2", ContentKind::kFont},
           {"application/font-woff", ContentKind::kFont}, {"application/json", ContentKind::kOther}}) {
    INFO(type);
    r.content_type = type;
    CHECK(content_kind(r) == kind);
  }
  const Run run = synthetic::page(1, true);
  const Waterfall w = layout_waterfall(run);
  const Row& font = row_of(w, by_path(run, "/fonts/body.woff2").seq);
  CHECK(font.segments.back().phase == Phase::kReceive);
  CHECK(font.segments.back().tint == "k-font");
  CHECK(font.segments.front().tint.empty());
}

TEST_CASE("over HTTP/1.1 an origin has six connections of one request at a time, over HTTP/2 one with stacked streams") {
  const Run h1 = synthetic::page(29, false);
  const auto groups1 = layout_connections(h1, layout_waterfall(h1).axis);
  REQUIRE(groups1.size() == 2);  // the NXDOMAIN host opened no connection
  CHECK(groups1[0].origin == "https://example.test");
  CHECK(groups1[0].protocols == "HTTP/1.1");
  CHECK(groups1[0].rows.size() == 6);
  CHECK(groups1[0].requests == 33);
  for (const auto& row : groups1[0].rows) CHECK(row.lanes == 1);
  CHECK(groups1[0].rows[0].setup.size() == 3);  // the document's dns, connect, tls
  CHECK(groups1[0].rows[1].setup.size() == 2);  // one lookup per host: connect and tls

  const Run h2 = synthetic::page(29, true);
  const auto groups2 = layout_connections(h2, layout_waterfall(h2).axis);
  REQUIRE(groups2.size() == 2);
  CHECK(groups2[0].protocols == "HTTP/2");
  REQUIRE(groups2[0].rows.size() == 1);
  const ConnectionRow& one = groups2[0].rows[0];
  CHECK(one.blocks.size() == 33);
  CHECK(one.lanes > 20);  // the photos' streams overlap
  CHECK(one.lane_px > 0);
  // Blocks in one lane never overlap.
  for (std::size_t a = 0; a < one.blocks.size(); ++a)
    for (std::size_t b = a + 1; b < one.blocks.size(); ++b) {
      if (one.blocks[a].lane != one.blocks[b].lane) continue;
      const double a_end = num(one.blocks[a].left_pct) + num(one.blocks[a].width_pct);
      CHECK(num(one.blocks[b].left_pct) >= a_end - 0.25);  // minimum widths may touch
    }
}

TEST_CASE("a connection's end is on the axis and says who closed it") {
  const Run run = synthetic::page(29, false);
  const Axis axis = layout_waterfall(run).axis;
  const auto groups = layout_connections(run, axis);
  int by_server = 0, by_pageload = 0;
  for (const auto& g : groups)
    for (const auto& row : g.rows) {
      REQUIRE(row.end);
      const ConnectionClose& c = *run.connections[row.index].closed;
      CHECK(row.end->close == c);
      CHECK(num(row.end->left_pct) == Approx(c.at_ms / axis.end_ms * 100).margin(0.005));
      (row.end->close.by == ClosedBy::kServer ? by_server : by_pageload)++;
    }
  CHECK(by_server == 1);  // connection #1, closed by the server once idle
  CHECK(by_pageload == 6);
  const std::string html = render_html(run);
  CHECK(count(html, "class=\"end by-server\"") == 1);
  CHECK(count(html, "class=\"end by-pageload\"") == 6);
  // The details say why, and which side therefore holds TIME_WAIT.
  CHECK(count(html, "<b>TIME_WAIT</b>: the server, which closed first") == 1);
  CHECK(count(html, "<b>TIME_WAIT</b>: this machine, which closed first") == 6);
  CHECK(count(html, "pageload closed it when the page was done, ") == 6);
  // The server's close is known only when curl found it: the time is when it was found.
  CHECK(count(html, "<b>Found closed</b>: ") == 1);
  CHECK(count(html, "<b>Closed</b>: ") == 6);
  CHECK(count(html, "when exactly is not recorded") == 1);
}

namespace {

// Two connections to one origin: #0 carries request 0 (0-40 ms), the server closes it
// at `closed_at`; request 1 opens #1 at 60 ms (connect 60-70) and ends at 100.
Run closed_then_reopened(double closed_at, ClosedBy by, CloseReason reason) {
  Run run = synthetic::page(0, false);
  run.requests.resize(2);
  run.connections.resize(2);
  for (int i = 0; i < 2; ++i) {
    Request& r = run.requests[static_cast<std::size_t>(i)];
    r.seq = r.id = i;
    r.url = "https://example.test/" + std::to_string(i);
    r.connection = i;
    r.reused = false;
    r.initiator = i ? std::optional<int>(0) : std::nullopt;
    r.discovered_ms.reset();
    const double t = i ? 60 : 0;
    r.phases = {{Phase::kConnect, {t, t + 10}, std::nullopt},
                {Phase::kSend, {t + 10, t + 11}, std::nullopt},
                {Phase::kWait, {t + 11, t + 30}, std::nullopt},
                {Phase::kReceive, {t + 30, t + 40}, std::nullopt}};
    r.span = {t, t + 40};
    Connection& c = run.connections[static_cast<std::size_t>(i)];
    c.id = i;
    c.host = "example.test";
    c.connect = Span{t, t + 10};
    c.closed = ConnectionClose{110, ClosedBy::kPageload, CloseReason::kEndOfPage};
  }
  run.connections[0].closed = ConnectionClose{closed_at, by, reason};
  run.document_ms = 40;
  run.load_ms = 100;
  run.total_ms = 111;
  return run;
}

}  // namespace

TEST_CASE("a connection the server closed while its origin was still needed is a keep-alive failure, naming its replacement") {
  const Run run = closed_then_reopened(50, ClosedBy::kServer, CloseReason::kServerClosed);
  const auto groups = layout_connections(run, layout_waterfall(run).axis);
  REQUIRE(groups.size() == 1);
  REQUIRE(groups[0].failures.size() == 1);
  const KeepAliveFailure& f = groups[0].failures[0];
  CHECK(f.closed == 0);
  CHECK(f.replacement == 1);
  CHECK(f.request_seq == 1);
  CHECK(f.idle_ms == Approx(20));  // from #0's last byte (40) to #1 opening (60)
  CHECK(f.cost_ms == Approx(10));  // #1's connect
  CHECK(groups[0].rows[0].keepalive_failure == 0u);
  CHECK(groups[0].rows[1].replacement);
  const std::string html = render_html(run);
  CHECK(html.find("Keep-alive failure") != std::string::npos);
}

TEST_CASE("a connection ended by Connection: close is not called closed while idle, and its replacement's cost names only the phases it paid") {
  const Run run = closed_then_reopened(40, ClosedBy::kServer, CloseReason::kConnectionClose);
  const auto groups = layout_connections(run, layout_waterfall(run).axis);
  REQUIRE(groups.size() == 1);
  REQUIRE(groups[0].failures.size() == 1);
  CHECK(groups[0].failures[0].reason == CloseReason::kConnectionClose);
  CHECK(groups[0].failures[0].paid == std::vector<Phase>{Phase::kConnect});  // no DNS (cached), no TLS (http)
  const std::string html = render_html(run);
  CHECK(html.find("while it was idle") == std::string::npos);
  CHECK(html.find("No keep-alive: <a href=\"#conn-0\">#0</a> — the server answered Connection: close") != std::string::npos);
  CHECK(html.find("paid 10.0 ms for a TCP connect again.") != std::string::npos);
  CHECK(html.find("DNS, connect and TLS") == std::string::npos);

  // Closed while idle, the replacement paying a lookup, a connect and a handshake.
  Run idle = closed_then_reopened(50, ClosedBy::kServer, CloseReason::kServerClosed);
  Request& second = idle.requests[1];
  second.phases.insert(second.phases.begin(), PhaseRecord{Phase::kDns, {55, 60}, std::nullopt});
  second.phases.insert(second.phases.begin() + 2, PhaseRecord{Phase::kTls, {70, 70}, std::nullopt});
  const std::string html2 = render_html(idle);
  CHECK(html2.find("Keep-alive failure: <a href=\"#conn-0\">#0</a> — the server closed it while it was idle") !=
        std::string::npos);
  CHECK(html2.find("for a DNS lookup, a TCP connect and a TLS handshake again.") != std::string::npos);
}

TEST_CASE("connections closed by pageload, or by the server after the last one opened, are no keep-alive failure") {
  for (const Run& run : {closed_then_reopened(50, ClosedBy::kPageload, CloseReason::kNoKeepalive),
                         closed_then_reopened(105, ClosedBy::kServer, CloseReason::kServerClosed)}) {
    const auto groups = layout_connections(run, layout_waterfall(run).axis);
    REQUIRE(groups.size() == 1);
    CHECK(groups[0].failures.empty());
    CHECK(render_html(run).find("Keep-alive failure") == std::string::npos);
  }
}

TEST_CASE("the union of spans counts overlapping time once and ignores empty, inverted and non-finite spans") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto merged = merge_spans({{10, 20}, {0, 5}, {15, 30}, {30, 31}, {40, 40}, {50, 45}, {nan, 60}, {4, 6}});
  REQUIRE(merged.size() == 2);
  CHECK(merged[0].start_ms == 0);
  CHECK(merged[0].end_ms == 6);
  CHECK(merged[1].start_ms == 10);
  CHECK(merged[1].end_ms == 31);
  CHECK(covered_ms({{10, 20}, {0, 5}, {15, 30}, {30, 31}, {4, 6}}) == Approx(27));
  CHECK(covered_ms({}) == 0);
}

TEST_CASE("a strip's marks are widened to the minimum and drawn as one where widened marks would touch") {
  // Axis 100 ms: 1 ms = 1 %. Three sends of 0.04 ms 0.1 ms apart, then one far away.
  const auto marks = strip_marks({{10, 10.04}, {10.1, 10.14}, {10.2, 10.24}, {50, 50.04}, {60, 70}}, 100, 0.15);
  REQUIRE(marks.size() == 3);
  CHECK(marks[0].first == Approx(10));
  CHECK(marks[0].second == Approx(0.35));  // to the third's widened end, 10.2 + 0.15
  CHECK(marks[1].first == Approx(50));
  CHECK(marks[1].second == Approx(0.15));
  CHECK(marks[2].first == Approx(60));
  CHECK(marks[2].second == Approx(10));
  // Marks apart by more than the minimum stay apart; a mark at the axis' end stays inside it.
  CHECK(strip_marks({{10, 10.04}, {10.2, 10.24}}, 100, 0.15).size() == 2);
  const auto end = strip_marks({{99.99, 100}}, 100, 0.15);
  REQUIRE(end.size() == 1);
  CHECK(end[0].first + end[0].second <= 100.15);
  CHECK(strip_marks({{1, 2}}, 0, 0.15).empty());
}

TEST_CASE("the page report shows markers, initiator links, the critical path, filters and the connection view") {
  const Run run = synthetic::page(29, false);
  const std::string html = render_html(run);
  for (const char* css : {"m-ttfb", "m-doc", "m-load"})
    CHECK(html.find(std::string("<i class=\"mk-flag ") + css + "\" style=\"left:") != std::string::npos);
  const int css = by_path(run, "/style.css").seq;
  const int font = by_path(run, "/fonts/body.woff2").seq;
  CHECK(html.find("id=\"req-" + std::to_string(font) + "\"") != std::string::npos);
  CHECK(html.find("data-chain=\"0 " + std::to_string(css) + "\"") != std::string::npos);
  CHECK(html.find("Asked for by <a href=\"#req-0\">#0</a> → <a href=\"#req-" + std::to_string(css) + "\">#" +
                  std::to_string(css) + "</a> → this request, on the") != std::string::npos);
  CHECK(html.find("<b>Critical path</b>") != std::string::npos);
  // The filters are there, hidden until the script shows them.
  CHECK(html.find("<div class=\"tools\" hidden>") != std::string::npos);
  CHECK(html.find("<option value=\"image\">image (30)</option>") != std::string::npos);
  CHECK(html.find("<option value=\"4xx\">4xx (1)</option>") != std::string::npos);
  CHECK(html.find("<option value=\"failed\">failed (1)</option>") != std::string::npos);
  CHECK(count(html, "<details class=\"cx") == run.connections.size());
  CHECK(count(html, "<a class=\"blk ") == 34);  // every request that was sent
}

TEST_CASE("a row says who asked for it on the row itself, linked, as the terminal's from column does") {
  const Run run = synthetic::page(3, false);
  const std::string html = render_html(run);
  const int css = by_path(run, "/style.css").seq;
  const int font = by_path(run, "/fonts/body.woff2").seq;
  const std::string font_row = html.substr(html.find("id=\"req-" + std::to_string(font) + "\""));
  const std::string summary = font_row.substr(0, font_row.find("</summary>"));
  CHECK(summary.find("<span class=\"c-from\"><a href=\"#req-" + std::to_string(css) + "\">←#" + std::to_string(css) +
                     "</a></span>") != std::string::npos);
  // The document was asked for by nobody: an empty cell.
  const std::string doc_row = html.substr(html.find("id=\"req-0\""));
  CHECK(doc_row.substr(0, doc_row.find("</summary>")).find("<span class=\"c-from\"></span>") != std::string::npos);
}

TEST_CASE("the waterfall's caption says the order its rows are in: start order, a request starting when found") {
  Run run = synthetic::page(3, false);
  // A request found early but numbered late (seq order is not start order).
  Request& late = run.requests.back();
  late.discovered_ms = 1;
  const Waterfall w = layout_waterfall(run);
  CHECK(w.rows[1].seq == late.seq);
  for (std::size_t i = 1; i < w.rows.size(); ++i)
    CHECK(row_start_ms(run.requests[w.rows[i - 1].request_index]) <=
          row_start_ms(run.requests[w.rows[i].request_index]));
  const std::string html = render_html(run);
  CHECK(html.find("One row per request in start order, where a request starts when the page finds it") !=
        std::string::npos);
  CHECK(html.find("in the order they started") == std::string::npos);
}

TEST_CASE("by host and by type compare bodies as received with bodies decoded, headers apart") {
  Run run = synthetic::page(3, false);
  Request& css = run.requests[1];
  css.body_bytes = 2000;  // gzip on the wire
  css.body_decoded = 6000;
  const auto hosts = totals_by_host(run);
  REQUIRE_FALSE(hosts.empty());
  int64_t headers = 0, bodies = 0, decoded = 0;
  for (const auto& r : run.requests)
    if (r.host == "example.test") {
      headers += r.header_bytes.value_or(0);
      bodies += r.body_bytes.value_or(0);
      decoded += r.body_decoded.value_or(r.body_bytes.value_or(0));
    }
  CHECK(hosts[0].header_bytes == headers);
  CHECK(hosts[0].body_bytes == bodies);
  CHECK(hosts[0].decoded_bytes == decoded);
  CHECK(hosts[0].decoded_bytes - hosts[0].body_bytes == 4000);  // the one compressed body
  const std::string html = render_html(run);
  CHECK(count(html, "<th>Headers<th>Body received<th>Body decoded") == 2);
  CHECK(html.find("On the wire") == std::string::npos);
}

TEST_CASE("hostile strings in a page's subresource rows, types and connections are shown as text") {
  const std::string html = render_html(synthetic::hostile_page());
  CHECK(count(html, "<script") == 1);  // the report's own
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<svg") == std::string::npos);
  CHECK(html.find("<style>body{display:none}") == std::string::npos);
  CHECK(html.find("onerror=\"") == std::string::npos);
  CHECK(html.find("&lt;/script&gt;&lt;script&gt;document.title") != std::string::npos);
}

TEST_CASE("the critical path of a page cut short counts its last request's queueing as queued, and says the page stopped") {
  Run run = synthetic::page(6, false);
  Request& font = const_cast<Request&>(by_path(run, "/fonts/body.woff2"));
  // The font never left the queue: --max-time cut the page 400 ms after it was found.
  const double found = font.phases.front().span.start_ms;
  const double stop = found + 400;
  const Failure cut{Code::kTimeout, "--max-time reached"};
  font.phases = {PhaseRecord{Phase::kBlocked, {found, stop}, cut}};
  font.span = {found, stop};
  font.failure = cut;
  font.error_phase = Phase::kBlocked;
  font.status.reset();
  run.load_ms = stop;
  run.failure = cut;
  run.outcome = Outcome::kFailed;

  const PageModel m = analyse_page(run);
  REQUIRE(m.last);
  CHECK(run.requests[*m.last].seq == font.seq);
  CHECK(m.path_time.length_ms == Approx(stop));
  CHECK(m.path_time.queued_ms >= Approx(400).margin(0.01));    // not counted as on the network
  CHECK(m.path_time.network_ms <= Approx(found).margin(0.01));  // all of it before the font was found
  const std::string html = render_html(run);
  CHECK(html.find("to when pageload stopped the page") != std::string::npos);
  CHECK(html.find("to its last byte its requests") == std::string::npos);
  CHECK(html.find("Stopped at") != std::string::npos);  // the load marker, not "Fully loaded"
  CHECK(html.find("Fully loaded") == std::string::npos);
}

TEST_CASE("a request that started a fraction of a millisecond after it was found says how long, not 'as soon as'") {
  Run run = synthetic::page(6, false);
  Request& css = const_cast<Request&>(by_path(run, "/style.css"));
  REQUIRE_FALSE(css.phase(Phase::kBlocked));
  css.discovered_ms = css.span.start_ms - 0.4;  // under 1 ms: pageload's own work, no blocked phase
  const std::string html = render_html(run);
  CHECK(html.find("not queued: its own work began 0.40 ms after it was found") != std::string::npos);
}
