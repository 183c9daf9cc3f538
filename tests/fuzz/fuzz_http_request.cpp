// The lab's HTTP/1.1 request parser (head, chunked body), its Host reading and its
// query-string reader, fed whatever a hostile client could send.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lab/http_request.h"
#include "lab/query.h"

using namespace pageload::lab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  RequestLimits limits;
  limits.max_head_bytes = 4096;
  limits.max_headers = 32;
  limits.max_body_bytes = 4096;
  Request request;
  BodyFraming framing;
  std::size_t head_size = 0;
  if (parse_request_head(input, limits, request, framing, head_size) != ParseResult::kComplete) return 0;
  if (head_size > input.size()) std::abort();
  if (request.headers.size() > limits.max_headers) std::abort();
  (void)request.keep_alive();
  (void)request.header("Host");
  // The Host header's host and port (what the pages name other hosts with).
  std::string host = request.host();
  int port = request.port();
  if (port < 0 || port > 65535) std::abort();
  if (host.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) std::abort();
  std::string_view path = request.path(), query = request.query();
  (void)path;
  Query q(query);
  (void)q.get("to");
  (void)q.all("header");
  (void)q.get_int("n", 0, -5, 5);
  (void)percent_decode(query);

  std::string_view rest = input.substr(head_size);
  if (framing.chunked) {
    std::string body;
    std::size_t consumed = 0;
    if (decode_chunked_body(rest, limits.max_body_bytes, body, consumed) == ParseResult::kComplete) {
      if (consumed > rest.size() || body.size() > limits.max_body_bytes) std::abort();
    }
  } else if (framing.content_length > limits.max_body_bytes) {
    std::abort();  // kBodyTooLarge should have been answered instead
  }
  return 0;
}
