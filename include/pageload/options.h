// Options of one load, as the CLI (or a test) fills them. Plain value; no I/O.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pageload/result.h"

namespace pageload {

namespace cache {
class HttpCache;  // src/cache/http_cache.h
}

// --resolve HOST:PORT:ADDR[,ADDR...]
struct ResolveEntry {
  std::string host;
  int port = 0;
  std::vector<std::string> addresses;
};

// --connect-to HOST1:PORT1:HOST2:PORT2 (curl's CURLOPT_CONNECT_TO): a request for HOST1 on
// PORT1 connects to HOST2 on PORT2 instead; its URL, Host header, TLS name (SNI) and
// certificate check stay HOST1's. An empty HOST1 or PORT1 matches any host or port; an
// empty HOST2 or PORT2 keeps the request's own. The first entry that matches is used.
struct ConnectToEntry {
  std::string host;                // lower case, no brackets; empty: any
  std::optional<int> port;         // unset: any
  std::string to_host;             // no brackets; empty: the request's host
  std::optional<int> to_port;      // unset: the request's port
  std::string text;                // as given, for messages and runs.options
};

inline constexpr const char* kDefaultUserAgent =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36 pageload/0.1";

// The proxy environment variables libcurl obeys (curl 7.88: SCHEME_proxy, HTTPS_PROXY,
// all_proxy, ALL_PROXY, no_proxy, NO_PROXY; never HTTP_PROXY), which the CLI copies into
// LoadOptions::proxy_env.
inline constexpr std::array<std::string_view, 7> kProxyVariables{
    "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"};

// A TLS version bound, as curl's --tlsv1.2, --tlsv1.3 (the lowest) and --tls-max (the
// highest) name them; kDefault: OpenSSL's own bound.
enum class TlsVersion { kDefault, kTls12, kTls13 };

struct LoadOptions {
  std::string url;
  std::string method;                 // empty: GET, or POST when data is set
  std::vector<Header> headers;        // -H, in order given
  std::optional<std::string> data;    // -d
  std::string user_agent = kDefaultUserAgent;
  bool insecure = false;              // -k
  std::string cacert;                 // --cacert
  int ip_version = 0;                 // 0 any, 4 or 6
  std::vector<ResolveEntry> resolve;  // --resolve
  std::vector<ConnectToEntry> connect_to;  // --connect-to, in order given
  std::vector<std::string> dns_servers;  // --dns-server ADDR[:PORT]
  // --dns-trace: resolve each host iteratively from the root servers, recording every
  // step, instead of asking a recursive resolver.
  bool dns_trace = false;
  // --dns-root ADDR[:PORT]: the root servers a trace starts at (default: IANA's root
  // hints); a port given here is the port every server of the walk is asked on.
  std::vector<std::string> dns_roots;
  int max_redirs = 20;
  long connect_timeout_ms = 10000;
  // Bounds the whole load, DNS included; 0: none. By default a load ends after 300 s, so
  // an endless body or a server sending a byte a second cannot run forever.
  long max_time_ms = 300000;
  long dns_timeout_ms = 15000;        // each DNS lookup, its tries included (--dns-timeout)
  long long max_filesize = 0;         // 0: none
  bool keepalive = true;              // --no-keepalive sets false
  // --share-connections: this load uses the loader's one shared connection pool, so it
  // may reuse a connection an earlier load left open (as tabs of one browser do), instead
  // of a pool of its own that starts empty.
  bool share_connections = false;
  bool keep_secrets = false;          // --keep-secrets
  std::string label;
  bool compressed = true;             // ask for gzip/deflate like a browser
  bool http11 = false;                // --http1.1: no HTTP/2, even where ALPN would agree on it
  TlsVersion tls_min = TlsVersion::kDefault;  // --tlsv1.2, --tlsv1.3: this version or later
  TlsVersion tls_max = TlsVersion::kDefault;  // --tls-max 1.2|1.3
  // Resume TLS sessions from earlier connections to the same host and port in the pool
  // (curl's session-ID cache, TLS 1.3 tickets); false: --no-sessionid.
  bool tls_sessions = true;
  // The proxy environment variables libcurl would obey (http_proxy, https_proxy,
  // HTTPS_PROXY, all_proxy, ALL_PROXY, no_proxy, NO_PROXY), as the CLI found them set.
  // pageload decides from them which proxy a request goes through and records it
  // (src/transfer/proxy.h); empty: none set.
  std::map<std::string, std::string> proxy_env;
  // -x/--proxy URL: the proxy every request goes through, instead of the one the
  // environment names (curl's CURLOPT_PROXY); no_proxy/NO_PROXY and --noproxy still apply.
  // http:// only (a URL without a scheme is http://); "" (-x ''): no proxy at all, as in
  // curl; unset: from the environment.
  std::optional<std::string> proxy;
  // --noproxy LIST: hosts that go direct, replacing no_proxy/NO_PROXY; '*': all of them.
  std::optional<std::string> noproxy;
  // -U/--proxy-user USER:PASSWORD: Basic credentials for whichever proxy a request goes
  // through (curl's CURLOPT_PROXYUSERPWD); a user and password inside the proxy URL win,
  // as in curl. Empty: none.
  std::string proxy_user;

  // Cookies. Every run keeps a cookie jar of its own, as a browser profile does for a
  // page: a Set-Cookie on one hop is sent on the next and to the page's subresources.
  // cookies: the jar's first lines (-b FILE, curl's Netscape format); cookie: -b
  // 'NAME=VALUE; ...', sent as given to the origin asked for (not to another host);
  // on_cookie_jar: called once, when the run ends, with the jar's lines (-c FILE).
  std::vector<std::string> cookies;
  std::string cookie;
  std::function<void(const std::vector<std::string>&)> on_cookie_jar;
  // -o: the document's response bodies as they arrive, decoded, for each hop of its
  // redirect chain (seq: the hop's request); called with no bytes when a hop's response
  // head is complete, so the caller keeps the last hop's body alone, as curl -L -o does.
  // Called on the loader's event loop; must not call the loader.
  std::function<void(int seq, std::string_view bytes)> on_document_body;
  // -f with -o: a document answered with 400 or more hands no body to on_document_body, so
  // FILE keeps what it held (curl -f writes no error page).
  bool document_body_fails_on_error = false;
  // -e: the Referer of the document's requests (each hop of its redirect chain), as
  // curl sends it on every hop; the page's own requests carry the page's referrer.
  std::string referer;
  // -e 'URL;auto' (or ';auto'): each redirect hop of the document sends the hop before's
  // URL as its Referer, without user, password or fragment, as curl's CURLOPT_AUTOREFERER;
  // `referer` (the part before ";auto") goes on the first hop.
  bool referer_auto = false;

  // The page. By default a load is the page: the document and what it names. With
  // document_only (--document-only) it is the document's redirect chain alone.
  bool document_only = false;
  int max_requests = 500;             // --max-requests: requests per page at most
  int max_frame_depth = 3;            // --max-frame-depth: iframes inside iframes

  // The browser's HTTP cache the load asks before the network and fills with what comes
  // back (--repeat-view, --cache DIR); null: none, every request goes on the wire (a first
  // visit). Owned by the caller; outlives the load; one load at a time may use it.
  cache::HttpCache* http_cache = nullptr;
  // What runs.options records of that cache ("cache": {"dir", "responses"}), so a warm
  // run says it was one: the --cache DIR it was read from (empty: the cache of this
  // invocation alone, a repeat view's) and how many responses it held when the load began.
  // Unset: the load had no cache the user asked for.
  struct CacheStart {
    std::string dir;
    std::size_t responses = 0;
  };
  std::optional<CacheStart> cache_start;
};

// The options as JSON for runs.options, with secret header values redacted.
std::string options_to_json(const LoadOptions& options);

}  // namespace pageload
