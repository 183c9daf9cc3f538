#include "dns/server_list.h"

#include <arpa/inet.h>

#include <charconv>

namespace pageload::dns {
namespace {

Status bad(std::string_view text, std::string_view why) {
  return Status(Code::kUsage, "bad DNS server '" + std::string(text) + "': " + std::string(why));
}

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

}  // namespace

StatusOr<std::string> normalize_server(std::string_view text) {
  std::string addr;
  std::string_view port_text;
  bool bracketed = !text.empty() && text.front() == '[';
  if (bracketed) {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return bad(text, "missing ']'");
    addr = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad(text, "expected ':PORT' after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return bad(text, "empty port");
    }
    if (!is_ipv6(addr)) return bad(text, "not a numeric IPv6 address");
  } else if (std::size_t colon = text.find(':'); colon != std::string_view::npos &&
                                                 text.find(':', colon + 1) == std::string_view::npos) {
    addr = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (port_text.empty()) return bad(text, "empty port");
    if (!is_ipv4(addr)) return bad(text, "not a numeric IPv4 address (write IPv6 as [ADDR]:PORT)");
  } else {
    addr = std::string(text);
    if (!is_ipv4(addr) && !is_ipv6(addr)) return bad(text, "not a numeric IP address");
  }

  int port = kDnsPort;
  if (!port_text.empty()) {
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 1 || port > 65535)
      return bad(text, "port must be 1-65535");
  }
  bool v6 = addr.find(':') != std::string::npos;
  return (v6 ? "[" + addr + "]" : addr) + ":" + std::to_string(port);
}

StatusOr<std::vector<std::string>> normalize_servers(const std::vector<std::string>& servers) {
  std::vector<std::string> out;
  for (const auto& s : servers) {
    auto n = normalize_server(s);
    if (!n.ok()) return n.status();
    out.push_back(std::move(n).value());
  }
  return out;
}

std::string servers_csv(const std::vector<std::string>& normalized) {
  std::string csv;
  for (const auto& s : normalized) csv += (csv.empty() ? "" : ",") + s;
  return csv;
}

}  // namespace pageload::dns
