// Request parsing, without sockets.
#include <catch2/catch.hpp>

#include "lab/http_request.h"
#include "lab/query.h"

using namespace pageload::lab;

namespace {

ParseResult parse(const std::string& text, Request& request, BodyFraming& framing, std::size_t& size) {
  return parse_request_head(text, RequestLimits{}, request, framing, size);
}

}  // namespace

TEST_CASE("a request head parses into method, target and headers") {
  Request r;
  BodyFraming b;
  std::size_t size = 0;
  std::string text = "POST /echo?x=1 HTTP/1.1\r\nHost: a.test\r\nContent-Length: 3\r\n\r\nabc";
  REQUIRE(parse(text, r, b, size) == ParseResult::kComplete);
  CHECK(r.method == "POST");
  CHECK(r.target == "/echo?x=1");
  CHECK(r.path() == "/echo");
  CHECK(r.query() == "x=1");
  CHECK(r.headers.size() == 2);
  CHECK(*r.header("host") == "a.test");
  CHECK(b.content_length == 3);
  CHECK_FALSE(b.chunked);
  CHECK(size == text.size() - 3);
}

TEST_CASE("an incomplete head asks for more bytes") {
  Request r;
  BodyFraming b;
  std::size_t size = 0;
  CHECK(parse("GET / HTTP/1.1\r\nHost: a", r, b, size) == ParseResult::kNeedMore);
  CHECK(parse("", r, b, size) == ParseResult::kNeedMore);
}

TEST_CASE("bare LF line endings are accepted") {
  Request r;
  BodyFraming b;
  std::size_t size = 0;
  CHECK(parse("GET / HTTP/1.1\nHost: a\n\n", r, b, size) == ParseResult::kComplete);
  CHECK(*r.header("Host") == "a");
}

TEST_CASE("keep-alive follows the version and the Connection header") {
  Request r;
  r.minor_version = 1;
  CHECK(r.keep_alive());
  r.headers = {{"Connection", "keep-alive, Close"}};
  CHECK_FALSE(r.keep_alive());
  r.minor_version = 0;
  r.headers = {};
  CHECK_FALSE(r.keep_alive());
  r.headers = {{"connection", "Keep-Alive"}};
  CHECK(r.keep_alive());
}

TEST_CASE("a head over the size limit is refused even before it ends") {
  Request r;
  BodyFraming b;
  std::size_t size = 0;
  RequestLimits limits;
  limits.max_head_bytes = 100;
  CHECK(parse_request_head("GET / HTTP/1.1\r\nX: " + std::string(200, 'a'), limits, r, b, size) ==
        ParseResult::kHeadTooLarge);
}

TEST_CASE("Transfer-Encoding chunked wins over Content-Length") {
  Request r;
  BodyFraming b;
  std::size_t size = 0;
  REQUIRE(parse("POST / HTTP/1.1\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n", r, b, size) ==
          ParseResult::kComplete);
  CHECK(b.chunked);
  CHECK(b.content_length == 0);
}

TEST_CASE("a chunked body decodes across extensions and trailers") {
  std::string body;
  std::size_t consumed = 0;
  std::string wire = "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: v\r\n\r\nNEXT";
  REQUIRE(decode_chunked_body(wire, 1000, body, consumed) == ParseResult::kComplete);
  CHECK(body == "abcde");
  CHECK(wire.substr(consumed) == "NEXT");
  CHECK(decode_chunked_body("3\r\nab", 1000, body, consumed) == ParseResult::kNeedMore);
  CHECK(decode_chunked_body("3\r\nabcX", 1000, body, consumed) == ParseResult::kBadRequest);
  CHECK(decode_chunked_body("ffffffffffffffffff\r\n", 1000, body, consumed) == ParseResult::kBadRequest);
  CHECK(decode_chunked_body("10\r\n", 4, body, consumed) == ParseResult::kBodyTooLarge);
}

TEST_CASE("percent-decoding keeps plus signs and malformed escapes") {
  CHECK(percent_decode("a%20b") == "a b");
  CHECK(percent_decode("a+b") == "a+b");
  CHECK(percent_decode("100%") == "100%");
  CHECK(percent_decode("%zz%4") == "%zz%4");
  CHECK(percent_decode("%3c%3E") == "<>");
}

TEST_CASE("a query yields repeated values in order and clamps numbers") {
  Query q("header=A:1&to=&header=B:2&n=99999999999999999999&bad=x1&flag");
  CHECK(q.all("header") == std::vector<std::string>{"A:1", "B:2"});
  REQUIRE(q.get("to"));
  CHECK(q.get("to")->empty());
  CHECK(q.get("flag"));
  CHECK_FALSE(q.get("missing"));
  CHECK(q.get_int("n", 5, 0, 1000) == 1000);
  CHECK(q.get_int("bad", 5, 0, 1000) == 5);
  CHECK(q.get_int("missing", 5, 0, 1000) == 5);
}

TEST_CASE("an absolute-form target's path drops the scheme and authority") {
  Request r;
  r.target = "http://a.test:8080/status/200?x=1";
  CHECK(r.path() == "/status/200");
  CHECK(r.query() == "x=1");
  r.target = "https://a.test";
  CHECK(r.path() == "/");
}

TEST_CASE("an authority splits into a lowercased host and a port, brackets for IPv6") {
  std::string host;
  int port = -1;
  CHECK(split_authority("A.Test:8080", host, port));
  CHECK(host == "a.test");
  CHECK(port == 8080);
  CHECK(split_authority("b.test", host, port));
  CHECK(host == "b.test");
  CHECK(port == 0);
  CHECK(split_authority("[::1]:443", host, port));
  CHECK(host == "[::1]");
  CHECK(port == 443);
  CHECK(split_authority("[::1]", host, port));
  CHECK(port == 0);
  for (const char* bad : {"", ":80", "a.test:", "a.test:0", "a.test:65536", "a.test:8x", "a:b:c", "[::1", "[]",
                          "[::1]x", "[::1]:", "a]b"}) {
    INFO(bad);
    CHECK_FALSE(split_authority(bad, host, port));
  }
}

TEST_CASE("a request's host and port come from Host, else :authority, else the port it came in on") {
  Request r;
  r.local_port = 4000;
  CHECK(r.host().empty());
  CHECK(r.port() == 4000);
  r.headers = {{"Host", "B.test:5000"}};
  CHECK(r.host() == "b.test");
  CHECK(r.port() == 5000);
  r.headers = {{"Host", "b.test"}};
  CHECK(r.port() == 4000);
  r.headers.clear();
  r.authority = "c.test:6000";
  CHECK(r.host() == "c.test");
  CHECK(r.port() == 6000);
  r.authority.clear();
  r.target = "http://d.test:7000/x";
  CHECK(r.host() == "d.test");
  CHECK(r.port() == 7000);
  r.headers = {{"Host", "bad:port"}};
  CHECK(r.host().empty());
  CHECK(r.port() == 4000);
}
