// Turns command-line strings into option values: -H, --resolve, --dns-server.
// Pure functions, so the rules are unit-tested apart from CLI11.
#pragma once

#include <string>

#include "pageload/options.h"

namespace pageload::cli {

// "Name: value" (curl's -H syntax; "Name;" sends an empty value). kUsage on a line
// without a colon, an empty or invalid name, or CR/LF inside.
StatusOr<Header> parse_header(const std::string& text);
// HOST:PORT:ADDR[,ADDR...] (IPv6 addresses in brackets). kUsage otherwise.
StatusOr<ResolveEntry> parse_resolve(const std::string& text);
// ADDR or ADDR:PORT or [V6]:PORT; returns it normalised as given. kUsage otherwise, the
// message naming `flag` (--dns-server, --dns-root).
StatusOr<std::string> parse_dns_server(const std::string& text, const std::string& flag = "--dns-server");
// A time limit in seconds ("10", "0.5") as whole milliseconds, rounded up so that a
// tiny limit never becomes 0 (which means "none"). kUsage, naming `flag`, for anything
// but a finite number above 0 and at most a day (86400).
StatusOr<long> parse_seconds(const std::string& text, const std::string& flag);
// A count flag's value (--max-requests 50): "" when `text` is a whole number from `lo` to
// `hi`, else the one line CLI11 prints after the flag's name ("abc is not a whole
// number", "0 is out of range: 1 to 100000").
std::string check_whole_number(const std::string& text, long lo, long hi);
// -A: kUsage if the value holds a line break or NUL (it would inject a header).
Status check_user_agent(const std::string& text);
// --tls-max VERSION as curl takes it: "1.2", "1.3" or "default". kUsage otherwise (1.0
// and 1.1 too: OpenSSL on Debian 12 refuses them at its default security level).
StatusOr<TlsVersion> parse_tls_max(const std::string& text);
// kUsage when --tls-max is below the lowest version asked for (--tlsv1.3 --tls-max 1.2).
Status check_tls_versions(TlsVersion min, TlsVersion max);

}  // namespace pageload::cli
