// A small libcurl client for the lab's tests: one easy handle (so keep-alive reuse is
// visible), or a multi handle for several transfers at once (HTTP/2 streams on one
// connection), names pinned to 127.0.0.1 with CURLOPT_RESOLVE, and everything a test
// asserts on collected in one Fetch value.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pageload::lab::testing {

struct Fetch {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string head;     // every response head received, raw
  std::string body;     // decoded when Accept-Encoding was set
  std::string error;    // CURLOPT_ERRORBUFFER
  long verify_result = 0;
  double appconnect_ms = 0;
  double pretransfer_ms = 0;  // the request is about to be sent
  double starttransfer_ms = 0;
  double total_ms = 0;
  curl_off_t size_download = 0;  // bytes on the wire (before decoding)
  long redirects = 0;
  std::string effective_url;
  std::string alpn;     // from the "ALPN, server accepted" verbose line, if any
  long http_version = 0;  // CURLINFO_HTTP_VERSION: CURL_HTTP_VERSION_1_1, _2_0...
  std::string trace;    // curl's informational verbose lines (CURLINFO_TEXT)
  double done_ms = 0;   // for concurrent fetches: when it finished, from the start of all
  // The value of the first header `name` in the last head, or "" (case-insensitive).
  std::string header(const std::string& name) const;
  // The same, nullopt when the header is absent.
  std::optional<std::string> find_header(const std::string& name) const;
};

struct FetchOptions {
  std::string method;                 // empty: GET (or POST with body)
  std::string body;
  bool has_body = false;
  std::vector<std::string> headers;   // "Name: value"
  std::string accept_encoding;        // empty: none sent; "gzip" decodes
  bool follow = false;
  bool verify = true;
  long timeout_ms = 20'000;
  bool head_request = false;
  long abort_after_bytes = -1;        // >= 0: abort the transfer once this much body arrived
  long http_version = 0;              // CURLOPT_HTTP_VERSION; 0: curl's default (h2 over TLS)
};

class Client {
 public:
  // `ca_file` for CURLOPT_CAINFO; `ports` are the ports the pinned names are pinned on.
  Client(std::string ca_file, std::vector<int> ports);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Fetch fetch(const std::string& url, const FetchOptions& options = {});
  // Fetches every URL at once through a multi handle of its own that multiplexes and
  // waits for a connection to multiplex on (CURLOPT_PIPEWAIT), as browsers do: over
  // HTTP/2, one connection per origin. Results in the order of `urls`.
  std::vector<Fetch> fetch_all(const std::vector<std::string>& urls, const FetchOptions& options = {});

 private:
  struct Transfer;
  void configure(CURL* curl, Transfer& t, const std::string& url, const FetchOptions& options);
  static void collect(CURL* curl, Transfer& t);

  CURL* curl_;
  curl_slist* resolve_ = nullptr;
  std::string ca_file_;
};

}  // namespace pageload::lab::testing
