#include "lab/lab.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "lab/certs.h"
#include "lab/dns_hierarchy.h"
#include "lab/dns_hierarchy_server.h"
#include "lab/dns_server.h"
#include "lab/forward_proxy.h"
#include "lab/http_server.h"
#include "lab/page_routes.h"
#include "lab/routes.h"
#include "lab/tls_context.h"

namespace pageload::lab {
namespace {

std::string url(std::string_view scheme, const std::string& bind, std::string_view host, int port,
                std::string_view path) {
  std::string out(scheme);
  out += "://";
  if (host.empty()) host = bind;
  bool bracket = host.find(':') != std::string_view::npos && host.front() != '[';
  if (bracket) out += "[";
  out += host;
  if (bracket) out += "]";
  out += ":" + std::to_string(port);
  if (path.empty() || path.front() != '/') out += "/";
  out += path;
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<Lab>> Lab::start(const LabOptions& options) {
  std::unique_ptr<Lab> lab(new Lab());
  lab->bind_ = options.bind;
  if (options.state_dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "pageload-lab-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      return Status(Code::kFile, "lab: cannot create a state directory under /tmp");
    lab->state_dir_ = pattern;
    lab->remove_state_dir_ = true;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(options.state_dir, ec);
    if (ec) return Status(Code::kFile, "lab: cannot create " + options.state_dir + ": " + ec.message());
    lab->state_dir_ = options.state_dir;
  }

  auto certs = LabCertificates::generate(lab->state_dir_);
  if (!certs.ok()) return certs.status();
  lab->ca_file_ = certs.value()->ca_file();
  std::shared_ptr<LabCertificates> shared_certs(std::move(certs.value()));
  auto tls = TlsServerContext::create(shared_certs, AlpnOffer::kH2AndHttp11);
  if (!tls.ok()) return tls.status();
  auto tls11 = TlsServerContext::create(shared_certs, AlpnOffer::kHttp11Only);
  if (!tls11.ok()) return tls11.status();
  auto tls12 = TlsServerContext::create(shared_certs, AlpnOffer::kH2AndHttp11, TlsVersions::kTls12Only);
  if (!tls12.ok()) return tls12.status();

  auto dns = DnsServer::start(options.bind, options.dns_port);
  if (!dns.ok()) return dns.status();
  lab->dns_ = std::move(dns.value());
  auto hierarchy = DnsHierarchyServer::start(options.dns_root_port);
  if (!hierarchy.ok()) return hierarchy.status();
  lab->dns_hierarchy_ = std::move(hierarchy.value());

  bool ipv4 = options.bind.find(':') == std::string::npos;
  HttpServerOptions http;
  http.bind = options.bind;
  if (ipv4) http.also_bind = options.also_bind;
  http.port = options.http_port;
  http.page_delay = options.page_delay;
  auto http_server = HttpServer::start(http);
  if (!http_server.ok()) return http_server.status();
  lab->http_ = std::move(http_server.value());
  // When the first server could not listen there, the machine lacks the address: the
  // others do not try (and so never listen on it half the time).
  if (lab->http_->also_listening()) lab->also_bound_ = http.also_bind;
  lab->also_unavailable_ = lab->http_->also_unavailable();
  http.also_bind = lab->also_bound_;

  HttpServerOptions https = http;
  https.port = options.https_port;
  https.tls = tls.value();
  auto https_server = HttpServer::start(https);
  if (!https_server.ok()) return https_server.status();
  lab->https_ = std::move(https_server.value());

  HttpServerOptions https11 = https;
  https11.port = options.https11_port;
  https11.tls = tls11.value();
  auto https11_server = HttpServer::start(https11);
  if (!https11_server.ok()) return https11_server.status();
  lab->https11_ = std::move(https11_server.value());

  HttpServerOptions https12 = https;
  https12.port = options.https12_port;
  https12.tls = tls12.value();
  auto https12_server = HttpServer::start(https12);
  if (!https12_server.ok()) return https12_server.status();
  lab->https12_ = std::move(https12_server.value());

  if (ipv4) {
    auto fault = FaultServer::start(options.bind, lab->also_bound_);
    if (!fault.ok()) return fault.status();
    lab->fault_ = std::move(fault.value());
    auto proxy = ForwardProxy::start(options.bind);
    if (!proxy.ok()) return proxy.status();
    lab->proxy_ = std::move(proxy.value());
    auto auth_proxy = ForwardProxy::start(options.bind, std::string(kProxyCredentials));
    if (!auth_proxy.ok()) return auth_proxy.status();
    lab->auth_proxy_ = std::move(auth_proxy.value());
  }
  return lab;
}

Lab::~Lab() {
  // Servers first: their threads may still read certificates from the state dir's owner.
  auth_proxy_.reset();
  proxy_.reset();
  fault_.reset();
  https12_.reset();
  https11_.reset();
  https_.reset();
  http_.reset();
  dns_.reset();
  dns_hierarchy_.reset();
  if (remove_state_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(state_dir_, ec);  // best effort
  }
}

int Lab::dns_port() const { return dns_->port(); }
int Lab::http_port() const { return http_->port(); }
int Lab::https_port() const { return https_->port(); }
int Lab::https11_port() const { return https11_->port(); }
int Lab::https12_port() const { return https12_->port(); }
std::string Lab::dns_server() const { return dns_->address(); }
std::string Lab::dns_root() const { return dns_hierarchy_->root(); }
int Lab::dns_root_port() const { return dns_hierarchy_->port(); }
std::string Lab::ca_file() const { return ca_file_; }
uint64_t Lab::http_connections() const { return http_->connections_accepted(); }
uint64_t Lab::https_connections() const { return https_->connections_accepted(); }
uint64_t Lab::https11_connections() const { return https11_->connections_accepted(); }
uint64_t Lab::https12_connections() const { return https12_->connections_accepted(); }
uint64_t Lab::https_http2_connections() const { return https_->http2_connections(); }

std::map<std::string, uint64_t> Lab::connections_by_host(Server server) const {
  switch (server) {
    case Server::kHttp: return http_->connections_by_host();
    case Server::kHttps: return https_->connections_by_host();
    case Server::kHttps11: return https11_->connections_by_host();
  }
  return {};
}

int Lab::proxy_port() const { return proxy_ ? proxy_->port() : 0; }

std::string Lab::proxy_url() const { return proxy_ ? "http://" + bind_ + ":" + std::to_string(proxy_port()) : ""; }

std::string Lab::auth_proxy_url() const {
  return auth_proxy_ ? "http://" + bind_ + ":" + std::to_string(auth_proxy_->port()) : "";
}
uint64_t Lab::auth_proxy_refused() const { return auth_proxy_ ? auth_proxy_->refused_auth() : 0; }

uint64_t Lab::proxy_tunnels() const { return proxy_ ? proxy_->tunnels() : 0; }
uint64_t Lab::proxy_forwarded() const { return proxy_ ? proxy_->forwarded() : 0; }

int Lab::fault_port(FaultPort which) const { return fault_ ? fault_->port(which) : 0; }

std::string Lab::fault_url(std::string_view host, std::string_view path) const {
  return url("http", bind_, host, fault_port(), path);
}

std::string Lab::http_url(std::string_view host, std::string_view path) const {
  return url("http", bind_, host, http_port(), path);
}

std::string Lab::https_url(std::string_view host, std::string_view path) const {
  return url("https", bind_, host, https_port(), path);
}

std::string Lab::https11_url(std::string_view host, std::string_view path) const {
  return url("https", bind_, host, https11_port(), path);
}

std::string Lab::https12_url(std::string_view host, std::string_view path) const {
  return url("https", bind_, host, https12_port(), path);
}

std::string Lab::describe() const {
  std::string out;
  out += "pageload lab on " + bind_ + "\n";
  out += "  DNS   udp+tcp " + dns_server() + "   zone *.test (use --dns-server " + dns_server() + ")\n";
  out += "  DNS   udp " + dns_root() + "   a root, a TLD and authoritative servers on 127.0.0.53-64 (use --dns-trace --dns-root " +
         dns_root() + ")\n";
  out += "  HTTP  " + http_url("a.test", "/") + "   HTTP/1.1\n";
  out += "  HTTPS " + https_url("a.test", "/") + "   HTTP/2 or HTTP/1.1 by ALPN (h2 preferred)\n";
  out += "  HTTPS " + https11_url("a.test", "/") + "   HTTP/1.1 only (ALPN offers http/1.1 alone)\n";
  out += "  HTTPS " + https12_url("a.test", "/") + "   TLS 1.2 only, HTTP/2 or HTTP/1.1 by ALPN (the others: TLS 1.2 and 1.3)\n";
  out += "  CA    " + ca_file() + "   (use --cacert " + ca_file() + ")\n";
  if (!also_bound_.empty())
    out += "  IPv6  HTTP, HTTPS and faults also listen on [" + also_bound_ +
           "], same ports: v6.test connects over IPv6, dual.test over either (-4/-6)\n";
  else if (!also_unavailable_.empty())
    out += "  IPv6  not available (" + also_unavailable_ + "): IPv4 only, v6.test will not connect\n";
  out += "\nExample URLs:\n";
  out += "  " + http_url("www.test", "/chain/301,302,303,307,308") + "\n";
  out += "  " + https_url("tls-delay-200.test", "/delay/300") + "\n";
  out += "  " + http_url("www.test", "/redirect/302?to=" + https_url("secure.test", "/echo")) + "\n";
  out += "\nRoutes (HTTP and HTTPS, any *.test host):\n";
  for (const auto& r : route_list()) {
    std::string example(r.example);
    if (example.size() < 40) example.resize(40, ' ');
    out += "  " + example + " " + std::string(r.description) + "\n";
  }
  out += "\nPages (" + https_url("a.test", "/page/") + ", also over HTTP and the HTTP/1.1-only HTTPS port;\n"
         "?delay=MS on any of their URLs):\n";
  for (const auto& p : page_list()) {
    std::string example(p.example);
    if (example.size() < 30) example.resize(30, ' ');
    out += "  " + example + " " + std::string(p.description) + "\n";
  }
  out += "\nDNS names (every other *.test name is A 127.0.0.1):\n";
  out += "  nxdomain.test servfail.test refused.test empty.test silent.test malformed.test truncated.test\n";
  out += "  v6.test (AAAA ::1) dual.test (A and AAAA) fallback.test (127.0.0.2 then 127.0.0.1) multi.test\n";
  out += "  dual-fallback.test (A 127.0.0.2 refuses, then AAAA ::1)\n";
  out += "  delay-N.test (answer after N ms) ttl-N.test cname-N.a.test (CNAME chain of N; over 512 bytes: TC, then TCP)\n";
  out += "\nDNS hierarchy (--dns-trace --dns-root " + dns_root() + "), one port, an address per server:\n";
  for (const auto& server : hierarchy_servers()) {
    std::string address(server.address);
    address.resize(11, ' ');
    std::string names(server.names);
    if (names.size() < 42) names.resize(42, ' ');
    out += "  " + address + " " + names + " " + std::string(server.role) + "\n";
  }
  out += "  Names to walk:\n";
  for (const auto& name : hierarchy_names()) {
    std::string n(name.name);
    if (n.size() < 18) n.resize(18, ' ');
    out += "    " + n + " " + std::string(name.shows) + "\n";
  }
  out += "\nTLS names (any HTTPS port):\n";
  out += "  expired.test      certificate expired\n";
  out += "  wronghost.test    certificate for other.example only\n";
  out += "  selfsigned.test   self-signed certificate\n";
  out += "  untrusted.test    certificate from an unpublished CA\n";
  out += "  tls-delay-N.test  the server waits N ms before answering the ClientHello\n";
  out += "  client-cert.test  the server requires a client certificate and refuses without one: alert\n"
         "                    handshake_failure (TLS 1.2), certificate_required after the client's Finished (1.3)\n";
  out += "  hello-retry.test  the server takes only a P-256 key share: TLS 1.3 answers with a HelloRetryRequest\n";
  out += "  --tlsv1.3 on the TLS 1.2 port: the server refuses with alert protocol_version\n";
  out += "  Sessions resume (TLS 1.2 by session ID, 1.3 by ticket) while the lab runs; --no-sessionid to compare\n";
  if (fault_) {
    out += "\nFaults (" + fault_url("fault.test", "/") + "FAULT):\n";
    for (const auto& r : fault_routes()) {
      std::string path(r.example);
      if (path.size() < 18) path.resize(18, ' ');
      out += "  " + path + " " + std::string(r.description) + "\n";
    }
    out += "  https port " + std::to_string(fault_port(FaultPort::kTlsSpeaksHttp)) + " speaks plain HTTP, port " +
           std::to_string(fault_port(FaultPort::kTlsCutOff)) + " cuts the TLS handshake off, port " +
           std::to_string(fault_port(FaultPort::kBacklogFull)) + " never accepts (connect timeout)\n";
    out += "  as a proxy (https_proxy=http://127.0.0.1:" + std::to_string(fault_port()) +
           ") it answers every CONNECT with 404: a proxy that refuses the tunnel\n";
  }
  if (proxy_) {
    out += "\nForward proxy: " + proxy_url() + " (plain requests forwarded, CONNECT tunnelled; *.test only)\n";
    out += "  pageload run -x " + proxy_url() + " " + https_url("www.test", "/page/showcase") +
           " --dns-server " + dns_server() + " --cacert " + ca_file() + "\n";
    out += "  tunnel-delay-N.test: the CONNECT answered N ms late; tunnel-refused.test: 403 to the CONNECT;"
           " nxdomain.test: 502\n";
  }
  if (auth_proxy_) {
    out += "\nForward proxy demanding a user and password (" + std::string(kProxyCredentials) + "; 407 without): " +
           auth_proxy_url() + "\n";
    out += "  pageload run -x " + auth_proxy_url() + " -U " + std::string(kProxyCredentials) + " " +
           http_url("www.test", "/") + " --dns-server " + dns_server() + "\n";
  }
  return out;
}

}  // namespace pageload::lab
