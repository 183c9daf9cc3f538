// Page loads against the lab's /page/ routes: what a page fetches, who asked for each
// request, how the requests are scheduled and queued, and what a failed subresource does
// to the run. Timing bounds are loose; exact figures belong in bench/.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "core/page_notes.h"
#include "fixtures/lab_fixture.h"
#include "request_lookup.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

std::size_t opened_connections(const Run& run) {
  std::set<int> ids;
  for (const Request& r : run.requests)
    if (r.connection && !r.reused) ids.insert(*r.connection);
  return ids.size();
}

std::optional<double> duration(const Request& r, Phase p) {
  const PhaseRecord* rec = r.phase(p);
  if (!rec) return std::nullopt;
  return rec->span.duration_ms();
}

}  // namespace

TEST_CASE("eighteen slow images over HTTP/1.1 go six connections at a time, the later waves blocked") {
  Run run = load_and_store(lab_options(shared_lab().http_url("www.test", "/page/images")));
  REQUIRE(run.outcome == Outcome::kOk);
  std::vector<const Request*> images;
  for (const Request& r : run.requests)
    if (r.found_by == "img src") images.push_back(&r);
  REQUIRE(images.size() == 18);
  CHECK(opened_connections(run) == 6);
  // Each image waits ~300 ms at the server: the third wave can start only after two.
  std::sort(images.begin(), images.end(), [](auto* a, auto* b) { return a->span.end_ms < b->span.end_ms; });
  CHECK(images.back()->span.end_ms > 800);
  const Request& last = *images.back();
  REQUIRE(last.phase(Phase::kBlocked));
  CHECK(*duration(last, Phase::kBlocked) > 450);  // queued behind two waves
  CHECK_FALSE(last.phase(Phase::kDns));           // the host's one lookup was the document's
  CHECK(last.reused);
  for (const Request* r : images) {
    CHECK(r->resource_type == ResourceType::kImage);
    CHECK(r->priority == Priority::kLow);
    CHECK(r->initiator == 0);
    CHECK(r->http_version == "HTTP/1.1");
  }
}

TEST_CASE("the same images over HTTP/2 share one connection and overlap") {
  Run run = load_and_store(lab_options(shared_lab().https_url("www.test", "/page/images")));
  REQUIRE(run.outcome == Outcome::kOk);
  CHECK(opened_connections(run) == 1);
  CHECK(run.connections.size() == 1);
  CHECK(run.connections.at(0).tls->alpn == "h2");
  double last_end = 0;
  for (const Request& r : run.requests) {
    CHECK(r.http_version == "HTTP/2");
    last_end = std::max(last_end, r.span.end_ms);
  }
  CHECK(last_end < 800);  // one wave of ~300 ms, not three
  REQUIRE(run.load_ms);
  CHECK(*run.load_ms == Approx(last_end));
}

// libcurl 7.88 left a stream's last frames unread after another stream of its connection
// ended (transfer.cpp, kHttp2ReceiveBufferBytes), and the request waited for the lab's
// idle GOAWAY: half the loads of this page took 30 s. Three loads, each given 6 s, so a
// stall ends its load at that --max-time instead of waiting out the 30 s.
TEST_CASE("a page of 1 MB resources over HTTP/2 does not stall until the server's idle GOAWAY") {
  for (int load = 0; load < 3; ++load) {
    LoadOptions o = lab_options(
        shared_lab().https_url("www.test", "/page/many?n=8&size=1000000&stall=" + std::to_string(load)));
    o.max_time_ms = 6000;
    Run run = load_and_store(o);
    INFO("load " << load);
    REQUIRE(run.outcome == Outcome::kOk);
    CHECK(run.figures().failed == 0);
    CHECK(run.requests.size() == 10);  // the document, 8 resources, the icon
    REQUIRE(run.load_ms);
    CHECK(*run.load_ms < 5000);  // tens of milliseconds on an idle machine
    for (const Request& r : run.requests) CHECK(r.http_version == "HTTP/2");
  }
}

// libcurl 7.88 could drop the wake-up of an HTTP/2 transfer whose whole response a sibling
// transfer had read, when a third transfer began in the same pass (Driver::perform): the
// response, answered at once, was then recorded as arriving with the next frames on the
// socket. On /page/scripts the classic head script (no delay) ended with its three
// ?delay=150 siblings in about one load in three. Twelve loads: a regression fails
// nearly every time.
TEST_CASE("an HTTP/2 response answered at once is not recorded as arriving with its slow siblings") {
  for (int load = 0; load < 12; ++load) {
    Run run = load_and_store(lab_options(shared_lab().https_url("www.test", "/page/scripts")));
    INFO("load " << load);
    REQUIRE(run.outcome == Outcome::kOk);
    const Request& fast = by_url(run, "/page/asset/script-classic-head.js");
    const Request& slow = by_url(run, "/page/asset/script-module.mjs?delay=150");
    CHECK(fast.http_version == "HTTP/2");
    CHECK(slow.http_version == "HTTP/2");
    const PhaseRecord* wait = fast.phase(Phase::kWait);
    REQUIRE(wait);
    CHECK(wait->span.duration_ms() < 75);  // a few ms on an idle machine; 150 when late
    CHECK(fast.span.end_ms < slow.span.end_ms - 75);
  }
}

TEST_CASE("with --http1.1 an HTTPS page loads over HTTP/1.1 with several connections") {
  LoadOptions o = lab_options(shared_lab().https_url("www.test", "/page/images"));
  o.http11 = true;
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  CHECK(opened_connections(run) == 6);
  for (const Request& r : run.requests) CHECK(r.http_version == "HTTP/1.1");
}

TEST_CASE("a stylesheet named early is requested before the slow document has finished") {
  for (bool h2 : {false, true}) {
    INFO((h2 ? "HTTP/2" : "HTTP/1.1"));
    auto& lab = shared_lab();
    const std::string url = h2 ? lab.https_url("www.test", "/page/slow-document") : lab.http_url("www.test", "/page/slow-document");
    Run run = load_and_store(lab_options(url));
    REQUIRE(run.outcome == Outcome::kOk);
    const Request& document = run.requests.at(0);
    const Request& sheet = by_url(run, "/page/slow-document/style.css");
    CHECK(document.span.end_ms > 450);                      // its body came 500 ms late
    CHECK(*sheet.discovered_ms < document.span.end_ms - 300);  // found from the head
    CHECK(sheet.span.end_ms < document.span.end_ms);           // and loaded before the body came
    CHECK(sheet.resource_type == ResourceType::kStylesheet);
    CHECK(sheet.priority == Priority::kHighest);
    REQUIRE(run.document_ms);
    CHECK(*run.document_ms == Approx(document.span.end_ms));
  }
}

TEST_CASE("every request names its initiator: the document, a stylesheet, an @import, an iframe") {
  auto& lab = shared_lab();
  Run run = load_and_store(lab_options(lab.https_url("www.test", "/page/import")));
  REQUIRE(run.outcome == Outcome::kOk);
  CHECK_FALSE(run.requests.at(0).initiator);
  const Request& first = by_url(run, "/page/import/first.css");
  const Request& second = by_url(run, "/page/import/second.css");
  const Request& third = by_url(run, "/page/import/third.css");
  CHECK(first.initiator == 0);
  CHECK(second.initiator == first.seq);
  CHECK(second.found_by == "css @import");
  CHECK(third.initiator == second.seq);
  CHECK(by_url(run, "/page/asset/import-third.png").initiator == third.seq);

  Run framed = load_and_store(lab_options(lab.https_url("www.test", "/page/iframe")));
  const Request& frame = by_url(framed, "/page/iframe/frame.html");
  CHECK(frame.resource_type == ResourceType::kDocument);
  CHECK(frame.initiator == 0);
  CHECK(frame.priority == Priority::kHighest);  // what Chromium reports for a frame's document
  CHECK(by_url(framed, "/page/iframe/frame.css").initiator == frame.seq);
  CHECK(by_url(framed, "/page/asset/iframe-child.png").initiator == frame.seq);
  CHECK(by_url(framed, "/page/asset/iframe-child-background.png").initiator == by_url(framed, "/page/iframe/frame.css").seq);
  for (const Request& r : framed.requests) CHECK(r.url.find("/favicon.ico") == std::string::npos);  // it names its icon
}

TEST_CASE("a background named by a stylesheet that arrived before its document ended names the stylesheet as initiator") {
  // Found by the browser comparison: its url()s waited for the finished document and were
  // handed over with the document's references, as if the document had named them.
  Run run = load_and_store(lab_options(shared_lab().http_url("www.test", "/page/slow-document")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& sheet = by_url(run, "/page/slow-document/style.css");
  const Request& background = by_url(run, "/page/asset/slow-document-body.png");
  CHECK(sheet.span.end_ms < run.requests.at(0).span.end_ms);  // the sheet came first
  CHECK(background.initiator == sheet.seq);
  CHECK(by_url(run, "/page/asset/slow-document-late.png").initiator == 0);
}

TEST_CASE("backgrounds wait for every render-blocking stylesheet, @imports included, then go together") {
  // Found by the browser comparison (/page/import over HTTP/1.1): Chromium asks for a
  // sheet's url()s when it computes style, once no stylesheet of <head> (or one it imports)
  // is loading: four images at once on four connections, where pageload sent each as its
  // sheet arrived, on connections the sheets had left idle.
  Run run = load_and_store(lab_options(shared_lab().http_url("www.test", "/page/import")));
  REQUIRE(run.outcome == Outcome::kOk);
  double sheets_done = 0;
  for (const char* css : {"first.css", "second.css", "third.css", "inline.css"})
    sheets_done = std::max(sheets_done, by_url(run, std::string("/page/import/") + css).span.end_ms);
  for (const char* png : {"import-first.png", "import-second.png", "import-third.png", "import-inline.png"}) {
    INFO(png);
    CHECK(*by_url(run, std::string("/page/asset/") + png).discovered_ms >= sheets_done - 1);
  }
}

TEST_CASE("async and defer scripts wait in Blink's tight mode until the parser passes the script of <head>, then go beside the requests still in flight") {
  // Blink's tight mode lasts until the parser inserts <body>, which a parser-blocking
  // script of <head> holds up until it has loaded: found by the browser comparison
  // (/page/scripts), where pageload sent them as soon as <body> was scanned and opened
  // one connection more than Chromium. The page's other scripts answer 150 ms after the
  // head script, so each of the two finds two of them still in flight when it goes: tight
  // mode holds low-priority requests back while two or more are, and is over by then.
  // (This test was [!mayfail] for a stop: its old check counted requests in flight when
  // the two went, which a race between the head script and the rest decided.)
  lab::LabOptions slow;
  slow.page_delay = std::chrono::milliseconds(150);  // each answer 150 ms late: the head script too
  auto started = lab::Lab::start(slow);
  REQUIRE(started.ok());
  lab::Lab& lab = **started;
  LoadOptions o = lab_options(lab.http_url("www.test", "/page/scripts"));
  o.dns_servers = {lab.dns_server()};
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  auto sent = [](const Request& r) { return r.phase(Phase::kSend)->span.start_ms; };
  const Request& head = by_url(run, "/page/asset/script-classic-head.js");
  for (const char* lazy : {"/page/asset/script-async.js", "/page/asset/script-defer.js"}) {
    INFO(lazy);
    const Request& r = by_url(run, lazy);
    REQUIRE(r.phase(Phase::kSend));
    CHECK(r.phase(Phase::kBlocked));  // it waited
    CHECK(sent(r) >= head.span.end_ms - 1);  // for the head script, not for a free slot
    int others = 0;  // the page's own requests on the network when it went
    for (const Request& q : run.requests)
      if (&q != &r && q.resource_type != ResourceType::kDocument && q.phase(Phase::kSend) &&
          sent(q) < sent(r) - 1 && q.span.end_ms > sent(r) + 1)
        ++others;
    CHECK(others >= 2);
  }
  CHECK(opened_connections(run) == 5);  // as Chromium on this page: the two did not queue
}

TEST_CASE("a page keeps six connections busy on each of three hosts over HTTP/1.1") {
  // Found by the browser comparison (/page/many?n=35): Chromium holds 18 low-priority
  // requests in flight; pageload's cap of 10 per page held it to 3 or 4 per host.
  Run run = load_and_store(lab_options(shared_lab().http_url("www.test", "/page/many?n=35&each=150")));
  REQUIRE(run.outcome == Outcome::kOk);
  std::map<std::string, std::set<int>> opened;
  for (const Request& r : run.requests)
    if (r.connection && !r.reused) opened[r.host].insert(*r.connection);
  for (const char* host : {"a.test", "b.test", "c.test"}) {
    INFO(host);
    CHECK(opened[host].size() == 6);
  }
  CHECK(opened["www.test"].size() == 1);  // the icon reuses the document's connection
}

TEST_CASE("a third-party host that does not resolve fails its requests once each, not the page") {
  Run run = load_and_store(lab_options(shared_lab().https_url("www.test", "/page/third-party")));
  CHECK(run.outcome == Outcome::kOk);
  CHECK(run.exit_status() == 0);
  CHECK_FALSE(run.failure);
  const Request& image = by_url(run, "/page/asset/third-party-missing.png");
  const Request& script = by_url(run, "/page/asset/third-party-missing.js");
  for (const Request* r : {&image, &script}) {
    REQUIRE(r->failure);
    CHECK(r->failure->code == Code::kDnsNxdomain);
    CHECK(r->error_phase == Phase::kDns);
    CHECK(r->dns_lookup);
  }
  // One lookup of nxdomain.test for the page: the second request learnt the answer.
  int lookups = 0;
  for (const DnsLookup& l : run.dns_lookups) lookups += l.host == "nxdomain.test";
  CHECK(lookups == 1);
  CHECK(image.dns_lookup == script.dns_lookup);
  CHECK(by_url(run, "/page/asset/third-party-local.png").status == 200);
  CHECK(run.figures().failed == 2);
}

TEST_CASE("one DNS lookup per host per page: only the request that asked has a dns phase") {
  Run run = load_and_store(lab_options(shared_lab().https_url("www.test", "/page/cross-host")));
  REQUIRE(run.outcome == Outcome::kOk);
  std::map<std::string, int> dns_phases, lookups;
  for (const Request& r : run.requests)
    if (r.phase(Phase::kDns)) ++dns_phases[r.host];
  for (const DnsLookup& l : run.dns_lookups)
    if (l.source == "dns") ++lookups[l.host];
  CHECK(dns_phases.size() >= 3);  // the page's host and two others
  for (const auto& [host, n] : dns_phases) {
    INFO(host);
    CHECK(n == 1);
    CHECK(lookups[host] == 1);
  }
}

TEST_CASE("a stylesheet served as text/plain is fetched but not applied") {
  Run run = load_and_store(lab_options(shared_lab().https_url("www.test", "/page/wrong-type")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& plain = by_url(run, "/page/wrong-type/plain.css");
  CHECK(plain.status == 200);
  REQUIRE_FALSE(plain.warnings.empty());
  CHECK(plain.warnings[0].find("not applied") != std::string::npos);
  for (const Request& r : run.requests) CHECK(r.initiator != plain.seq);  // nothing it names
  CHECK(by_url(run, "/page/asset/wrong-type-applied.png").status == 200);  // the right one applies
}

TEST_CASE("of a font family split by unicode-range, a Latin page fetches only the latin subset") {
  Run run = load_and_store(lab_options(shared_lab().https_url("www.test", "/page/font-subsets")));
  REQUIRE(run.outcome == Outcome::kOk);
  std::vector<std::string> fonts;
  for (const Request& r : run.requests)
    if (r.resource_type == ResourceType::kFont) fonts.push_back(r.url.substr(r.url.find("/page/")));
  // Not the cyrillic, greek or latin-ext subsets, the bold latin face, nor the face of
  // U+0400-04FF set on Latin text.
  CHECK(fonts == std::vector<std::string>{"/page/asset/lab-subsets-latin.woff2"});
  CHECK(by_url(run, "/page/asset/lab-subsets-latin.woff2").status == 200);
}

TEST_CASE("a document served as application/octet-stream is downloaded, not parsed") {
  Run run = load_and_store(lab_options(shared_lab().https_url("www.test", "/page/octet-stream")));
  CHECK(run.outcome == Outcome::kOk);
  CHECK(run.requests.size() == 1);
}

// Chromium's network service sniffs a response without a usable type (net::SniffForHTML),
// and renders one whose first bytes read as HTML: pageload said "not parsed" (a review).
TEST_CASE("a document with no Content-Type is sniffed as HTML from its first bytes unless it says nosniff") {
  auto& lab = shared_lab();
  for (const std::string& url : {lab.http_url("www.test", "/page/no-content-type"),
                                 lab.https_url("www.test", "/page/no-content-type")}) {
    INFO(url);
    Run run = load_and_store(lab_options(url));
    CHECK(run.outcome == Outcome::kOk);
    CHECK(run.requests[0].content_type.empty());
    CHECK(run.requests[0].note.find(kSniffedAsHtmlNote) != std::string::npos);
    CHECK(by_url(run, "/page/asset/no-content-type.css").status == 200);
    CHECK(by_url(run, "/page/asset/no-content-type.png").status == 200);
    CHECK(document_not_parsed_note(run).empty());
  }
  Run nosniff = load_and_store(lab_options(
      lab.http_url("www.test", "/page/no-content-type?header=X-Content-Type-Options:%20nosniff")));
  CHECK(nosniff.requests.size() == 1);
  CHECK(nosniff.requests[0].note.find(kNosniffNote) != std::string::npos);
  CHECK(document_not_parsed_note(nosniff) ==
        "the document has no Content-Type and says X-Content-Type-Options: nosniff: not parsed, so nothing it names was "
        "fetched");
  // A type that names nothing is sniffed too; a body that does not start like HTML is not it.
  Run unknown = load_and_store(
      lab_options(lab.http_url("www.test", "/page/octet-stream?header=Content-Type:%20unknown/unknown")));
  CHECK(unknown.requests[0].note.find(kSniffedAsHtmlNote) != std::string::npos);
  CHECK(by_url(unknown, "/page/asset/octet-stream-never.css").status == 200);
  Run json = load_and_store(lab_options(lab.http_url("www.test", "/echo?header=Content-Type:%20unknown/unknown")));
  CHECK(json.requests.size() == 1);
  CHECK(json.requests[0].note.find(kSniffedAsHtmlNote) == std::string::npos);
  CHECK(json.requests[0].note.find(kSniffedNotHtmlNote) != std::string::npos);
}

TEST_CASE("with --document-only the document's redirect chain loads and nothing it names") {
  auto& lab = shared_lab();
  LoadOptions o = lab_options(lab.http_url("www.test", "/redirect/302?to=/page/images"));
  o.document_only = true;
  Run run = load_and_store(o);
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 2);
  CHECK(run.requests[1].initiator == 0);
  CHECK(run.requests[1].found_by == "redirect");
  CHECK(run.requests[1].resource_type == ResourceType::kDocument);
}

TEST_CASE("each URL is requested once per page, however often it is named") {
  Run run = load_and_store(lab_options(shared_lab().https_url("www.test", "/page/duplicates")));
  REQUIRE(run.outcome == Outcome::kOk);
  std::multiset<std::string> urls;
  for (const Request& r : run.requests) urls.insert(r.url);
  for (const auto& u : urls) {
    INFO(u);
    CHECK(urls.count(u) == 1);
  }
}

TEST_CASE("with --max-requests a page is bounded and says how many references were left") {
  LoadOptions o = lab_options(shared_lab().https_url("www.test", "/page/images"));
  o.max_requests = 5;
  Run run = load_and_store(o);
  CHECK(run.outcome == Outcome::kOk);
  CHECK(run.requests.size() == 5);
  REQUIRE(run.warnings.size() == 1);
  CHECK(run.warnings[0].find("15 more references not fetched (--max-requests 5)") != std::string::npos);
}

TEST_CASE("when --max-time passes during a page, what is still queued fails as a timeout and the rest is kept") {
  LoadOptions o = lab_options(shared_lab().http_url("www.test", "/page/images"));
  o.max_time_ms = 450;  // the first wave of images (300 ms) finishes, the second cannot
  Run run = load_and_store(o);
  CHECK(run.final_status == 200);  // the document itself loaded; the page did not (page_cut_test)
  int ok = 0, timed_out = 0;
  for (const Request& r : run.requests) {
    if (r.status == 200) ++ok;
    if (r.failure && r.failure->code == Code::kTimeout) ++timed_out;
  }
  CHECK(ok >= 7);  // the document, its icon and the first wave
  CHECK(timed_out >= 6);
  CHECK(ok + timed_out == static_cast<int>(run.requests.size()));
  REQUIRE(run.load_ms);
  CHECK(*run.load_ms < 1500);
}

TEST_CASE("a page's requests are recorded in the order found, with Chromium's priorities") {
  Run run = load_and_store(lab_options(shared_lab().https_url("www.test", "/page/scripts")));
  REQUIRE(run.outcome == Outcome::kOk);
  for (std::size_t i = 0; i < run.requests.size(); ++i) {
    CHECK(run.requests[i].seq == static_cast<int>(i));
    if (i) CHECK(*run.requests[i].discovered_ms >= *run.requests[i - 1].discovered_ms);
  }
  for (const Request& r : run.requests) {
    if (r.resource_type != ResourceType::kScript) continue;
    INFO(r.found_by);
    // As Chromium: a module script is High, async or not; a classic async or defer one Low.
    const bool module = r.found_by.find("module") != std::string::npos;
    const bool lazy = r.found_by.find("async") != std::string::npos || r.found_by.find("defer") != std::string::npos;
    if (module) CHECK(r.priority == Priority::kHigh);
    else if (lazy) CHECK(r.priority == Priority::kLow);
    else CHECK((r.priority == Priority::kHigh || r.priority == Priority::kMedium));
  }
}

TEST_CASE("the page's icon is asked for after its other fetches, on a connection they left idle, as Chromium's browser asks after the load event") {
  // Found by browser tests: asked for at once, the icon opened a connection of its own over
  // HTTP/1.1 where Chromium reuses one.
  for (const char* path : {"/page/favicon", "/page/scripts"}) {
    INFO(path);
    Run run = load_and_store(lab_options(shared_lab().http_url("www.test", path)));
    REQUIRE(run.outcome == Outcome::kOk);
    const Request& icon = run.requests.back();
    CHECK((icon.found_by == "default /favicon.ico" || icon.found_by == "link rel=icon"));
    REQUIRE(icon.discovered_ms);
    for (const Request& r : run.requests)
      if (&r != &icon) CHECK(*icon.discovered_ms >= r.span.end_ms);
    CHECK(icon.reused);
    CHECK(icon.status == 200);
  }
}

TEST_CASE("a stylesheet whose references grow the page's list of fetches is finished without reading freed memory") {
  // It read its own fetch after the references it named had moved the list (a crash of
  // `pageload run` on /page/fonts over HTTP; the sanitizer build sees it on any of these).
  for (const char* path : {"/page/fonts", "/page/import", "/page/backgrounds", "/page/showcase"}) {
    INFO(path);
    Run run = load_and_store(lab_options(shared_lab().http_url("www.test", path)));
    CHECK(run.outcome == Outcome::kOk);
    for (const Request& r : run.requests)
      if (r.resource_type == ResourceType::kStylesheet) CHECK(r.status == 200);
  }
}

TEST_CASE("a page whose last request is its icon ends when the icon does, not a loop timeout later") {
  // Handed to curl with nothing else in flight, the icon waited for the loop's one-second
  // poll before curl started it (found by the page benchmark over HTTP/2: 1.1 s for a
  // page that loads in 30 ms).
  for (const bool tls : {true, false}) {
    INFO((tls ? "https" : "http"));
    const auto t0 = std::chrono::steady_clock::now();
    Run run = load_and_store(lab_options(tls ? shared_lab().https_url("www.test", "/page/favicon")
                                             : shared_lab().http_url("www.test", "/page/favicon")));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(run.outcome == Outcome::kOk);
    CHECK(run.requests.back().url.find("/favicon.ico") != std::string::npos);
    CHECK(ms < 700);  // loose: the page takes tens of ms; the bug added 1000
  }
}

TEST_CASE("pageload's parsing of a document is not counted as the document's download") {
  // Found by a review: discovery ran inside curl's read of the body, so a 164 KB document
  // the lab sends at once "took" 90 to 500 ms to arrive (0.04 ms with --document-only),
  // and every reference was found before its last byte was recorded. The bytes are now
  // scanned after curl has read what is there.
  Run run = load_and_store(lab_options(shared_lab().http_url("www.test", "/page/many?n=300")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& document = run.requests.at(0);
  REQUIRE(document.phase(Phase::kReceive));
  const double last_byte = document.phase(Phase::kReceive)->span.end_ms;
  int after = 0, subresources = 0;
  for (const Request& r : run.requests) {
    if (r.seq == 0 || !r.discovered_ms || r.found_by == "link rel=icon") continue;
    ++subresources;
    after += *r.discovered_ms >= last_byte;
  }
  REQUIRE(subresources >= 300);
  CHECK(after * 2 > subresources);  // found once the bytes were in, not while they were read
}

// Two Content-Type fields: the last decides, as in Chromium (GetMimeTypeAndCharset) and as
// the row stores it (curl's). Reading the first parsed a page the row called JSON.
TEST_CASE("a document with two Content-Type fields is parsed or not by the last one") {
  auto& lab = shared_lab();
  Run json = load_and_store(lab_options(lab.https_url("www.test", "/page/images?header=Content-Type:%20application/json")));
  CHECK(json.outcome == Outcome::kOk);
  CHECK(json.requests.size() == 1);  // not HTML: none of its 18 images
  CHECK(json.requests[0].content_type == "application/json");
  Run html = load_and_store(lab_options(lab.https_url("www.test", "/echo?header=Content-Type:%20text/html")));
  CHECK(html.outcome == Outcome::kOk);
  CHECK(html.requests[0].content_type == "text/html");
  REQUIRE(html.requests.size() == 2);  // parsed: the page's icon
  CHECK(html.requests[1].url.find("/favicon.ico") != std::string::npos);
  // A value Chromium cannot use (no type/subtype, */*, empty) is skipped, and a field's
  // comma-separated values count one by one: the last valid one wins.
  for (const char* second : {"garbage", "*/*", "", "application/json;x=1,%20text/html"}) {
    INFO(second);
    Run run = load_and_store(lab_options(lab.https_url("www.test", std::string("/page/images?header=Content-Type:%20") + second)));
    CHECK(run.requests.size() == 20);  // parsed: 18 images and the icon
    CHECK(run.requests[0].content_type.rfind("text/html", 0) == 0);
  }
}

TEST_CASE("a prefetch goes at Chromium's lowest priority, a Link header's too") {
  auto& lab = shared_lab();
  Run run = load_and_store(
      lab_options(lab.https_url("www.test", "/page/favicon?header=Link:%20%3C/page/asset/pf.js%3E;rel=prefetch")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& pf = by_url(run, "/page/asset/pf.js");
  CHECK(pf.found_by.find("prefetch") != std::string::npos);
  CHECK(pf.priority == Priority::kLowest);
}

// An <iframe srcdoc> is a frame: --max-frame-depth bounds it as it bounds <iframe src> (it
// did not: a review found the srcdoc's stylesheet and images fetched with depth 0).
TEST_CASE("the frame depth limit bounds iframe srcdoc documents too and the document says so") {
  auto& lab = shared_lab();
  LoadOptions o = lab_options(lab.https_url("www.test", "/page/srcdoc"));
  o.max_frame_depth = 0;
  Run none = load_and_store(o);
  REQUIRE(none.outcome == Outcome::kOk);
  for (const Request& r : none.requests) CHECK(r.found_by.find("iframe srcdoc") == std::string::npos);
  // The document's row and the run each say it once, with the bound the user gave.
  CHECK(none.requests[0].warnings ==
        std::vector<std::string>{"1 iframe srcdoc document not read: nested deeper than --max-frame-depth 0 allows"});
  CHECK(std::count(none.warnings.begin(), none.warnings.end(),
                   "1 iframe srcdoc document not read: nested deeper than --max-frame-depth 0 allows") == 1);
  o.max_frame_depth = 1;  // the srcdoc, not the srcdoc inside it
  Run one = load_and_store(o);
  CHECK(std::count(one.warnings.begin(), one.warnings.end(),
                   "1 iframe srcdoc document not read: nested deeper than --max-frame-depth 1 allows") == 1);
  CHECK(std::none_of(one.requests.begin(), one.requests.end(),
                     [](const Request& r) { return r.url.find("srcdoc-nested.png") != std::string::npos; }));
  CHECK(by_url(one, "/page/asset/srcdoc-image.png").status == 200);
  // An <iframe src> inside the srcdoc is a frame two deep: not at depth 1 (a review found it
  // loaded, as if the srcdoc were no frame), counted as the iframe it is.
  CHECK(std::none_of(one.requests.begin(), one.requests.end(),
                     [](const Request& r) { return r.url.find("/page/srcdoc/frame.html") != std::string::npos; }));
  CHECK(std::count(one.warnings.begin(), one.warnings.end(), "1 iframe not loaded: deeper than --max-frame-depth 1 allows") ==
        1);
  o.max_frame_depth = 2;
  Run two = load_and_store(o);
  CHECK(by_url(two, "/page/srcdoc/frame.html").status == 200);
  CHECK(by_url(two, "/page/asset/srcdoc-frame-image.png").status == 200);
  o.max_frame_depth = 3;
  Run all = load_and_store(o);
  CHECK(by_url(all, "/page/asset/srcdoc-nested.png").status == 200);
  CHECK(by_url(all, "/page/asset/srcdoc-frame-image.png").status == 200);
  for (const std::string& w : all.warnings) CHECK(w.find("srcdoc") == std::string::npos);
}

// Chromium learns that an origin speaks HTTP/2 when its connection is set up (ALPN), not when
// a response ends: pageload held 21 of /page/many's requests ~300 ms as HTTP/1.1 ones (the
// cap of 10 and 6 per host) until the first slow response came back.
TEST_CASE("over HTTP/2 a page's low-priority requests go once the connection says h2, not after a response") {
  Run run = load_and_store(lab_options(shared_lab().https_url("www.test", "/page/many?n=35&each=300")));
  REQUIRE(run.outcome == Outcome::kOk);
  for (const Request& r : run.requests) {
    INFO("#" << r.seq << " " << r.url);
    CHECK(r.http_version == "HTTP/2");
    if (auto blocked = duration(r, Phase::kBlocked)) CHECK(*blocked < 200);  // a 300 ms response would be >= 300
  }
}
