// The lab's forward proxy: what `-x http://127.0.0.1:PORT` and the proxy variables point
// at in tests. It speaks HTTP/1.1 on loopback and does the two things an HTTP proxy does:
//  - a request in absolute form (`GET http://a.test:PORT/x HTTP/1.1`, how a client asks a
//    proxy for an http:// URL) is sent on to the origin in origin form with
//    `Connection: close`, and the answer relayed back until the origin closes;
//  - `CONNECT host:port` (how a client reaches an https:// origin) connects to the origin
//    and answers `200 Connection established`, then relays bytes both ways: the TLS
//    handshake runs through it, end to end.
// It reaches only the lab: every *.test name and `localhost` is 127.0.0.1 (the lab's DNS
// says the same), an IP literal only on loopback. `nxdomain.test` does not resolve (502);
// a name outside the lab is refused (403). A host with a label `tunnel-delay-N` gets its
// CONNECT answered N ms late (so a test can see the tunnel phase), and
// `tunnel-refused.test` gets 403 to the CONNECT (a proxy refusing the tunnel).
// Started with credentials, it is a proxy that demands them: a request or CONNECT without
// `Proxy-Authorization: Basic base64(USER:PASSWORD)` naming them is answered 407 with
// `Proxy-Authenticate: Basic realm="pageload lab"`, as squid does.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "lab/connection_threads.h"
#include "lab/stop_flag.h"
#include "lab/unique_fd.h"
#include "pageload/status.h"

namespace pageload::lab {

class ForwardProxy {
 public:
  // Listens on `bind` (a numeric IPv4 address) on an ephemeral port. kConnectError when it
  // cannot listen, kUsage for a bad address.
  // `credentials` ("USER:PASSWORD"; empty: none demanded) are what a client must send.
  static StatusOr<std::unique_ptr<ForwardProxy>> start(const std::string& bind, const std::string& credentials = "");
  ~ForwardProxy();
  ForwardProxy(const ForwardProxy&) = delete;
  ForwardProxy& operator=(const ForwardProxy&) = delete;

  // Stops accepting, cuts every connection and joins every thread. Idempotent.
  void stop();
  int port() const { return port_; }
  // CONNECT tunnels opened, and requests forwarded in absolute form, so far. Any thread.
  uint64_t tunnels() const { return tunnels_.load(); }
  uint64_t forwarded() const { return forwarded_.load(); }
  // Requests and CONNECTs answered 407 (no or wrong credentials). Any thread.
  uint64_t refused_auth() const { return refused_auth_.load(); }

 private:
  ForwardProxy() = default;
  void accept_loop();
  void serve(int fd);
  void tunnel(int client, const std::string& authority);
  void forward(int client, const std::string& method, const std::string& url, const std::string& rest);

  UniqueFd listener_;
  int port_ = 0;
  UniqueFd wake_[2];  // a pipe: stop() writes to wake the accept poll
  StopFlag stop_;
  std::thread accept_thread_;
  ConnectionThreads connections_;
  std::string authorization_;  // the Proxy-Authorization value demanded; empty: none
  std::atomic<uint64_t> tunnels_{0}, forwarded_{0}, refused_auth_{0};
  std::mutex mu_;
  bool stopped_ = false;
};

}  // namespace pageload::lab
