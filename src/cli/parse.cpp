#include "cli/parse.h"

#include <cmath>

#include <arpa/inet.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>

#include "core/url.h"

namespace pageload::cli {
namespace {

bool is_token_char(unsigned char c) {
  // RFC 9110 tchar
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_ip(const std::string& s) {
  // inet_pton reads up to the first NUL: "::\0junk" must not pass as "::".
  if (s.find('\0') != std::string::npos) return false;
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

StatusOr<int> parse_port(const std::string& s, const std::string& whole) {
  if (s.empty() || s.size() > 5) return Status(Code::kUsage, "bad port in '" + whole + "'");
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return Status(Code::kUsage, "bad port in '" + whole + "'");
  int port = std::stoi(s);
  if (port < 1 || port > 65535) return Status(Code::kUsage, "bad port in '" + whole + "'");
  return port;
}

// One host field of --connect-to, at `text[pos]`: "" , a name, an IPv4 address or a
// bracketed IPv6 one, and the ':' after it (a port field always follows). Moves `pos`
// past that ':'. nullopt when it is none of those or no ':' follows.
std::optional<std::string> connect_to_host(const std::string& text, std::size_t& pos) {
  std::string host;
  if (pos < text.size() && text[pos] == '[') {
    const auto close = text.find(']', pos);
    if (close == std::string::npos) return std::nullopt;
    host = text.substr(pos + 1, close - pos - 1);
    unsigned char buf[16];
    if (host.find('\0') != std::string::npos || inet_pton(AF_INET6, host.c_str(), buf) != 1) return std::nullopt;
    pos = close + 1;
  } else {
    const auto colon = text.find(':', pos);
    host = text.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
    for (unsigned char c : host)
      if (!std::isalnum(c) && c != '-' && c != '.' && c != '_') return std::nullopt;
    pos += host.size();
  }
  if (pos >= text.size() || text[pos] != ':') return std::nullopt;
  ++pos;
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  return host;
}

}  // namespace

StatusOr<ConnectToEntry> parse_connect_to(const std::string& text) {
  const Status usage(Code::kUsage, "--connect-to needs HOST1:PORT1:HOST2:PORT2 (any field may be empty; IPv6 in "
                                   "brackets), got '" + text + "'");
  ConnectToEntry entry;
  entry.text = text;
  std::size_t pos = 0;
  auto port_field = [&](std::optional<int>& port, bool last) -> bool {
    const auto colon = last ? std::string::npos : text.find(':', pos);
    if (!last && colon == std::string::npos) return false;
    const std::string field = text.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
    pos = colon == std::string::npos ? text.size() : colon + 1;
    if (field.empty()) return true;
    auto p = parse_port(field, text);
    if (!p.ok()) return false;
    port = p.value();
    return true;
  };
  auto host = connect_to_host(text, pos);
  if (!host) return usage;
  entry.host = *host;
  if (!port_field(entry.port, false)) return usage;
  auto to_host = connect_to_host(text, pos);
  if (!to_host) return usage;
  entry.to_host = *to_host;
  if (!port_field(entry.to_port, true)) return usage;
  return entry;
}

StatusOr<Header> parse_header(const std::string& text) {
  if (text.find_first_of("\r\n") != std::string::npos)
    return Status(Code::kUsage, "header must not contain a line break: -H '" + text + "'");
  auto colon = text.find(':');
  auto semi = text.find(';');
  Header h;
  if (colon == std::string::npos) {
    // curl: "Name;" sends the header with an empty value.
    if (semi == std::string::npos || semi + 1 != text.size())
      return Status(Code::kUsage, "header needs 'Name: value': -H '" + text + "'");
    h.first = trim(text.substr(0, semi));
  } else {
    h.first = trim(text.substr(0, colon));
    h.second = trim(text.substr(colon + 1));
  }
  if (h.first.empty()) return Status(Code::kUsage, "header name is empty: -H '" + text + "'");
  for (unsigned char c : h.first)
    if (!is_token_char(c)) return Status(Code::kUsage, "header name '" + h.first + "' has an invalid character");
  return h;
}

Status check_curl_clashes(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const std::string* next = i + 1 < args.size() ? &args[i + 1] : nullptr;
    // What curl's --json is given: a JSON text, or @FILE.
    const bool next_is_json = next && !next->empty() && std::string_view("{[\"@").find(next->front()) != std::string_view::npos;
    if (a == "--json" && next_is_json)
      return Status(Code::kUsage, "curl's --json DATA (send DATA as a JSON body) is not supported by pageload, whose --json "
                                  "takes no value and prints each run as JSON; to send JSON: --data-binary DATA -H "
                                  "'Content-Type: application/json'");
    if (a == "--parallel" && (!next || next->empty() || next->front() == '-' || parse_url(*next).ok()))
      return Status(Code::kUsage, "--parallel needs N, the loads in flight at once (curl's --parallel takes no number; "
                                  "pageload's does): --parallel 4");
    if (a == "-Z" || a == "--parallel-immediate" || a == "--parallel-max")
      return Status(Code::kUsage, "pageload does not support curl's " + std::string(a == "-Z" ? "-Z/--parallel" : a) +
                                  ": pageload's --parallel N loads N URLs at once");
    if (a == "-#")
      return Status(Code::kUsage, "pageload does not support curl's -#/--progress-bar: pageload draws its own progress bar "
                                  "when standard error is a terminal");
    if (a == "-V" || a == "--version")
      return Status(Code::kUsage, "curl's " + a + " is pageload --version, given on its own (no URL)");
    if (a == "-:")
      return Status(Code::kUsage, "pageload does not support curl's -:/--next: each URL of a run gets the same options");
    if (a == "--dns-servers" || a.rfind("--dns-servers=", 0) == 0)
      return Status(Code::kUsage, "curl's --dns-servers ADDR,ADDR is pageload's --dns-server ADDR[:PORT], once per server");
    if (a == "--") break;
    // -Z and -# inside a group of short flags (-sZ, -s#), as curl reads them.
    if (a.size() > 2 && a[0] == '-' && a[1] != '-' &&
        a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#:", 1) == std::string::npos) {
      if (a.find('Z') != std::string::npos)
        return Status(Code::kUsage, "pageload does not support curl's -Z/--parallel (in " + a +
                                        "): pageload's --parallel N loads N URLs at once");
      if (a.find('#') != std::string::npos)
        return Status(Code::kUsage, "pageload does not support curl's -#/--progress-bar (in " + a +
                                        "): pageload draws its own progress bar when standard error is a terminal");
    }
    // --form=VALUE: named as --form VALUE is, even with an empty VALUE.
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      const std::string_view name = std::string_view(a).substr(0, a.find('='));
      for (const CurlFlag& flag : kUnsupportedCurlFlags)
        if (flag.takes_value && curl_flag_name(flag.names) == name)
          return Status(Code::kUsage, "pageload does not support curl's " + std::string(name) +
                                          " (see README \"For curl users\")");
    }
    if (!next) {
      // Last, so without the value it takes: named as it is with one (CLI11 has no name for a
      // hidden option's missing value).
      for (const CurlFlag& flag : kUnsupportedCurlFlags) {
        if (!flag.takes_value) continue;
        const std::string_view names = flag.names;
        const auto comma = names.find(',');
        if (a == names.substr(0, comma) || (comma != std::string_view::npos && a == names.substr(comma + 1)))
          return Status(Code::kUsage, "pageload does not support curl's " + std::string(curl_flag_name(names)) +
                                          " (see README \"For curl users\")");
      }
      if (a == "--url") return Status(Code::kUsage, "--url needs a URL: --url URL (or the URL alone)");
    }
  }
  return Status::Ok();
}

bool may_name_unsupported_curl_flag(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a.size() < 2 || a[0] != '-') continue;
    if (a[1] == '-') {
      const std::string_view name = std::string_view(a).substr(0, a.find('='));
      for (const CurlFlag& flag : kUnsupportedCurlFlags)
        if (curl_flag_name(flag.names) == name) return true;
      continue;
    }
    // -X, or a group of short flags (-sF, -Fvalue): any of its letters.
    for (const CurlFlag& flag : kUnsupportedCurlFlags) {
      const std::string_view names = flag.names;
      if (names.size() >= 2 && names[0] == '-' && names[1] != '-' && a.find(names[1], 1) != std::string::npos) return true;
    }
  }
  return false;
}

Status check_curl_digit_flag(const std::string& url_argument) {
  const std::string& a = url_argument;
  if (a != "-1" && a != "-2" && a != "-3") return Status::Ok();
  return Status(Code::kUsage, "pageload does not support curl's " + a + " (" +
                                  (a == "-1" ? "--tlsv1" : a == "-2" ? "--sslv2" : "--sslv3") +
                                  "): pageload speaks TLS 1.2 and 1.3 (--tlsv1.2, --tlsv1.3)");
}

std::vector<std::string> take_curl_url_flags(std::vector<std::string> args) {
  std::vector<std::string> out;
  out.reserve(args.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      out.insert(out.end(), args.begin() + static_cast<long>(i), args.end());
      break;
    }
    if (args[i] == "--url" && i + 1 < args.size()) {
      out.push_back(args[++i]);
      continue;
    }
    if (args[i].rfind("--url=", 0) == 0) {
      out.push_back(args[i].substr(6));
      continue;
    }
    out.push_back(args[i]);
  }
  return out;
}

bool removes_header(const std::string& text) {
  const auto colon = text.find(':');
  return colon != std::string::npos && trim(text.substr(colon + 1)).empty();
}

StatusOr<ResolveEntry> parse_resolve(const std::string& given) {
  const std::string usage = "--resolve needs HOST:PORT:ADDR[,ADDR...], got '" + given + "'";
  // curl's '-HOST:PORT' removes an entry from its DNS cache, which pageload does not keep
  // from one invocation to the next; '+HOST:...' (curl 7.75) is an entry like any other.
  if (!given.empty() && given.front() == '-')
    return Status(Code::kUsage, "pageload does not support curl's --resolve '-HOST:PORT' (it removes an entry of curl's "
                                "DNS cache; pageload keeps none between runs): leave it out");
  const std::string text = !given.empty() && given.front() == '+' ? given.substr(1) : given;
  auto first = text.find(':');
  if (first == std::string::npos || first == 0) return Status(Code::kUsage, usage);
  auto second = text.find(':', first + 1);
  if (second == std::string::npos) return Status(Code::kUsage, usage);
  ResolveEntry entry;
  entry.host = text.substr(0, first);
  auto port = parse_port(text.substr(first + 1, second - first - 1), text);
  if (!port.ok()) return port.status();
  entry.port = port.value();
  std::string rest = text.substr(second + 1);
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    auto comma = rest.find(',', pos);
    std::string addr = rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
    if (!is_ip(addr)) return Status(Code::kUsage, "--resolve address '" + addr + "' is not an IP address");
    entry.addresses.push_back(addr);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return entry;
}

StatusOr<std::string> parse_dns_server(const std::string& text, const std::string& flag) {
  std::string addr = text;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) return Status(Code::kUsage, "bad " + flag + " '" + text + "'");
    addr = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return Status(Code::kUsage, "bad " + flag + " '" + text + "'");
      port = text.substr(close + 2);
      if (port.empty()) return Status(Code::kUsage, "bad " + flag + " '" + text + "': empty port");
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    addr = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
    if (port.empty()) return Status(Code::kUsage, "bad " + flag + " '" + text + "': empty port");
  }
  if (!is_ip(addr)) return Status(Code::kUsage, flag + " '" + text + "' is not ADDR[:PORT] with an IP address");
  if (!port.empty()) {
    auto p = parse_port(port, text);
    if (!p.ok()) return p.status();
  }
  return text;
}

StatusOr<long> parse_seconds(const std::string& text, const std::string& flag) {
  const Status bad(Code::kUsage, flag + " needs a number of seconds above 0 and at most 86400, got '" + text + "'");
  double seconds = 0;
  try {
    std::size_t used = 0;
    seconds = std::stod(text, &used);
    if (used != text.size()) return bad;
  } catch (...) {
    return bad;
  }
  if (!std::isfinite(seconds) || seconds <= 0 || seconds > 86400) return bad;
  return static_cast<long>(std::ceil(seconds * 1000));
}

StatusOr<Header> parse_user(const std::string& text) {
  if (text.find(':') == std::string::npos)
    return Status(Code::kUsage, "-u needs USER:PASSWORD (pageload does not ask for a password)");
  if (text.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
    return Status(Code::kUsage, "-u must not contain a line break");
  std::string encoded(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  encoded.resize(static_cast<std::size_t>(n));
  return Header{"Authorization", "Basic " + encoded};
}

StatusOr<std::string> parse_proxy_user(const std::string& text) {
  if (text.find(':') == std::string::npos)
    return Status(Code::kUsage, "-U/--proxy-user needs USER:PASSWORD (pageload does not ask for a password)");
  if (text.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
    return Status(Code::kUsage, "-U/--proxy-user must not contain a line break");
  return text;
}

Status check_user_agent(const std::string& text) {
  if (text.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
    return Status(Code::kUsage, "user agent must not contain a line break: -A '" + text + "'");
  return Status::Ok();
}

StatusOr<TlsVersion> parse_tls_max(const std::string& text) {
  if (text == "1.2") return TlsVersion::kTls12;
  if (text == "1.3") return TlsVersion::kTls13;
  if (text == "default") return TlsVersion::kDefault;
  if (text == "1.0" || text == "1.1")
    return Status(Code::kUsage, "--tls-max " + text + ": TLS 1.0 and 1.1 are disabled in this system's OpenSSL; "
                                "use 1.2, 1.3 or default");
  return Status(Code::kUsage, "--tls-max takes 1.2, 1.3 or default, got '" + text + "'");
}

Status check_tls_versions(TlsVersion min, TlsVersion max) {
  if (min == TlsVersion::kTls13 && max == TlsVersion::kTls12)
    return Status(Code::kUsage, "--tls-max 1.2 is below --tlsv1.3: no TLS version would be left");
  return Status::Ok();
}

std::string check_whole_number(const std::string& text, long lo, long hi) {
  long value = 0;
  const char* end = text.data() + text.size();
  auto [at, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || at != end || ec == std::errc::invalid_argument) return text + " is not a whole number";
  if (ec == std::errc::result_out_of_range || value < lo || value > hi)
    return text + " is out of range: " + std::to_string(lo) + " to " + std::to_string(hi);
  return {};
}

std::string read_size(std::string& text) {
  const std::string shown = text.size() > 40 ? text.substr(0, 40) + "..." : text;
  long long value = 0;
  const char* end = text.data() + text.size();
  auto [at, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || at == text.data() || ec == std::errc::invalid_argument || value < 0)
    return shown + " is not a size (bytes, or a whole number with K, M or G)";
  if (ec == std::errc::result_out_of_range) return shown + " is too large";
  const std::string_view unit(at, static_cast<std::size_t>(end - at));
  long long scale = 1;
  if (unit.size() > 1) return shown + ": unknown unit '" + std::string(unit.substr(0, 8)) + "': use G, M, K or B";
  if (!unit.empty()) {
    switch (unit[0]) {
      case 'G': case 'g': scale = 1024LL * 1024 * 1024; break;
      case 'M': case 'm': scale = 1024LL * 1024; break;
      case 'K': case 'k': scale = 1024; break;
      case 'B': case 'b': break;
      default: return shown + ": unknown unit '" + std::string(unit) + "': use G, M, K or B";
    }
  }
  if (value > std::numeric_limits<long long>::max() / scale) return shown + " is too large";
  text = std::to_string(value * scale);
  return {};
}

}  // namespace pageload::cli
