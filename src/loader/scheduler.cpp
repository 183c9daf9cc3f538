#include "loader/scheduler.h"

#include <cassert>
#include <utility>

#include "loader/priority.h"

namespace pageload::loader {

void Scheduler::add(Id id, Priority priority, std::string origin, Frame frame) {
  assert(!entries_.count(id));
  Entry& e = entries_[id];
  e.priority = priority;
  e.origin = std::move(origin);
  e.frame = frame;
  e.fifo = next_fifo_++;
  changed_ = true;
  if (frame == kBrowser) {
    e.granted = true;
    network_pending_.emplace(&e, id);
  } else {
    renderer_pending_[frame].emplace(&e, id);
  }
}

void Scheduler::body_reached(Frame frame) { changed_ |= bodies_.insert(frame).second; }

void Scheduler::origin_multiplexes(const std::string& origin) { changed_ |= multiplexed_.insert(origin).second; }

bool Scheduler::delayable(const Entry& e) const { return delayable_at(e, e.priority); }

bool Scheduler::delayable_at(const Entry& e, Priority priority) const {
  return is_delayable(priority) && !multiplexed_.count(e.origin);
}

// Blink's ResourceLoadScheduler::GetNextPendingRequest for one frame: in tight mode a
// request below high needs fewer than tight_limit granted requests of its frame still
// running, or, at medium, fewer than tight_medium_limit medium ones.
bool Scheduler::renderer_may_grant(const Entry& e) const {
  if (!in_tight_mode(e.frame) || !is_delayable(e.priority)) return true;
  auto count = [](const std::map<Frame, std::size_t>& m, Frame f) {
    auto it = m.find(f);
    return it == m.end() ? std::size_t{0} : it->second;
  };
  if (e.priority == Priority::kMedium && count(renderer_running_medium_, e.frame) < limits_.tight_medium_limit)
    return true;
  return count(renderer_running_, e.frame) < limits_.tight_limit;
}

void Scheduler::grant(Entry& e, Id id) {
  e.granted = true;
  ++renderer_running_[e.frame];
  if (e.priority == Priority::kMedium) ++renderer_running_medium_[e.frame];
  network_pending_.emplace(&e, id);
}

Scheduler::Decision Scheduler::should_start(const Entry& e) const {
  if (!delayable(e)) return Decision::kStart;
  if (in_flight_delayable_ >= limits_.max_delayable) return Decision::kStopSearching;
  auto same_host = in_flight_by_origin_.find(e.origin);
  if (same_host != in_flight_by_origin_.end() && same_host->second >= limits_.max_per_host)
    return Decision::kKeepSearching;
  return Decision::kStart;
}

std::vector<Scheduler::Id> Scheduler::start() {
  // What may start follows from the state alone: unchanged since the last call, nothing
  // more may (a page of thousands of requests calls this once per turn of its loop).
  if (!std::exchange(changed_, false)) return {};
  for (auto& [frame, queue] : renderer_pending_) {
    while (!queue.empty()) {
      auto [entry, id] = *queue.begin();
      if (!renderer_may_grant(*entry)) break;
      queue.erase(queue.begin());
      grant(entries_.at(id), id);
    }
  }
  std::vector<Id> started;
  for (auto it = network_pending_.begin(); it != network_pending_.end();) {
    auto [entry, id] = *it;
    Decision d = should_start(*entry);
    if (d == Decision::kStopSearching) break;
    if (d == Decision::kKeepSearching) {
      ++it;
      continue;
    }
    Entry& e = entries_.at(id);
    e.delayable = delayable(e);
    if (e.delayable) ++in_flight_delayable_;
    in_flight_.insert(id);
    ++in_flight_by_origin_[e.origin];
    started.push_back(id);
    it = network_pending_.erase(it);
  }
  return started;
}

void Scheduler::raise(Id id, Priority priority) {
  auto found = entries_.find(id);
  if (found == entries_.end() || found->second.priority == priority) return;
  Entry& e = found->second;
  changed_ = true;
  // The queues are ordered by priority: out with the old one, back in with the new.
  Queue* queue = nullptr;
  if (in_flight_.count(id)) {
    if (e.delayable && !delayable_at(e, priority)) {
      e.delayable = false;
      --in_flight_delayable_;
    }
  } else {
    queue = e.granted ? &network_pending_ : &renderer_pending_[e.frame];
    queue->erase({&e, id});
  }
  if (e.granted && e.frame != kBrowser) {
    if (e.priority == Priority::kMedium) --renderer_running_medium_[e.frame];
    if (priority == Priority::kMedium) ++renderer_running_medium_[e.frame];
  }
  e.priority = priority;
  if (queue) queue->emplace(&e, id);
}

void Scheduler::finished(Id id) {
  auto found = entries_.find(id);
  if (found == entries_.end()) return;
  Entry& e = found->second;
  changed_ = true;
  if (in_flight_.erase(id)) {
    if (e.delayable) --in_flight_delayable_;
    if (auto n = in_flight_by_origin_.find(e.origin); n != in_flight_by_origin_.end() && --n->second == 0)
      in_flight_by_origin_.erase(n);
  } else if (e.granted) {
    network_pending_.erase({&e, id});
  } else {
    renderer_pending_[e.frame].erase({&e, id});
  }
  if (e.granted && e.frame != kBrowser) {
    --renderer_running_[e.frame];
    if (e.priority == Priority::kMedium) --renderer_running_medium_[e.frame];
  }
  entries_.erase(found);
}

}  // namespace pageload::loader
