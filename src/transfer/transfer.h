// The libcurl multi driver: runs HTTP exchanges (one per redirect hop) on one event
// loop and turns curl's timings into phase spans. This is the one place curl times
// become spans; the loader never reads curl. No curl type leaks out of this module.
//
// Timing model (see DESIGN in transfer.cpp): every curl CURLINFO_*_TIME_T value is an
// offset from curl's own per-transfer start. We anchor that start on our clock once per
// transfer (from the opensocket callback for a new connection, else from the moment the
// handle was added), so connect/tls/wait/receive keep curl's exact durations, and the
// send phase comes from our own stamps around the request write.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/poll.h"
#include "core/url.h"
#include "pageload/result.h"

namespace pageload::transfer {

// A connection pool (and curl DNS cache) of its own: each run gets one, so a run never
// reuses a connection another run opened, as separate browser profiles would not.
using PoolId = int;

// What to send on one hop.
struct HopSpec {
  PoolId pool = 0;  // from Driver::open_pool()
  Url url;
  std::string method = "GET";
  std::vector<Header> headers;        // user headers, already filtered by the loader
  std::optional<std::string> body;
  std::string user_agent;
  // Addresses DNS found for url.host, handed to curl with CURLOPT_RESOLVE so it does no
  // lookup of its own. Empty for IP literals.
  std::vector<std::string> addresses;
  bool insecure = false;
  std::string cacert;
  int ip_version = 0;
  bool keepalive = true;
  long connect_timeout_ms = 0;
  long timeout_ms = 0;                 // 0: none; else what is left of --max-time
  long long max_filesize = 0;
  bool compressed = true;
};

// What one hop measured. `request` has everything but seq/redirect/ids/dns filled in;
// `connection` is set when this hop opened (or tried to open) a connection of its own.
struct HopResult {
  Request request;
  std::optional<Connection> connection;
  // Identifies the TCP connection used ("local_ip:port>remote_ip:port"), so the loader
  // can point a reused request at the connection row that first opened it.
  std::string connection_key;
};

class Driver {
 public:
  using Callback = std::function<void(HopResult)>;

  // Creates the multi handle (the connection pool lives here, shared by all hops and
  // runs on this driver). kInternal if libcurl cannot initialise.
  static StatusOr<std::unique_ptr<Driver>> create();
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // A new, empty connection pool. Close it when no exchange uses it any more; its idle
  // connections close with it.
  PoolId open_pool();
  void close_pool(PoolId pool);

  // Starts one exchange; `done` runs later from perform(), never from inside start().
  // Offsets in the result are on `clock`, which must outlive the exchange.
  void start(const HopSpec& spec, const RunClock& clock, Callback done);

  // Waits up to max_wait_ms for curl's sockets or any of `extra` (whose revents are
  // filled in), whichever comes first; curl's own timers shorten the wait.
  void wait(std::vector<WaitFd>& extra, long max_wait_ms);
  // Runs curl on whatever is ready and delivers finished exchanges to their callbacks.
  void perform();
  // Exchanges started and not yet delivered.
  int active() const;
  // Ends every exchange in flight now, each delivered to its callback as failed with
  // Code::kInterrupted and `message` in the phase it had reached, with everything it
  // measured so far. Callbacks run from inside this call.
  void cancel_all(const std::string& message);

  // "libcurl/7.88.1 OpenSSL/3.0.22 zlib/... nghttp2/...": libcurl and the libraries it
  // loads with that matter to HTTP (curl_version_info). Any thread.
  static std::string library_version();

 private:
  Driver();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pageload::transfer
