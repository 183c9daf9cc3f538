// The lab DNS server: UDP and TCP on one loopback port, authoritative for a scripted
// `test.` zone, used by the tests and by `pageload lab`/`pageload demo` to make every DNS
// outcome (NXDOMAIN, SERVFAIL, timeout, broken replies, slow answers, CNAME chains)
// reproducible.
//
// Zone (names are case-insensitive; the question is echoed as asked):
//   any *.test name not listed below   A 127.0.0.1 (TTL 300); AAAA: NOERROR, no answer (NODATA)
//   v6.test                            AAAA ::1; A: NODATA
//   dual.test                          A 127.0.0.1 and AAAA ::1
//   fallback.test                      A 127.0.0.2, then 127.0.0.1 (nothing listens on .2,
//                                      so a client shows "each address tried")
//   dual-fallback.test                 A 127.0.0.2 and AAAA ::1: IPv4 is refused, so a
//                                      dual-stack client falls back to IPv6 (the lab's
//                                      HTTP servers listen on ::1 too)
//   multi.test                         A 127.0.0.1, 127.0.0.3, 127.0.0.4 (in that order)
//   nxdomain.test, nx.test, *.nx.test  NXDOMAIN
//   servfail.test                      SERVFAIL
//   refused.test                       REFUSED
//   empty.test                         NOERROR with no answer for every type
//   silent.test                        never replies
//   malformed.test                     a reply with the right id and question, then an
//                                      answer whose name is a compression pointer past
//                                      the end of the packet
//   truncated.test                     a reply cut short in the middle of its answer's
//                                      RDATA (TC bit not set, so no TCP retry)
//   a label delay-N (N ms, <= 60000)   the reply is sent N ms later, e.g. delay-200.test,
//                                      www.delay-50.test; other queries are served meanwhile
//   a label ttl-N                      address records get TTL N, e.g. ttl-0.test, ttl-1.test
//   cname-N.REST (N in 1..32)          CNAME chain: cname-N.REST -> cname-(N-1).REST -> ...
//                                      -> cname-1.REST -> REST, each CNAME TTL 60; REST is
//                                      then answered by these same rules, all in one reply.
//                                      A reply holds at most 32 links, stacked cname labels
//                                      included: like a server that stops following a
//                                      chain, it then ends with the 32nd CNAME, no address
//   anything not under .test           REFUSED (.localhost included)
// Special names are recognised after dropping delay-N and ttl-N labels, so
// `silent.delay-50.test` is silent and `v6.ttl-5.test` is v6.test with TTL 5.
// Question types other than A and AAAA get NODATA (with the CNAME chain, if any).
// A datagram that is not a parsable query gets FORMERR when it has a full header and is
// not itself a response; anything shorter is dropped. Replies are never compressed.
// No EDNS: a UDP reply longer than 512 bytes (a long CNAME chain) goes out as its header
// and question with TC set, and the client asks again over TCP on the same port, where
// it gets the whole answer (dns_query.h). TCP queries on one connection are answered in
// order, each after its delay.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "lab/connection_threads.h"
#include "lab/stop_flag.h"
#include "lab/unique_fd.h"
#include "pageload/status.h"

namespace pageload::lab {

class DnsServer {
 public:
  // Binds a UDP socket and a TCP listener on `bind_addr` (a numeric IPv4 or IPv6
  // address, e.g. "127.0.0.1" or "::1") and `port` (0: an ephemeral port free for
  // both) and starts serving: UDP and accepting from one thread, each TCP connection on
  // a thread of its own. Fails with kUsage for an address that is not numeric,
  // kInternal when a socket cannot be made or bound.
  static StatusOr<std::unique_ptr<DnsServer>> start(const std::string& bind_addr, int port);

  // Stops the serving threads and joins them; replies still waiting on a delay are
  // dropped. Returns promptly (the thread is woken through a pipe, not polled; TCP
  // connections are shut down).
  ~DnsServer();

  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // The bound port, UDP and TCP (the real one when 0 was asked).
  int port() const { return port_; }
  // "127.0.0.1:PORT", or "[::1]:PORT" for IPv6: the form resolvers take as a server.
  std::string address() const;
  // Datagrams received so far, garbage included, plus messages over TCP. Any thread.
  uint64_t queries() const { return queries_.load(); }
  // TCP connections accepted so far. Any thread.
  uint64_t tcp_connections() const { return tcp_connections_.load(); }

 private:
  DnsServer(int fd, UniqueFd tcp, int wake_read, int wake_write, std::string host, int port);
  void serve();
  ConnectionThreads::Close serve_tcp(int fd);

  int fd_;
  UniqueFd tcp_listener_;
  int wake_read_;
  int wake_write_;
  std::string host_;
  int port_;
  std::atomic<uint64_t> queries_{0};
  std::atomic<uint64_t> tcp_connections_{0};
  StopFlag stop_;  // wakes TCP replies waiting on a delay
  std::thread thread_;
  ConnectionThreads tcp_threads_;
};

}  // namespace pageload::lab
