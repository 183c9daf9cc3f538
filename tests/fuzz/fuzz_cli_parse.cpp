// The command line's own parsers: -H, --resolve, --dns-server, -u, the -w format,
// --connect-to and -U. The first byte picks one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "cli/parse.h"
#include "cli/write_out.h"

using namespace pageload;

namespace {

bool has_line_break(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 7) {
    case 0:
      if (auto h = cli::parse_header(text); h.ok()) {
        // A header that would let a value smuggle in another header line is refused.
        if (h->first.empty() || has_line_break(h->first) || has_line_break(h->second)) std::abort();
        if (h->first.find(':') != std::string::npos) std::abort();
      }
      break;
    case 1:
      if (auto r = cli::parse_resolve(text); r.ok()) {
        if (r->host.empty() || r->addresses.empty() || r->port < 1 || r->port > 65535) std::abort();
      }
      break;
    case 2:
      if (auto s = cli::parse_dns_server(text); s.ok()) {
        if (s->empty() || has_line_break(*s)) std::abort();
      }
      break;
    case 3:
      if (auto h = cli::parse_user(text); h.ok()) {
        if (has_line_break(h->second) || h->second.rfind("Basic ", 0) != 0) std::abort();
      }
      break;
    case 4:
      // A format check_write_out accepts is filled in for a run with hops and one without.
      if (cli::check_write_out(text).ok()) {
        Run run;
        (void)cli::write_out(text, run);
        Request hop;
        hop.status = 302;
        hop.response_headers = {{"Location", "/x"}};
        run.requests.push_back(hop);
        hop.seq = 1;
        hop.redirect_from = 0;
        run.requests.push_back(hop);
        (void)cli::write_out(text, run);
      }
      break;
    case 5:
      // An accepted entry has ports in range, hosts with nothing a URL or a line could be
      // smuggled through, and reads back the same once written as curl is given it.
      if (auto c = cli::parse_connect_to(text); c.ok()) {
        for (auto port : {c->port, c->to_port})
          if (port && (*port < 1 || *port > 65535)) std::abort();
        for (const std::string& host : {c->host, c->to_host})
          if (host.find_first_of(" \t\r\n@/[]") != std::string::npos || host.find('\0') != std::string::npos)
            std::abort();
        auto field = [](const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; };
        auto port = [](std::optional<int> p) { return p ? std::to_string(*p) : std::string(); };
        auto again = cli::parse_connect_to(field(c->host) + ":" + port(c->port) + ":" + field(c->to_host) + ":" +
                                           port(c->to_port));
        if (!again.ok() || again->host != c->host || again->port != c->port || again->to_host != c->to_host ||
            again->to_port != c->to_port)
          std::abort();
      }
      break;
    case 6:
      if (auto u = cli::parse_proxy_user(text); u.ok()) {
        if (has_line_break(*u) || u->find(':') == std::string::npos || u->find('\0') != std::string::npos) std::abort();
      }
      break;
  }
  return 0;
}
