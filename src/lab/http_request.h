// HTTP/1.1 request parsing for the lab server: the request head, then a body framed by
// Content-Length or chunked transfer coding. Pure functions over bytes, so the parser is
// tested without sockets. Hostile input yields an error value, never a crash.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pageload::lab {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;   // as sent, e.g. "GET"
  std::string target;   // request-target as sent, e.g. "/status/404?reason=Nope"
  int major_version = 1;  // 2 for HTTP/2
  int minor_version = 1;  // HTTP/1.<minor>
  HeaderList headers;   // in order, names as sent (HTTP/2: lowercase, no pseudo-headers)
  std::string body;
  std::string authority;  // HTTP/2's :authority ("" for HTTP/1.1, which has Host)
  int local_port = 0;     // the server port the request came in on (0: unknown)

  // The first header named `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  // Whether the connection stays open after this request's response (HTTP/1.1
  // default keep-alive, HTTP/1.0 only with "Connection: keep-alive").
  bool keep_alive() const;
  // The target's path (before '?'; for an absolute-form target "http://h/p?q" the
  // scheme and authority are dropped) and its query (after '?', empty when none).
  std::string_view path() const;
  std::string_view query() const;
  // The host the client asked for, without its port: from the Host header, else
  // :authority, else an absolute-form target; lowercased. "" when none names one.
  std::string host() const;
  // The port the client asked for (from the same source as host()), else local_port.
  int port() const;
};

// Splits "name", "name:port", "[v6]" or "[v6]:port" into a lowercased host and a port
// (0 when absent). False for anything else (an empty name, a bad port, stray brackets).
bool split_authority(std::string_view authority, std::string& host, int& port);

enum class ParseResult {
  kComplete,        // a whole request head (or body) is available
  kNeedMore,        // keep reading
  kBadRequest,      // malformed: answer 400 and close
  kHeadTooLarge,    // answer 431 and close
  kBodyTooLarge,    // answer 413 and close
  kNotImplemented,  // unknown transfer coding: answer 501 and close
};

struct RequestLimits {
  std::size_t max_head_bytes = 64 * 1024;
  std::size_t max_headers = 200;
  std::size_t max_body_bytes = 64 * 1024 * 1024;
};

// How the body after a parsed head is framed.
struct BodyFraming {
  bool chunked = false;
  std::size_t content_length = 0;  // when not chunked
};

// Parses a request head from the start of `buffer`. On kComplete fills `request`
// (body empty), `framing`, and `head_size` (bytes of the head including the blank
// line). Tolerates bare LF line endings.
ParseResult parse_request_head(std::string_view buffer, const RequestLimits& limits, Request& request,
                               BodyFraming& framing, std::size_t& head_size);

// Decodes a chunked body from the start of `buffer` (bytes after the head). On
// kComplete sets `body` and `consumed` (bytes of the chunked encoding, trailers
// included). Re-run from the start with more bytes on kNeedMore.
ParseResult decode_chunked_body(std::string_view buffer, std::size_t max_body, std::string& body,
                                std::size_t& consumed);

// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);

}  // namespace pageload::lab
