// The response head as the header callback sees it: status lines, fields, folds, trailers.
#include <catch2/catch.hpp>

#include "transfer/response_head.h"

using namespace pageload;
using namespace pageload::transfer;
using Line = ResponseHead::Line;

namespace {

// Feeds each line with its CRLF, as curl hands them over.
std::vector<Line> feed(ResponseHead& head, std::initializer_list<std::string_view> lines) {
  std::vector<Line> kinds;
  for (std::string_view l : lines) kinds.push_back(head.feed(std::string(l) + "\r\n"));
  return kinds;
}

}  // namespace

TEST_CASE("a chunked trailer line that starts with HTTP/ is a trailer, not a new response") {
  ResponseHead head;
  feed(head, {"HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Content-Type: text/plain", ""});
  CHECK(head.final_head_complete());
  CHECK(head.feed("HTTP/1.1 404 Not Found: x\r\n") == Line::kTrailer);
  CHECK(head.status() == 200);
  CHECK(head.status_line() == "HTTP/1.1 200 OK");
  CHECK(head.fields() == std::vector<Header>{{"Transfer-Encoding", "chunked"}, {"Content-Type", "text/plain"}});
  CHECK(head.trailers() == std::vector<Header>{{"HTTP/1.1 404 Not Found", "x"}});
  CHECK(head.final_head_complete());
}

TEST_CASE("a Location sent in a trailer stays a trailer and leaves the header's Location alone") {
  ResponseHead head;
  feed(head, {"HTTP/1.1 302 Found", "Location: /landing", "Transfer-Encoding: chunked", ""});
  CHECK(head.feed("Location: /trailer-target\r\n") == Line::kTrailer);
  CHECK(head.fields().at(0) == Header{"Location", "/landing"});
  CHECK(head.fields().size() == 2);
  CHECK(head.trailers() == std::vector<Header>{{"Location", "/trailer-target"}});
}

TEST_CASE("an obs-fold line is folded into the previous field, never read as a field of its own") {
  ResponseHead head;
  auto kinds = feed(head, {"HTTP/1.1 302 Found", "Location: /ok", "X-Fold: a", " Location: /folded", "\tand more",
                           "Content-Length: 0", ""});
  CHECK(kinds[3] == Line::kFolded);
  CHECK(kinds[4] == Line::kFolded);
  CHECK(head.fields() ==
        std::vector<Header>{{"Location", "/ok"}, {"X-Fold", "a Location: /folded and more"}, {"Content-Length", "0"}});
  REQUIRE(head.warnings().size() == 1);
  CHECK(head.warnings()[0].find("2 obs-fold lines") == 0);
}

TEST_CASE("an obs-fold line before any field is dropped with a warning") {
  ResponseHead head;
  auto kinds = feed(head, {"HTTP/1.1 200 OK", " Location: /folded", "A: b", ""});
  CHECK(kinds[1] == Line::kIgnored);
  CHECK(head.fields() == std::vector<Header>{{"A", "b"}});
  REQUIRE(head.warnings().size() == 1);
  CHECK(head.warnings()[0].find("with no field before it ignored") != std::string::npos);
}

TEST_CASE("a Content-Length over 2^63 - 1 is a violation, 2^63 - 1 and leading zeros are not") {
  CHECK(content_length_overflows("9223372036854775808"));
  CHECK(content_length_overflows(" 99999999999999999999999 "));
  CHECK_FALSE(content_length_overflows("9223372036854775807"));
  CHECK_FALSE(content_length_overflows("0000000000000000000000000042"));
  CHECK_FALSE(content_length_overflows("-1"));   // curl refuses that one itself
  CHECK_FALSE(content_length_overflows("12, 12"));
  CHECK_FALSE(content_length_overflows(""));

  ResponseHead head;
  feed(head, {"HTTP/1.1 200 OK"});
  CHECK(head.feed("Content-Length: 9223372036854775808\r\n") == Line::kViolation);
  CHECK(head.violation() == "Content-Length 9223372036854775808 is over 2^63 - 1 bytes");
}

TEST_CASE("a 100 Continue and a 103 are interim: the final response's fields are its own") {
  ResponseHead head;
  auto kinds = feed(head, {"HTTP/1.1 100 Continue", "", "HTTP/1.1 103 Early Hints", "Link: </a.css>; rel=preload", "",
                           "HTTP/1.1 201 Created", "Location: /new", ""});
  CHECK(kinds[0] == Line::kInterimStatus);
  CHECK(kinds[2] == Line::kInterimStatus);
  CHECK(kinds[5] == Line::kFinalStatus);
  CHECK(head.interim() == std::vector<int>{100, 103});
  CHECK(head.status() == 201);
  CHECK(head.fields() == std::vector<Header>{{"Location", "/new"}});
  CHECK(head.final_head_complete());
}

TEST_CASE("a 103 followed by nothing leaves no final status") {
  ResponseHead head;
  feed(head, {"HTTP/1.1 103 Early Hints", "Link: </a.css>", ""});
  CHECK(head.any_status());
  CHECK_FALSE(head.final_status());
  CHECK_FALSE(head.final_head_complete());
}

TEST_CASE("fields over the limit are counted, not kept, per head and per trailer block") {
  ResponseHead head;
  head.feed("HTTP/1.1 200 OK\r\n");
  for (std::size_t i = 0; i < ResponseHead::kMaxFields + 5; ++i) head.feed("X-H" + std::to_string(i) + ": v\r\n");
  head.feed("\r\n");
  for (std::size_t i = 0; i < ResponseHead::kMaxFields + 2; ++i) head.feed("X-T" + std::to_string(i) + ": v\r\n");
  CHECK(head.fields().size() == ResponseHead::kMaxFields);
  CHECK(head.trailers().size() == ResponseHead::kMaxFields);
  auto w = head.warnings();
  REQUIRE(w.size() == 2);
  CHECK(w[0] == "5 more response headers not recorded (limit 1000)");
  CHECK(w[1] == "2 more trailers not recorded (limit 1000)");
}

TEST_CASE("an HTTP/2 status line from curl is read like an HTTP/1.1 one") {
  ResponseHead head;
  CHECK(head.feed("HTTP/2 200 \r\n") == Line::kFinalStatus);
  CHECK(head.status() == 200);
  CHECK(head.feed("content-type: text/html\r\n") == Line::kField);
}
