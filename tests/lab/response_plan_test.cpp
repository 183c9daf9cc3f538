// Response plans without sockets: what the routes plan, and how a body is walked.
#include <catch2/catch.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "lab/http2_session.h"
#include "lab/response_plan.h"
#include "lab/routes.h"

using namespace pageload::lab;
using std::chrono::milliseconds;

namespace {

Request get(std::string target) {
  Request r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
}

// Reads a whole body through a cursor, noting each pause as "(N ms)".
std::string walk(const std::vector<BodyPiece>& pieces, std::size_t read_size) {
  BodyCursor cursor(pieces);
  std::string out;
  std::string buffer(read_size, '\0');
  for (int guard = 0; !cursor.done() && guard < 100000; ++guard) {
    if (milliseconds pause = cursor.take_pause(); pause.count() > 0) out += "(" + std::to_string(pause.count()) + " ms)";
    out.append(buffer.data(), cursor.read(buffer.data(), buffer.size()));
  }
  return out;
}

}  // namespace

TEST_CASE("a body cursor hands out each pause once, before its piece's bytes") {
  std::vector<BodyPiece> pieces = {literal("ab"), filler("xy", 5, milliseconds(20)), filler("", 0, milliseconds(7)),
                                   literal("c")};
  CHECK(walk(pieces, 1) == "ab(20 ms)xyxyx(7 ms)c");
  CHECK(walk(pieces, 64) == "ab(20 ms)xyxyx(7 ms)c");
  CHECK(walk({}, 8).empty());
  CHECK(walk({filler("", 0, milliseconds(3))}, 8) == "(3 ms)");
}

TEST_CASE("a body cursor reads nothing while a pause is pending and stops at a piece's end") {
  std::vector<BodyPiece> pieces = {literal("abc"), literal("de", milliseconds(5))};
  BodyCursor cursor(pieces);
  char buffer[16];
  CHECK(cursor.read(buffer, sizeof buffer) == 3);
  CHECK(cursor.pause_pending());
  CHECK(cursor.read(buffer, sizeof buffer) == 0);
  CHECK_FALSE(cursor.done());
  CHECK(cursor.take_pause() == milliseconds(5));
  CHECK(cursor.take_pause() == milliseconds(0));
  CHECK(cursor.read(buffer, sizeof buffer) == 2);
  CHECK(cursor.done());
}

TEST_CASE("/drip plans its chunks with a pause between each, and no Content-Length") {
  RouteState state;
  ResponsePlan plan = plan_response(get("/drip?chunks=3&interval=40&size=4"), state);
  CHECK(plan.status == 200);
  CHECK_FALSE(plan.content_length);
  REQUIRE(plan.body.size() == 3);
  CHECK(walk(plan.body, 100) == "....(40 ms)....(40 ms)....");
}

TEST_CASE("/gap and /delay put their pauses where their names say") {
  RouteState state;
  ResponsePlan gap = plan_response(get("/gap/250?size=10"), state);
  CHECK(gap.content_length == 10u);
  CHECK(walk(gap.body, 100) == "ggggg(250 ms)ggggg");
  ResponsePlan delay = plan_response(get("/delay/120"), state);
  CHECK(delay.head_delay == milliseconds(120));
  CHECK(delay.content_length == delay.body_size());
}

TEST_CASE("/large plans its bytes without holding them") {
  RouteState state;
  ResponsePlan plan = plan_response(get("/large/4294967296"), state);
  CHECK(plan.content_length == 4294967296u);
  CHECK(plan.body_size() == 4294967296u);
  REQUIRE(plan.body.size() == 1);
  CHECK(plan.body[0].pattern.size() == 64u * 1024u);
}

TEST_CASE("/refuse/2 refuses two of every three requests for one URL, each URL counted apart") {
  RouteState state;
  auto ending = [&](const char* target) { return plan_response(get(target), state).ending; };
  CHECK(ending("/refuse/2?id=a") == Ending::kRefuseStream);
  CHECK(ending("/refuse/2?id=b") == Ending::kRefuseStream);
  CHECK(ending("/refuse/2?id=a") == Ending::kRefuseStream);
  CHECK(ending("/refuse/2?id=a") == Ending::kComplete);
  CHECK(ending("/refuse/2?id=a") == Ending::kRefuseStream);
  CHECK(ending("/refuse/0") == Ending::kComplete);
  CHECK(plan_response(get("/refuse/x"), state).status == 400);
}

TEST_CASE("query overrides ride on every plan") {
  RouteState state;
  ResponsePlan plan = plan_response(get("/status/201?reason=Made&header=X-A:%201&header=bad"), state);
  CHECK(plan.status == 201);
  CHECK(plan.reason == "Made");
  REQUIRE(plan.extra_headers.size() == 1);
  CHECK(plan.extra_headers[0] == std::pair<std::string, std::string>{"X-A", "1"});
}

TEST_CASE("an HTTP/2 session given a client that does not speak HTTP/2 sends nothing but its SETTINGS and ends") {
  RouteState state;
  auto session = Http2Session::create({}, state);
  REQUIRE(session);
  CHECK_FALSE(session->receive("GET / HTTP/1.1\r\nHost: a\r\n\r\n", Http2Session::Clock::now()));
  session->produce(1 << 20);
  // Frame types in the output: each frame is a 9-byte header (length, type, ...) and
  // its payload.
  std::string_view out = session->output();
  std::vector<int> types;
  while (out.size() >= 9) {
    std::size_t length = (static_cast<unsigned char>(out[0]) << 16) | (static_cast<unsigned char>(out[1]) << 8) |
                         static_cast<unsigned char>(out[2]);
    types.push_back(out[3]);
    out.remove_prefix(std::min(out.size(), 9 + length));
  }
  // SETTINGS only: RFC 9113 3.4 lets a server skip the GOAWAY for a bad preface.
  CHECK(types == std::vector<int>{0x4});
  CHECK(session->finished());
}
