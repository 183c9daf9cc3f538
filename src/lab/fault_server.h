// The lab's misbehaving server: raw TCP on loopback that breaks HTTP and TLS on purpose,
// so tests can prove pageload records every kind of hostile answer and never hangs.
//
// One server, several listening ports, each with a mode (FaultPort). On the by-path port
// the request's path picks the fault (fault_routes() lists them); a CONNECT there (the
// port used as an https_proxy) is answered 404, a proxy that refuses the tunnel. The other ports break
// things before any path can be read: a "TLS" port that answers in plain HTTP, one that
// cuts the handshake off after the ClientHello, and one whose accept queue is kept full
// so connects to it time out without leaving loopback.
//
// Like HttpServer: one accept thread plus one thread per connection; stop() shuts every
// socket down and joins all threads, so a client stalled on a fault never hangs it.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lab/routes.h"
#include "lab/stop_flag.h"
#include "lab/connection_threads.h"
#include "lab/unique_fd.h"
#include "pageload/status.h"

namespace pageload::lab {

enum class FaultPort {
  kByPath,         // plain TCP; the request path chooses the fault
  kTlsSpeaksHttp,  // for https:// URLs: answers the ClientHello with a plain HTTP response
  kTlsCutOff,      // for https:// URLs: reads the ClientHello, then closes
  kBacklogFull,    // never accepts, accept queue full: new SYNs are dropped (connect timeout);
                   // on also_bind (::1) the same port number serves by path, so dual.test
                   // there connects over IPv6 after curl's happy-eyeballs delay
};

// The faults of the by-path port, for `pageload lab` and tests.
std::vector<RouteInfo> fault_routes();

class FaultServer {
 public:
  // Listens on `bind` (IPv4 literal) on ephemeral ports; the by-path and TLS ports also
  // on `also_bind` (e.g. "::1"; empty: nowhere else) with the same port numbers, unless
  // the machine lacks that address (listen.h). The backlog-full port is IPv4 only.
  // kConnectError when it cannot listen.
  static StatusOr<std::unique_ptr<FaultServer>> start(const std::string& bind,
                                                      const std::string& also_bind = "");
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  // Stops accepting, cuts every connection and joins every thread. Idempotent; call from
  // any thread but a server thread.
  void stop();
  int port(FaultPort which = FaultPort::kByPath) const;

 private:
  FaultServer() = default;
  void accept_loop();
  ConnectionThreads::Close serve(int fd, FaultPort mode);
  void serve_path(int fd, const std::string& target);

  struct Listening {
    UniqueFd fd;
    FaultPort mode;
  };
  std::vector<Listening> listening_;  // kByPath, kTlsSpeaksHttp, kTlsCutOff, each on 1 or 2 addresses
  int ports_[4] = {0, 0, 0, 0};
  UniqueFd backlog_listener_;
  std::vector<UniqueFd> backlog_fillers_;  // connections that keep its queue full
  UniqueFd wake_[2];                       // a pipe: stop() writes to wake the accept poll
  StopFlag stop_;
  std::thread accept_thread_;
  ConnectionThreads connections_;
  std::mutex mu_;
  bool stopped_ = false;
};

}  // namespace pageload::lab
