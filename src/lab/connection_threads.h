// Thread-per-connection bookkeeping for the lab's servers: every accepted socket is
// served on a thread of its own, finished threads are joined as new sockets arrive, and
// stop_all() shuts every open socket down (waking its blocking calls) and joins them all,
// so a server never hangs on a stalled client.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "lab/unique_fd.h"

namespace pageload::lab {

class ConnectionThreads {
 public:
  enum class Close { kGraceful, kReset };  // kReset: close with an RST (SO_LINGER 0)
  // Serves one connection on the socket it is given; its return says how to close it.
  using Serve = std::function<Close(int fd)>;

  ConnectionThreads() = default;
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;
  ~ConnectionThreads() { stop_all(); }

  // Takes `fd` and runs serve(fd) on a new thread; the socket is closed when it returns.
  // Joins threads that have finished first. Call from accept threads (one or several;
  // each joins only the finished threads it took out of the list).
  void spawn(UniqueFd fd, Serve serve);
  // Shuts down every open socket and joins every thread. Idempotent; not from a
  // connection thread.
  void stop_all();

 private:
  struct Connection {
    UniqueFd fd;  // closed under mu_, so stop_all() never shuts down a reused descriptor
    std::thread thread;
    std::atomic<bool> done{false};
  };
  void reap_finished();

  std::mutex mu_;
  std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace pageload::lab
