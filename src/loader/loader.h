// Orchestrates loads: for each run, hop by hop, DNS (or the run's DNS cache) then the
// HTTP exchange, following redirects by browser rules, and fills a Run. It wires the
// dns and transfer modules on one event loop; it does no parsing or SQL of its own.
#pragma once

#include <functional>
#include <memory>

#include "pageload/options.h"
#include "pageload/result.h"

namespace pageload {

class Loader {
 public:
  // Called once a run has its start time and before any network work, so the caller
  // can record it as 'running' (an interrupted run stays visible).
  using BeginHook = std::function<void(Run&)>;
  // Called when a run is complete (successfully or not).
  using DoneHook = std::function<void(Run&)>;

  // `max_pool_connections`: the most connections a pool (a run's, or the batch's with
  // --share-connections) has open at once, all hosts together; 0: no cap but six per
  // host. The CLI sets it from the file descriptor limit (core/resources.h).
  static StatusOr<std::unique_ptr<Loader>> create(int max_pool_connections = 0);
  ~Loader();

  // Starts a load; `done` runs from run_until_idle(). Options are validated first: a
  // bad URL or resolver address is returned as a Status and nothing starts.
  Status start(const LoadOptions& options, const BeginHook& begin, DoneHook done);
  // Runs the event loop until every started load is done.
  void run_until_idle();
  // Ends every load in flight now: each is done (its hook runs, from inside this call)
  // as failed with Code::kInterrupted and `message`, in the phase it had reached, with
  // everything measured so far. Loads started later run normally.
  void cancel_all(const std::string& message);
  // Also waits for `fd` to become readable and then calls on_ready() from the loop
  // (e.g. the read end of a self-pipe a signal handler writes to). One fd at a time;
  // -1 stops watching.
  void watch(int fd, std::function<void()> on_ready);
  // Convenience: one load, start to finish.
  StatusOr<Run> load(const LoadOptions& options, const BeginHook& begin = {});

  // "libcurl/7.88.1 ... c-ares/1.18.1 SQLite/..." for runs.library_versions.
  static std::string library_versions();

 private:
  Loader();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pageload
