// Chromium's resource scheduler for one page (services/network/resource_scheduler/
// resource_scheduler.cc, one "client"): which of the requests found so far may go to
// the network now. Pure bookkeeping without a clock or I/O: the loader says what was
// found, what finished and what it learned, and asks what may start.
//
// The rules, as ShouldStartRequest applies them:
//  - A request that is not delayable starts at once: priority high or above, or an
//    origin that multiplexes (HTTP/2 supports priorities, so the network can order
//    them itself).
//  - A delayable request (below high, on an HTTP/1.x origin) waits while
//      10 delayable requests are in flight for the page (stop looking), or
//      6 requests of any priority are in flight to its host (look at the next one), or
//      the page is in its layout-blocking phase — <body> not yet parsed, or a
//      layout-blocking request (high or above, found before <body>: a stylesheet, a
//      script in <head>) in flight — and either more than one non-delayable request or
//      already one delayable request is in flight (stop looking).
//  - Pending requests are considered highest priority first, first come first served
//    within a priority.
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

  struct Limits {
    std::size_t max_delayable = 10;                   // kMaxNumDelayableRequestsPerClient
    std::size_t max_per_host = 6;                     // kMaxNumDelayableRequestsPerHostPerClient
    std::size_t max_delayable_while_layout_blocking = 1;
    std::size_t non_delayable_threshold = 1;          // kInFlightNonDelayableRequestCountPerClientThreshold
  };

  Scheduler() = default;
  explicit Scheduler(Limits limits) : limits_(limits) {}

  // A request was found. `origin` is "scheme://host:port" (what a connection serves).
  // Ids are the caller's and must be unique.
  void add(Id id, Priority priority, std::string origin);
  // The document's <body> has been parsed (or the document ended without one).
  void body_reached();
  // `origin` answered over HTTP/2: its requests are no longer delayable.
  void origin_multiplexes(const std::string& origin);
  // The request (its redirect chain included) is no longer on the network.
  void finished(Id id);
  // Marks in flight and returns, in order, every pending request that may start now.
  std::vector<Id> start();

  std::size_t pending() const { return pending_.size(); }
  std::size_t in_flight() const { return in_flight_.size(); }
  bool in_layout_blocking_phase() const { return !body_reached_ || layout_blocking_in_flight_ > 0; }

 private:
  struct Entry {
    Priority priority;
    std::string origin;
    unsigned long fifo = 0;
    bool layout_blocking = false;  // high or above, found before <body>
    bool delayable = false;        // decided when it starts
  };
  enum class Decision { kStart, kKeepSearching, kStopSearching };
  Decision should_start(const Entry& e) const;
  bool delayable(const Entry& e) const;

  Limits limits_;
  bool body_reached_ = false;
  std::set<std::string> multiplexed_;
  std::map<Id, Entry> entries_;
  // Pending in scheduling order: highest priority first, then first come.
  struct Order {
    bool operator()(const std::pair<const Entry*, Id>& a, const std::pair<const Entry*, Id>& b) const {
      if (a.first->priority != b.first->priority) return a.first->priority > b.first->priority;
      return a.first->fifo < b.first->fifo;
    }
  };
  std::set<std::pair<const Entry*, Id>, Order> pending_;
  std::set<Id> in_flight_;
  std::size_t in_flight_delayable_ = 0;
  std::size_t layout_blocking_in_flight_ = 0;
  unsigned long next_fifo_ = 0;
};

}  // namespace pageload::loader
