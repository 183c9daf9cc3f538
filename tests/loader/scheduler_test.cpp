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
  s.add(0, Priority::kHighest, kH1);  // the document
  s.add(1, Priority::kHighest, kH1);  // a stylesheet
  s.add(2, Priority::kHigh, kH1);     // a script in <head>
  CHECK(s.start() == std::vector<int>{0, 1, 2});
}

TEST_CASE("before <body>, a layout-blocking stylesheet in flight holds every image back", "[scheduler]") {
  Scheduler s;
  s.add(0, Priority::kHighest, kH1);  // document
  s.add(1, Priority::kHighest, kH1);  // stylesheet in <head>
  s.add(2, Priority::kLow, kH1);      // image
  CHECK(s.start() == std::vector<int>{0, 1});  // two non-delayable in flight: no image
  s.finished(0);
  // One non-delayable in flight and no delayable one yet: one image may go.
  CHECK(s.start() == std::vector<int>{2});
  s.add(3, Priority::kLow, kH1);
  CHECK(s.start().empty());  // one delayable already in flight while layout-blocking
  s.finished(1);             // the stylesheet is done, but <body> is not parsed yet
  CHECK(s.start().empty());
  s.body_reached();
  CHECK(s.start() == std::vector<int>{3});
}

TEST_CASE("after <body> and with nothing layout-blocking, delayable requests run six per host", "[scheduler]") {
  Scheduler s;
  s.body_reached();
  for (int i = 0; i < 8; ++i) s.add(i, Priority::kLow, kH1);
  CHECK(s.start() == std::vector<int>{0, 1, 2, 3, 4, 5});
  s.finished(2);
  CHECK(s.start() == std::vector<int>{6});
  CHECK(s.pending() == 1);
}

TEST_CASE("a full host does not hold back requests to another host", "[scheduler]") {
  Scheduler s;
  s.body_reached();
  for (int i = 0; i < 7; ++i) s.add(i, Priority::kLow, kH1);
  s.add(7, Priority::kLow, kOther);
  CHECK(s.start() == std::vector<int>{0, 1, 2, 3, 4, 5, 7});
}

TEST_CASE("no more than ten delayable requests are in flight for a page", "[scheduler]") {
  Scheduler s;
  s.body_reached();
  for (int i = 0; i < 12; ++i) s.add(i, Priority::kLow, "http://h" + std::to_string(i) + ".test:80");
  CHECK(s.start().size() == 10);
  s.finished(0);
  CHECK(s.start() == std::vector<int>{10});
}

TEST_CASE("an origin that speaks HTTP/2 is exempt from the delayable limits", "[scheduler]") {
  Scheduler s;
  s.origin_multiplexes(kH2);
  s.add(0, Priority::kHighest, kH2);
  s.add(1, Priority::kHighest, kH2);
  for (int i = 2; i < 20; ++i) s.add(i, Priority::kLow, kH2);
  CHECK(s.start().size() == 20);  // before <body>, with a stylesheet in flight
}

TEST_CASE("pending requests start highest priority first, then in the order found", "[scheduler]") {
  Scheduler t(Scheduler::Limits{10, 1, 1, 1});
  t.body_reached();
  t.add(0, Priority::kLow, kH1);
  t.add(1, Priority::kLowest, kH1);
  t.add(2, Priority::kMedium, kH1);
  t.add(3, Priority::kLow, kH1);
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
  s.add(0, Priority::kHighest, kH1);
  s.add(1, Priority::kHighest, kH1);
  s.add(2, Priority::kLow, kH1);
  s.start();
  s.finished(2);  // e.g. the page hit --max-time
  CHECK(s.pending() == 0);
  s.finished(0);
  s.finished(1);
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
  CHECK(p(ResourceType::kDocument, main_doc) == Priority::kHighest);
  CHECK(p(ResourceType::kDocument) == Priority::kLow);  // an iframe: net::LOWEST
  CHECK(p(ResourceType::kStylesheet) == Priority::kHighest);
  CHECK(p(ResourceType::kStylesheet, late) == Priority::kMedium);
  CHECK(p(ResourceType::kStylesheet, media_mismatch) == Priority::kLowest);
  CHECK(p(ResourceType::kFont) == Priority::kHighest);
  CHECK(p(ResourceType::kFont, preload) == Priority::kHigh);
  CHECK(p(ResourceType::kScript) == Priority::kHigh);
  CHECK(p(ResourceType::kScript, late) == Priority::kMedium);
  CHECK(p(ResourceType::kScript, lazy) == Priority::kLow);
  CHECK(p(ResourceType::kImage) == Priority::kLow);
  CHECK(pageload::http2_weight(Priority::kHighest) == 256);
  CHECK(pageload::http2_weight(Priority::kLowest) == 110);
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
