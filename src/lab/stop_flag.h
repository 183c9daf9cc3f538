// A one-way "server is stopping" flag whose waits wake up the moment it is raised,
// so a handler in the middle of /delay or /drip never holds up HttpServer::stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace pageload::lab {

class StopFlag {
 public:
  // Raises the flag and wakes every sleeper. Any thread; idempotent.
  void raise() {
    {
      std::lock_guard lock(mu_);
      raised_ = true;
    }
    cv_.notify_all();
  }
  bool raised() const {
    std::lock_guard lock(mu_);
    return raised_;
  }
  // Sleeps for `duration` unless the flag is raised first. Returns true when the full
  // duration elapsed, false when interrupted by raise().
  bool sleep_for(std::chrono::milliseconds duration) const {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, duration, [this] { return raised_; });
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool raised_ = false;
};

}  // namespace pageload::lab
