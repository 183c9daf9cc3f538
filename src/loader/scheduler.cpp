#include "loader/scheduler.h"

#include <cassert>

#include "loader/priority.h"

namespace pageload::loader {

void Scheduler::add(Id id, Priority priority, std::string origin) {
  assert(!entries_.count(id));
  Entry& e = entries_[id];
  e.priority = priority;
  e.origin = std::move(origin);
  e.fifo = next_fifo_++;
  e.layout_blocking = !body_reached_ && !is_delayable(priority);
  pending_.emplace(&e, id);
}

void Scheduler::body_reached() { body_reached_ = true; }

void Scheduler::origin_multiplexes(const std::string& origin) { multiplexed_.insert(origin); }

bool Scheduler::delayable(const Entry& e) const {
  return is_delayable(e.priority) && !multiplexed_.count(e.origin);
}

Scheduler::Decision Scheduler::should_start(const Entry& e) const {
  if (!delayable(e)) return Decision::kStart;
  if (in_flight_delayable_ >= limits_.max_delayable) return Decision::kStopSearching;
  std::size_t same_host = 0;
  for (Id id : in_flight_)
    if (entries_.at(id).origin == e.origin) ++same_host;
  if (same_host >= limits_.max_per_host) return Decision::kKeepSearching;
  if (in_layout_blocking_phase()) {
    std::size_t non_delayable = in_flight_.size() - in_flight_delayable_;
    if (non_delayable > limits_.non_delayable_threshold) return Decision::kStopSearching;
    if (!in_flight_.empty() && in_flight_delayable_ >= limits_.max_delayable_while_layout_blocking)
      return Decision::kStopSearching;
  }
  return Decision::kStart;
}

std::vector<Scheduler::Id> Scheduler::start() {
  std::vector<Id> started;
  for (auto it = pending_.begin(); it != pending_.end();) {
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
    if (e.layout_blocking) ++layout_blocking_in_flight_;
    in_flight_.insert(id);
    started.push_back(id);
    it = pending_.erase(it);
  }
  return started;
}

void Scheduler::finished(Id id) {
  auto found = entries_.find(id);
  if (found == entries_.end()) return;
  Entry& e = found->second;
  if (in_flight_.erase(id)) {
    if (e.delayable) --in_flight_delayable_;
    if (e.layout_blocking) --layout_blocking_in_flight_;
  } else {
    pending_.erase({&e, id});
  }
  entries_.erase(found);
}

}  // namespace pageload::loader
