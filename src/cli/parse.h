// Turns command-line strings into option values: -H, --resolve, --dns-server.
// Pure functions, so the rules are unit-tested apart from CLI11.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "pageload/options.h"

namespace pageload::cli {

// "Name: value" (curl's -H syntax; "Name;" sends an empty value). kUsage on a line
// without a colon, an empty or invalid name, or CR/LF inside.
StatusOr<Header> parse_header(const std::string& text);
// curl's -H 'Name:' (nothing but blanks after the colon): the header is left out, pageload's
// and libcurl's own one included; 'Name;' is the way to send it empty. For a text
// parse_header accepted.
bool removes_header(const std::string& text);
// HOST:PORT:ADDR[,ADDR...] (IPv6 addresses in brackets), as curl reads it: HOST '*' is
// any host on PORT, a leading '+' changes nothing. kUsage otherwise, and for curl's
// '-HOST:PORT' (remove a cached entry), named.
StatusOr<ResolveEntry> parse_resolve(const std::string& text);
// --connect-to HOST1:PORT1:HOST2:PORT2 as curl reads it: each field may be empty (HOST1,
// PORT1: any; HOST2, PORT2: the request's own); IPv6 addresses in brackets. Host names
// are lower-cased. kUsage, naming the flag and the value, for anything else: not four
// fields, a port that is not 1 to 65535, a host with characters no host name has.
StatusOr<ConnectToEntry> parse_connect_to(const std::string& text);
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
// --max-filesize SIZE as curl 7.88 reads it: a whole number of bytes, optionally followed
// by one unit letter, K, M or G (powers of 1024; case ignored) or B. On success `text`
// becomes the number of bytes and "" is returned; else the one line CLI11 prints after
// the flag's name ("10x: unknown unit 'x': use G, M, K or B").
std::string read_size(std::string& text);
// -A: kUsage if the value holds a line break or NUL (it would inject a header).
Status check_user_agent(const std::string& text);
// --tls-max VERSION as curl takes it: "1.2", "1.3" or "default". kUsage otherwise (1.0
// and 1.1 too: OpenSSL on Debian 12 refuses them at its default security level).
StatusOr<TlsVersion> parse_tls_max(const std::string& text);
// kUsage when --tls-max is below the lowest version asked for (--tlsv1.3 --tls-max 1.2).
Status check_tls_versions(TlsVersion min, TlsVersion max);

// -u USER:PASSWORD as curl sends it: "Authorization: Basic base64(USER:PASSWORD)". kUsage
// without a colon (curl would ask for the password; pageload does not ask) or with a line
// break.
StatusOr<Header> parse_user(const std::string& text);
// -U/--proxy-user USER:PASSWORD, returned as given. kUsage without a colon (pageload does
// not ask for the password) or with a line break or NUL.
StatusOr<std::string> parse_proxy_user(const std::string& text);

// Every option of curl 7.88 that pageload does not have, each refused by name ("pageload does
// not support curl's --form") rather than as an unknown flag; the few whose spelling
// CLI11 cannot take or pageload uses are in check_curl_clashes. `takes_value`: the flag
// reads the next argument, so that it is not taken for a URL.
struct CurlFlag {
  std::string_view names;  // CLI11 spelling: "-F,--form"
  bool takes_value;
};
inline constexpr std::array<CurlFlag, 196> kUnsupportedCurlFlags{{
    {"-F,--form", true}, {"--form-string", true}, {"-T,--upload-file", true}, {"-C,--continue-at", true},
    {"-r,--range", true}, {"--limit-rate", true}, {"--retry", true}, {"--retry-delay", true},
    {"--retry-max-time", true}, {"--retry-all-errors", false}, {"-K,--config", true}, {"-E,--cert", true},
    {"--key", true}, {"--cert-type", true}, {"--key-type", true}, {"--capath", true}, {"--pinnedpubkey", true},
    {"--ciphers", true}, {"--tls13-ciphers", true}, {"--data-urlencode", true}, {"--interface", true},
    {"--local-port", true}, {"--unix-socket", true}, {"--abstract-unix-socket", true}, {"-Y,--speed-limit", true},
    {"-y,--speed-time", true}, {"--trace", true}, {"--trace-ascii", true}, {"--stderr", true},
    {"-z,--time-cond", true}, {"--alt-svc", true}, {"--hsts", true}, {"--doh-url", true},
    {"--oauth2-bearer", true}, {"--url-query", true}, {"--proto", true}, {"--proto-redir", true},
    {"--output-dir", true}, {"-O,--remote-name", false}, {"-J,--remote-header-name", false},
    {"--remote-name-all", false}, {"-R,--remote-time", false}, {"--create-dirs", false}, {"-G,--get", false},
    {"--netrc", false}, {"--netrc-optional", false}, {"--digest", false}, {"--ntlm", false},
    {"--negotiate", false}, {"--anyauth", false}, {"--http3", false}, {"--http2-prior-knowledge", false},
    {"-0,--http1.0", false}, {"-N,--no-buffer", false}, {"-j,--junk-session-cookies", false},
    {"--fail-with-body", false}, {"--location-trusted", false}, {"--post301", false}, {"--post302", false},
    {"--post303", false}, {"--ssl-reqd", false}, {"--tcp-fastopen", false},
    {"--progress-bar", false}, {"--basic", false}, {"--path-as-is", false}, {"--cert-status", false},
    {"--raw", false}, {"--tr-encoding", false}, {"--no-alpn", false}, {"--no-npn", false}, {"--false-start", false},
    {"--keepalive-time", true}, {"--expect100-timeout", true}, {"--happy-eyeballs-timeout-ms", true},
    {"--variable", true}, {"--styled-output", false}, {"--xattr", false}, {"--compressed-ssh", false},
    {"--sslv2", false}, {"--disable", false},
    {"--tlsv1", false}, {"--tlsv1.0", false}, {"--tlsv1.1", false}, {"--sslv3", false},
    {"--retry-connrefused", false}, {"--next", false}, {"--socks4a", true},
    {"--ignore-content-length", false}, {"--proxy1.0", true}, {"--crlf", false},
    {"-l,--list-only", false}, {"-B,--use-ascii", false}, {"-a,--append", false}, {"--metalink", false},
    // The rest of curl 7.88's options (`curl --help all`; tests/cli/data/curl_7.88_flags.txt):
    // FTP, mail, SSH, TFTP, telnet, client certificates, DoH, revocation, output-file modes...
    {"--aws-sigv4", true}, {"--create-file-mode", true}, {"--crlfile", true}, {"--curves", true},
    {"--delegation", true}, {"--disable-eprt", false}, {"--disable-epsv", false},
    {"--disallow-username-in-url", false}, {"--dns-interface", true}, {"--dns-ipv4-addr", true},
    {"--dns-ipv6-addr", true}, {"--doh-cert-status", false}, {"--doh-insecure", false}, {"--egd-file", true},
    {"--engine", true}, {"--etag-compare", true}, {"--etag-save", true}, {"--form-escape", false},
    {"--ftp-account", true}, {"--ftp-alternative-to-user", true}, {"--ftp-create-dirs", false},
    {"--ftp-method", true}, {"--ftp-pasv", false}, {"-P,--ftp-port", true}, {"--ftp-pret", false},
    {"--ftp-skip-pasv-ip", false}, {"--ftp-ssl-ccc", false}, {"--ftp-ssl-ccc-mode", true},
    {"--ftp-ssl-control", false}, {"--haproxy-protocol", false}, {"--hostpubmd5", true}, {"--hostpubsha256", true},
    {"--http0.9", false}, {"--http3-only", false}, {"--krb", true}, {"--libcurl", true}, {"--login-options", true},
    {"--mail-auth", true}, {"--mail-from", true}, {"--mail-rcpt", true}, {"--mail-rcpt-allowfails", false},
    {"-M,--manual", false}, {"--netrc-file", true}, {"--no-clobber", false}, {"--ntlm-wb", false}, {"--pass", true},
    {"--proto-default", true}, {"--proxy-capath", true}, {"--proxy-cert", true}, {"--proxy-cert-type", true},
    {"--proxy-ciphers", true}, {"--proxy-crlfile", true}, {"--proxy-key", true}, {"--proxy-key-type", true},
    {"--proxy-pass", true}, {"--proxy-pinnedpubkey", true}, {"--proxy-service-name", true},
    {"--proxy-ssl-allow-beast", false}, {"--proxy-ssl-auto-client-cert", false}, {"--proxy-tls13-ciphers", true},
    {"--proxy-tlsauthtype", true}, {"--proxy-tlspassword", true}, {"--proxy-tlsuser", true}, {"--proxy-tlsv1", false},
    {"--pubkey", true}, {"-Q,--quote", true}, {"--random-file", true}, {"--rate", true}, {"--remove-on-error", false},
    {"--request-target", true}, {"--sasl-authzid", true}, {"--sasl-ir", false}, {"--service-name", true},
    {"--socks5-basic", false}, {"--socks5-gssapi", false}, {"--socks5-gssapi-nec", false},
    {"--socks5-gssapi-service", true}, {"--ssl", false}, {"--ssl-allow-beast", false},
    {"--ssl-auto-client-cert", false}, {"--ssl-no-revoke", false}, {"--ssl-revoke-best-effort", false},
    {"--suppress-connect-headers", false}, {"-t,--telnet-option", true}, {"--tftp-blksize", true},
    {"--tftp-no-options", false}, {"--tlsauthtype", true}, {"--tlspassword", true}, {"--tlsuser", true},
    {"--trace-time", false},
    // Proxies: only http:// proxies with Basic credentials (-x, -U); no tunnel for http://
    // URLs, no TLS to the proxy, no SOCKS.
    {"-p,--proxytunnel", false}, {"--proxy-digest", false}, {"--proxy-ntlm", false}, {"--proxy-anyauth", false},
    {"--proxy-negotiate", false}, {"--proxy-insecure", false}, {"--proxy-cacert", true}, {"--proxy-header", true},
    {"--preproxy", true}, {"--socks5", true}, {"--socks5-hostname", true}, {"--socks4", true},
}};
static_assert(!kUnsupportedCurlFlags.back().names.empty(), "the array's size counts more flags than it lists");

// curl's spellings that clash with pageload's own flags or that CLI11 cannot name, read
// from `pageload run`'s arguments before CLI11 sees them: `--json DATA` (curl: a JSON
// body; pageload's --json takes no value), `--parallel` without a number and `-Z` (curl:
// load the URLs at once; pageload's --parallel takes N), `-#`, `--dns-servers`
// (pageload's --dns-server), -V/--version (pageload --version, alone) and -: (--next). The
// usage error naming curl's meaning, or Ok. Also one of kUnsupportedCurlFlags that takes a
// value, given last without it, and --url without a URL.
Status check_curl_clashes(const std::vector<std::string>& args);

// curl's -1, -2 and -3 (--tlsv1, --sslv2, --sslv3), which reach the run command as URLs
// (CLI11 takes "-1" for a value where an option wants one, e.g. --dns-timeout -1): the
// usage error naming curl's flag, or Ok for any other argument.
Status check_curl_digit_flag(const std::string& url_argument);

// curl's --url URL (and --url=URL), as "Copy as cURL" in Insomnia and others writes it: the
// URL as if given alone. `args` are `pageload run`'s; what follows "--" is left as it is.
std::vector<std::string> take_curl_url_flags(std::vector<std::string> args);

// Whether one of `args` may be one of kUnsupportedCurlFlags as CLI11 reads it: a long name
// (alone or with =VALUE), or a short one alone or in a group of short flags (-sF). False
// means CLI11 would match none of them, so they need not be registered.
bool may_name_unsupported_curl_flag(const std::vector<std::string>& args);

// "-F,--form" -> "--form": the name an error message gives.
inline std::string_view curl_flag_name(std::string_view names) {
  const auto comma = names.rfind(',');
  return comma == std::string_view::npos ? names : names.substr(comma + 1);
}

}  // namespace pageload::cli
