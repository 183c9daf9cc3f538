// Chromium's request scheduling for one page: which of the requests found so far may go
// to the network now. Pure bookkeeping without a clock or I/O: the loader says what was
// found, what finished and what it learned, and asks what may start.
//
// Chromium holds a request back in two places, and so does this class, in two stages:
//  1. The frame's renderer (Blink's ResourceLoadScheduler, one per frame) grants a page's
//     requests. Until the frame's parser inserts <body> it is in "tight" mode: a request
//     below high starts only while fewer than 2 of the frame's requests are in flight
//     (kTightLimitForRendererSideResourceScheduler), or, a medium one, while fewer than 2
//     medium ones are (kBoostImagePriorityTightMediumLimit). After <body> nothing waits
//     here. Navigations (a document, an iframe's document) and the browser's own fetches
//     (the icon) do not pass through a frame's renderer: they skip this stage and do not
//     count in it.
//  2. The network service (services/network/resource_scheduler, ShouldStartRequest) holds
//     a granted request that is delayable (below high, to an origin without HTTP/2, which
//     orders requests itself) while 6 requests of any priority are in flight to its host
//     (kMaxNumDelayableRequestsPerHostPerClient; it looks at the next one), or while 10
//     delayable requests of the page are (kMaxNumDelayableRequestsPerClient). What is
//     delayable is decided by a request's priority now, not its first: once layout has
//     run, Blink raises the images it laid out to high (DevTools' resourceChangedPriority),
//     and they leave the cap; raise() is that. So on /page/many over HTTP/1.1 Chromium
//     first sends the 4 stylesheets and 10 low requests, then, its stylesheets in and the
//     images raised, keeps 6 connections busy on each of three hosts. The network
//     service's old layout-blocking phase is not what Chromium does today: it sends an
//     image while the document and a stylesheet are in flight
//     (tests/browser/compare_pages.mjs measures it).
// Each stage considers its pending requests highest priority first, first come first
// served within a priority; the renderer's stage stops at the first it cannot grant.
// A redirect keeps its request's place: the loader calls finished() once the chain ends.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "pageload/resource.h"

namespace pageload::loader {

class Scheduler {
 public:
  using Id = int;
  using Frame = int;  // the loader's document index of the frame whose renderer asks
  static constexpr Frame kBrowser = -1;  // a navigation or the browser's own fetch

  struct Limits {
    std::size_t max_per_host = 6;         // kMaxNumDelayableRequestsPerHostPerClient
    std::size_t tight_limit = 2;          // kTightLimitForRendererSideResourceScheduler
    std::size_t tight_medium_limit = 2;   // kBoostImagePriorityTightMediumLimit
    std::size_t max_delayable = 10;       // kMaxNumDelayableRequestsPerClient
  };

  Scheduler() = default;
  explicit Scheduler(Limits limits) : limits_(limits) {}

  // A request was found by `frame`'s renderer (kBrowser: a navigation or the browser's
  // fetch). `origin` is "scheme://host:port" (what a connection serves), with " without
  // credentials" for the page's second pool, counted apart. Ids are the
  // caller's and must be unique.
  void add(Id id, Priority priority, std::string origin, Frame frame = kBrowser);
  // `frame`'s parser inserted <body> (or its document ended without one): its renderer
  // leaves tight mode.
  void body_reached(Frame frame);
  // `origin` answered over HTTP/2: its requests are no longer delayable.
  void origin_multiplexes(const std::string& origin);
  // The request's priority changed to `priority` (Blink raising an image it laid out):
  // it is scheduled by that from now on, and leaves the cap on delayable requests if it
  // is in flight and no longer delayable. Unknown ids are ignored.
  void raise(Id id, Priority priority);
  // The request (its redirect chain included) is no longer on the network.
  void finished(Id id);
  // Marks in flight and returns, in order, every pending request that may start now.
  std::vector<Id> start();

  std::size_t pending() const { return entries_.size() - in_flight_.size(); }
  std::size_t in_flight() const { return in_flight_.size(); }
  bool in_tight_mode(Frame frame) const { return frame != kBrowser && !bodies_.count(frame); }

 private:
  struct Entry {
    Priority priority;
    std::string origin;
    Frame frame = kBrowser;
    unsigned long fifo = 0;
    bool granted = false;    // past the renderer's stage
    bool delayable = false;  // decided when it starts
  };
  enum class Decision { kStart, kKeepSearching, kStopSearching };
  // Scheduling order: highest priority first, then first come.
  struct Order {
    bool operator()(const std::pair<const Entry*, Id>& a, const std::pair<const Entry*, Id>& b) const {
      if (a.first->priority != b.first->priority) return a.first->priority > b.first->priority;
      return a.first->fifo < b.first->fifo;
    }
  };
  using Queue = std::set<std::pair<const Entry*, Id>, Order>;

  void grant(Entry& e, Id id);
  bool renderer_may_grant(const Entry& e) const;
  Decision should_start(const Entry& e) const;
  bool delayable(const Entry& e) const;
  bool delayable_at(const Entry& e, Priority priority) const;

  Limits limits_;
  std::set<Frame> bodies_;  // frames past tight mode
  std::set<std::string> multiplexed_;
  std::map<Id, Entry> entries_;
  std::map<Frame, Queue> renderer_pending_;  // waiting for their frame's renderer
  std::map<Frame, std::size_t> renderer_running_;         // granted, not finished
  std::map<Frame, std::size_t> renderer_running_medium_;  // of those, at medium
  Queue network_pending_;  // granted, waiting for the network service
  std::set<Id> in_flight_;
  std::map<std::string, std::size_t> in_flight_by_origin_;  // of in_flight_, per origin
  std::size_t in_flight_delayable_ = 0;
  bool changed_ = false;  // since the last start(): what may start could differ
  unsigned long next_fifo_ = 0;
};

}  // namespace pageload::loader
