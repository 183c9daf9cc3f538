#include "loader/scheduler.h"

#include <catch2/catch.hpp>

#include "loader/priority.h"

using pageload::Priority;
using pageload::ResourceType;
using pageload::loader::chromium_priority;
using pageload::loader::PriorityHints;
using pageload::loader::Scheduler;

namespace {
const std::string kH1 = "http://www.test:80";
const std::string kOther = "http://static.test:80";
const std::string kH2 = "https://www.test:443";
}  // namespace

TEST_CASE("high-priority requests start at once, even before <body>", "[scheduler]") {
  Scheduler s;
  s.add(0, Priority::kHighest, kH1);      // the document: a navigation
  s.add(1, Priority::kHighest, kH1, 0);   // a stylesheet
  s.add(2, Priority::kHigh, kH1, 0);      // a script in <head>
  s.add(3, Priority::kHigh, kH1, 0);      // another
  CHECK(s.start() == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("an image goes while the document and a stylesheet are in flight, as Chromium sends it", "[scheduler]") {
  // Found by the browser comparison (/page/import, /page/preload, /page/base...): the
  // network service's old layout-blocking phase held every image back here, and Chromium
  // opened one connection more than pageload.
  Scheduler s;
  s.add(0, Priority::kHighest, kH1);     // document (not one of the frame's requests)
  s.add(1, Priority::kHighest, kH1, 0);  // stylesheet in <head>
  s.add(2, Priority::kLow, kH1, 0);      // images
  s.add(3, Priority::kLow, kH1, 0);
  CHECK(s.in_tight_mode(0));
  // Tight mode: fewer than two of the frame's requests in flight for one below high.
  CHECK(s.start() == std::vector<int>{0, 1, 2});
  s.finished(0);
  CHECK(s.start().empty());  // the stylesheet and an image: two
  s.finished(1);
  CHECK(s.start() == std::vector<int>{3});
}

TEST_CASE("before <body>, two requests at medium may go besides the two of tight mode", "[scheduler]") {
  Scheduler s;
  s.add(0, Priority::kHighest, kH1, 0);  // stylesheet
  s.add(1, Priority::kHigh, kH1, 0);     // script
  for (int i = 2; i < 5; ++i) s.add(i, Priority::kMedium, kOther, 0);  // boosted images
  s.add(5, Priority::kLow, kOther, 0);
  CHECK(s.start() == std::vector<int>{0, 1, 2, 3});  // kBoostImagePriorityTightMediumLimit
  s.finished(2);
  CHECK(s.start() == std::vector<int>{4});
  s.body_reached(0);
  CHECK(s.start() == std::vector<int>{5});
}

TEST_CASE("navigations and the browser's own fetches do not count against a frame's tight mode", "[scheduler]") {
  Scheduler s;
  s.add(0, Priority::kHighest, kH1);  // the page's document
  s.add(1, Priority::kHighest, kH1);  // an iframe's document
  s.add(2, Priority::kHigh, kH1);     // the icon
  s.add(3, Priority::kLow, kOther, 0);
  s.add(4, Priority::kLow, kOther, 0);
  CHECK(s.start() == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("each frame leaves tight mode at its own <body>", "[scheduler]") {
  Scheduler s;
  for (int i = 0; i < 4; ++i) s.add(i, Priority::kLow, kH1, 0);
  for (int i = 4; i < 8; ++i) s.add(i, Priority::kLow, kOther, 1);
  CHECK(s.start() == std::vector<int>{0, 1, 4, 5});
  s.body_reached(1);
  CHECK_FALSE(s.in_tight_mode(1));
  CHECK(s.in_tight_mode(0));
  CHECK(s.start() == std::vector<int>{6, 7});
}

TEST_CASE("after <body>, delayable requests run six per host", "[scheduler]") {
  Scheduler s;
  s.body_reached(0);
  for (int i = 0; i < 8; ++i) s.add(i, Priority::kLow, kH1, 0);
  CHECK(s.start() == std::vector<int>{0, 1, 2, 3, 4, 5});
  s.finished(2);
  CHECK(s.start() == std::vector<int>{6});
  CHECK(s.pending() == 1);
}

TEST_CASE("the six per host count requests of every priority, the document included", "[scheduler]") {
  Scheduler s;
  s.body_reached(0);
  s.add(0, Priority::kHighest, kH1);
  for (int i = 1; i < 4; ++i) s.add(i, Priority::kHighest, kH1, 0);
  for (int i = 4; i < 8; ++i) s.add(i, Priority::kLow, kH1, 0);
  CHECK(s.start() == std::vector<int>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("a full host does not hold back requests to another host", "[scheduler]") {
  Scheduler s;
  s.body_reached(0);
  for (int i = 0; i < 7; ++i) s.add(i, Priority::kLow, kH1, 0);
  s.add(7, Priority::kLow, kOther, 0);
  CHECK(s.start() == std::vector<int>{0, 1, 2, 3, 4, 5, 7});
}

TEST_CASE("a page keeps ten delayable requests in flight until its images are raised, then six on each host", "[scheduler]") {
  // Chromium on /page/many?n=35 over HTTP/1.1 (CDP): 10 low requests in flight with the
  // stylesheets (kMaxNumDelayableRequestsPerClient); once layout raised the images to high
  // (resourceChangedPriority), 6 on each of a.test, b.test and c.test. Without the raise,
  // the cap held a page to 3 or 4 connections per host (an earlier comparison).
  Scheduler s;
  s.body_reached(0);
  for (int i = 0; i < 21; ++i) s.add(i, Priority::kLow, "http://" + std::string(1, 'a' + i % 3) + ".test:80", 0);
  CHECK(s.start() == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(s.start().empty());
  // The images, laid out: no longer delayable, none waits here; curl's 6 connections per
  // host hold them (each queued for one, as in Chromium's socket pool).
  for (int i = 0; i < 21; ++i) s.raise(i, Priority::kHigh);
  CHECK(s.start() == std::vector<int>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
}

TEST_CASE("a raised request leaves the cap in flight and goes ahead of lower ones while it waits", "[scheduler]") {
  Scheduler s;
  s.body_reached(0);
  for (int i = 0; i < 12; ++i) s.add(i, Priority::kLow, "http://h" + std::to_string(i) + ".test:80", 0);
  CHECK(s.start().size() == 10);  // 10 and 11 wait
  s.raise(11, Priority::kHigh);   // waiting: no longer delayable, it goes
  CHECK(s.start() == std::vector<int>{11});
  s.raise(3, Priority::kHigh);    // in flight: its place under the cap is free
  CHECK(s.start() == std::vector<int>{10});
  s.raise(99, Priority::kHigh);   // unknown: ignored
  CHECK(s.start().empty());
}

TEST_CASE("the per-page cap of delayable requests can be set", "[scheduler]") {
  Scheduler::Limits limits;
  limits.max_delayable = 4;
  Scheduler s(limits);
  s.body_reached(0);
  for (int i = 0; i < 12; ++i) s.add(i, Priority::kLow, "http://h" + std::to_string(i) + ".test:80", 0);
  CHECK(s.start().size() == 4);
  s.finished(0);
  CHECK(s.start() == std::vector<int>{4});
}

TEST_CASE("an origin that speaks HTTP/2 is exempt from the per-host limit", "[scheduler]") {
  Scheduler s;
  s.body_reached(0);
  s.origin_multiplexes(kH2);
  s.add(0, Priority::kHighest, kH2);
  s.add(1, Priority::kHighest, kH2, 0);
  for (int i = 2; i < 20; ++i) s.add(i, Priority::kLow, kH2, 0);
  CHECK(s.start().size() == 20);
}

TEST_CASE("pending requests start highest priority first, then in the order found", "[scheduler]") {
  Scheduler::Limits limits;
  limits.max_per_host = 1;
  Scheduler t(limits);
  t.body_reached(0);
  t.add(0, Priority::kLow, kH1, 0);
  t.add(1, Priority::kLowest, kH1, 0);
  t.add(2, Priority::kMedium, kH1, 0);
  t.add(3, Priority::kLow, kH1, 0);
  CHECK(t.start() == std::vector<int>{2});
  t.finished(2);
  CHECK(t.start() == std::vector<int>{0});
  t.finished(0);
  CHECK(t.start() == std::vector<int>{3});
  t.finished(3);
  CHECK(t.start() == std::vector<int>{1});
}

TEST_CASE("a request that finishes while still pending leaves the queue", "[scheduler]") {
  Scheduler s;
  s.add(0, Priority::kHighest, kH1, 0);
  s.add(1, Priority::kHighest, kH1, 0);
  s.add(2, Priority::kLow, kH1, 0);  // held by the renderer: two in flight
  s.add(3, Priority::kLow, kH1);     // held by the network: none (the browser's)
  CHECK(s.start() == std::vector<int>{0, 1, 3});
  s.finished(2);  // e.g. the page hit --max-time
  CHECK(s.pending() == 0);
  s.finished(0);
  s.finished(1);
  s.finished(3);
  CHECK(s.in_flight() == 0);
  CHECK(s.start().empty());
}

TEST_CASE("priorities follow Chromium's ComputeLoadPriority", "[scheduler]") {
  auto p = [](ResourceType type, auto... setters) {
    PriorityHints h;
    h.type = type;
    (setters(h), ...);
    return chromium_priority(h);
  };
  auto main_doc = [](PriorityHints& h) { h.main_document = true; };
  auto lazy = [](PriorityHints& h) { h.lazy = true; };
  auto late = [](PriorityHints& h) { h.late_in_document = true; };
  auto preload = [](PriorityHints& h) { h.preload = true; };
  auto media_mismatch = [](PriorityHints& h) { h.media_mismatch = true; };
  auto boosted = [](PriorityHints& h) { h.boosted_image = true; };
  auto icon = [](PriorityHints& h) { h.icon = true; };
  auto prefetch = [](PriorityHints& h) { h.prefetch = true; };
  CHECK(p(ResourceType::kDocument, main_doc) == Priority::kHighest);
  CHECK(p(ResourceType::kDocument) == Priority::kHighest);  // an iframe's: DevTools' VeryHigh
  CHECK(p(ResourceType::kImage, boosted) == Priority::kMedium);
  CHECK(p(ResourceType::kImage, icon) == Priority::kHigh);  // the browser's fetch
  CHECK(p(ResourceType::kStylesheet) == Priority::kHighest);
  CHECK(p(ResourceType::kStylesheet, late) == Priority::kMedium);
  CHECK(p(ResourceType::kStylesheet, media_mismatch) == Priority::kLowest);
  CHECK(p(ResourceType::kFont) == Priority::kHighest);
  CHECK(p(ResourceType::kFont, preload) == Priority::kHigh);
  CHECK(p(ResourceType::kScript) == Priority::kHigh);
  CHECK(p(ResourceType::kScript, late) == Priority::kMedium);
  CHECK(p(ResourceType::kScript, lazy) == Priority::kLow);
  CHECK(p(ResourceType::kImage) == Priority::kLow);
  CHECK(p(ResourceType::kOther) == Priority::kHigh);  // a preload as=fetch
  // A prefetch, whatever it is: kLinkPrefetch's VeryLow (it was high: found by a review).
  CHECK(p(ResourceType::kOther, prefetch) == Priority::kLowest);
  CHECK(p(ResourceType::kScript, prefetch) == Priority::kLowest);
  CHECK(pageload::http2_weight(Priority::kHighest) == 256);
  CHECK(pageload::http2_weight(Priority::kLowest) == 110);
}

TEST_CASE("the first five images a document's markup names that are not small go at medium", "[scheduler]") {
  using pageload::loader::ImageBoost;
  ImageBoost boost;
  CHECK_FALSE(boost.take(true, true, false));    // small (width x height <= 10,000): not counted
  CHECK_FALSE(boost.take(false, false, false));  // a CSS background or a preload: not counted
  CHECK_FALSE(boost.take(true, false, true));    // fetchpriority of its own: counted, kept
  for (int i = 0; i < 4; ++i) CHECK(boost.take(true, false, false));
  CHECK_FALSE(boost.take(true, false, false));   // the sixth
}

#include "loader/fetch.h"

TEST_CASE("a fetch goes through its states in order, and can fail in any but the last", "[scheduler]") {
  using pageload::loader::FetchState;
  using pageload::loader::legal_transition;
  const std::vector<FetchState> path{FetchState::kDiscovered, FetchState::kWaitingDns, FetchState::kQueued,
                                     FetchState::kSending,    FetchState::kWaiting,    FetchState::kReceiving,
                                     FetchState::kDone};
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    CHECK(legal_transition(path[i], path[i + 1]));
    if (path[i] != FetchState::kWaitingDns) CHECK_FALSE(legal_transition(path[i + 1], path[i]));
    CHECK(legal_transition(path[i], FetchState::kFailed));
  }
  CHECK(legal_transition(FetchState::kDiscovered, FetchState::kQueued));  // addresses already known
  CHECK_FALSE(legal_transition(FetchState::kDone, FetchState::kFailed));
  CHECK_FALSE(legal_transition(FetchState::kFailed, FetchState::kDone));
  CHECK_FALSE(legal_transition(FetchState::kQueued, FetchState::kReceiving));
  // curl found the connection it meant to reuse closed and no current answer: back to DNS.
  CHECK(legal_transition(FetchState::kQueued, FetchState::kWaitingDns));
  CHECK(legal_transition(FetchState::kSending, FetchState::kWaitingDns));
  CHECK_FALSE(legal_transition(FetchState::kWaiting, FetchState::kWaitingDns));
}
