// The lab: a loopback DNS server (the *.test zone), an HTTP/1.1 server, an HTTPS server
// that speaks HTTP/2 or HTTP/1.1 as ALPN selects, a second HTTPS server that offers only
// http/1.1 (so one page compares over TLS+HTTP/1.1 and HTTP/2 without a client flag), a
// third that speaks TLS 1.2 only (ALPN as the first: so one page compares TLS 1.2's
// handshake with TLS 1.3's), all with a generated CA, and a misbehaving server
// (fault_server.h), started together.
// Tests link it; `pageload lab` and `pageload demo` serve it. Cross-host redirects and
// pages use different *.test names on the same port, since every *.test name resolves
// to 127.0.0.1.
//
// A DNS hierarchy (dns_hierarchy.h: a root, a TLD and authoritative servers on
// 127.0.0.53 and up, one port) stands in for the internet's root for --dns-trace.
//
// The HTTP, HTTPS and fault servers also listen on ::1 with the same port numbers (when
// the machine has an IPv6 loopback), so v6.test (AAAA ::1) and dual.test (A and AAAA)
// connect over IPv6 with the same URLs. The DNS server answers on the bind address only.
//
// The lab never changes the process's signal dispositions: its sockets write with
// MSG_NOSIGNAL (TLS included, through its own BIO), so no SIGPIPE is raised.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "lab/fault_server.h"
#include "pageload/status.h"

namespace pageload::lab {

class DnsHierarchyServer;
class DnsServer;
class ForwardProxy;
class HttpServer;

struct LabOptions {
  std::string bind = "127.0.0.1";  // every server listens here
  // The HTTP, HTTPS and fault servers also listen here, on the same ports, when `bind`
  // is IPv4 and the machine has this address; empty: only on `bind`.
  std::string also_bind = "::1";
  int dns_port = 0;                // 0: ephemeral
  int http_port = 0;
  int https_port = 0;
  int https11_port = 0;            // the HTTPS port that offers only http/1.1
  int https12_port = 0;            // the HTTPS port that speaks TLS 1.2 only
  int dns_root_port = 0;           // the DNS hierarchy's one port (0: one free on all of
                                   // its addresses)
  std::string state_dir;           // certificates go here; empty: a fresh mkdtemp
                                   // directory under /tmp, removed when the lab stops
  // Every answer under /page/ and to /favicon.ico starts this much later (on top of
  // ?delay=): every resource of a page then takes long enough that what a client has in
  // flight at once follows from the page and the client's rules, not from sub-millisecond
  // races, so connection counts can be compared (tests/browser/compare_pages.mjs).
  std::chrono::milliseconds page_delay{0};
};

class Lab {
 public:
  // Generates certificates and starts the three servers. Fails with the first server's
  // error (kConnectError for a taken port, kUsage for a bad address) or kFile.
  static StatusOr<std::unique_ptr<Lab>> start(const LabOptions& options = {});
  // Stops every server (joining their threads) and removes a temporary state dir.
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  int dns_port() const;
  int http_port() const;
  int https_port() const;
  int https11_port() const;
  int https12_port() const;
  // "127.0.0.1:PORT", the form --dns-server takes.
  std::string dns_server() const;
  // The DNS hierarchy's root, "127.0.0.53:PORT", the form --dns-root takes; and its port.
  std::string dns_root() const;
  int dns_root_port() const;
  // The lab CA's PEM file, for --cacert.
  std::string ca_file() const;
  const std::string& state_dir() const { return state_dir_; }
  // "http://HOST:PORT/path" on the lab's HTTP port (`path` gets a leading '/' if it
  // lacks one). https_url likewise on the HTTPS port (h2 or http/1.1), https11_url on the
  // HTTPS port that offers http/1.1 only, https12_url on the HTTPS port that speaks TLS
  // 1.2 only (h2 or http/1.1).
  std::string http_url(std::string_view host, std::string_view path) const;
  std::string https_url(std::string_view host, std::string_view path) const;
  std::string https11_url(std::string_view host, std::string_view path) const;
  std::string https12_url(std::string_view host, std::string_view path) const;
  // The address the HTTP, HTTPS and fault servers also listen on ("::1"), or empty when
  // they listen on the bind address only; if so though one was asked, why.
  const std::string& also_bound() const { return also_bound_; }
  const std::string& also_unavailable() const { return also_unavailable_; }
  // TCP connections each server accepted so far. Any thread.
  uint64_t http_connections() const;
  uint64_t https_connections() const;
  uint64_t https11_connections() const;
  uint64_t https12_connections() const;
  // Of https_connections(), those that negotiated HTTP/2.
  uint64_t https_http2_connections() const;
  // A server's accepted connections by the host of their first request; "" for those
  // that carried none (so far): a browser's speculative preconnect, a failed handshake.
  // They add up to that server's *_connections(). Any thread.
  enum class Server { kHttp, kHttps, kHttps11 };
  std::map<std::string, uint64_t> connections_by_host(Server server) const;
  // The misbehaving server's ports (fault_server.h). by-path: http://HOST:PORT/FAULT;
  // the TLS modes take https:// URLs. On the lab's bind address, which must be IPv4 (0
  // otherwise), and, but for kBacklogFull, on also_bound() too.
  int fault_port(FaultPort which = FaultPort::kByPath) const;
  // The forward proxy (forward_proxy.h): its port, "http://127.0.0.1:PORT" for -x, and
  // the CONNECT tunnels it opened and plain requests it forwarded so far (any thread).
  // On an IPv4 bind address only (0, "" otherwise).
  int proxy_port() const;
  std::string proxy_url() const;
  uint64_t proxy_tunnels() const;
  uint64_t proxy_forwarded() const;
  // A second forward proxy, the same but demanding kProxyCredentials (Basic): 407 with
  // Proxy-Authenticate without them. "http://127.0.0.1:PORT" (no credentials in it), and
  // the requests and CONNECTs it answered 407 so far. IPv4 bind address only.
  static constexpr std::string_view kProxyCredentials = "lab:lab-proxy-secret";
  std::string auth_proxy_url() const;
  uint64_t auth_proxy_refused() const;
  // "http://HOST:PORT/path" on the by-path fault port.
  std::string fault_url(std::string_view host, std::string_view path) const;
  // Several lines for people: ports, example commands and URLs, CA file, DNS names,
  // routes, TLS test names.
  std::string describe() const;

 private:
  Lab() = default;

  std::string bind_;
  std::string also_bound_;
  std::string also_unavailable_;
  std::string state_dir_;
  bool remove_state_dir_ = false;
  std::string ca_file_;
  std::unique_ptr<DnsServer> dns_;
  std::unique_ptr<DnsHierarchyServer> dns_hierarchy_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<HttpServer> https_;
  std::unique_ptr<HttpServer> https11_;
  std::unique_ptr<HttpServer> https12_;
  std::unique_ptr<FaultServer> fault_;  // null when the lab binds an IPv6 address
  std::unique_ptr<ForwardProxy> proxy_;  // likewise
  std::unique_ptr<ForwardProxy> auth_proxy_;  // likewise
};

}  // namespace pageload::lab
