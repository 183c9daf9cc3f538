// The sockets of the lab's DNS hierarchy (dns_hierarchy.h): one UDP socket on each of
// its addresses in 127.0.0.0/8, all on one port, served by one thread with a timer queue
// for the slow server's late replies. Nothing listens on the address meant to be
// unreachable.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lab/unique_fd.h"
#include "pageload/status.h"

namespace pageload::lab {

class DnsHierarchyServer {
 public:
  // Binds every listening address of hierarchy_servers() on `port` (0: one port free on
  // all of them) and starts serving. Fails with kConnectError when the port is taken on
  // one of them (or no common free port was found), kInternal for other socket errors.
  static StatusOr<std::unique_ptr<DnsHierarchyServer>> start(int port);

  // Stops the thread (woken through a pipe) and closes the sockets; late replies still
  // waiting are dropped.
  ~DnsHierarchyServer();
  DnsHierarchyServer(const DnsHierarchyServer&) = delete;
  DnsHierarchyServer& operator=(const DnsHierarchyServer&) = delete;

  int port() const { return port_; }
  // "127.0.0.53:PORT": the root, as --dns-root takes it.
  std::string root() const;
  // Datagrams received so far on all addresses. Any thread.
  uint64_t queries() const { return queries_.load(); }

 private:
  struct Socket {
    UniqueFd fd;
    std::string address;
  };
  DnsHierarchyServer(std::vector<Socket> sockets, int port, int wake_read, int wake_write);
  void serve();

  std::vector<Socket> sockets_;
  int port_;
  UniqueFd wake_read_;
  UniqueFd wake_write_;
  std::atomic<uint64_t> queries_{0};
  std::thread thread_;
};

}  // namespace pageload::lab
