// The batch summary's arithmetic and words, on runs made by hand; and the --input lines
// that are not URLs coming out as lines of their own, so a batch can skip them.
#include <catch2/catch.hpp>

#include <cstring>
#include <nlohmann/json.hpp>

#include "cli/batch_summary.h"
#include "cli/url_feed.h"

using namespace pageload;
using namespace pageload::cli;

namespace {

Run run_of(int64_t id, double total, std::optional<Code> failure = std::nullopt) {
  Run run;
  run.id = id;
  run.url = "http://www.test/" + std::to_string(id);
  run.total_ms = total;
  run.outcome = failure ? Outcome::kFailed : Outcome::kOk;
  if (failure) run.failure = Failure{*failure, "no"};
  Request doc;
  doc.seq = 0;
  doc.phases.push_back(PhaseRecord{Phase::kDns, Span{0, total / 4}, std::nullopt});
  if (!failure) doc.phases.push_back(PhaseRecord{Phase::kWait, Span{total / 4, total}, std::nullopt});
  run.requests.push_back(doc);
  return run;
}

}  // namespace

TEST_CASE("percentiles are nearest-rank: the smallest value with at least p percent at or below it") {
  std::vector<double> four{4, 1, 3, 2};
  CHECK(percentile(four, 50) == 2);
  CHECK(percentile(four, 95) == 4);
  std::vector<double> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  CHECK(percentile(twenty, 95) == 19);
  CHECK(percentile(twenty, 50) == 10);
  std::vector<double> none;
  CHECK_FALSE(percentile(none, 50));
  std::vector<double> one{7};
  CHECK(percentile(one, 95) == 7);
}

TEST_CASE("the batch summary counts outcomes and error classes and lists the slowest runs first") {
  BatchSummary s;
  for (int i = 1; i <= 8; ++i) s.add(run_of(i, 10.0 * i));
  s.add(run_of(9, 5, Code::kDnsNxdomain));
  s.add(run_of(10, 7, Code::kDnsNxdomain));
  s.add(run_of(11, 900, Code::kConnectRefused));
  s.skip("urls.txt:3: not a URL");
  const std::string text = s.text();
  INFO(text);
  CHECK(text.rfind("batch: 11 runs · 8 ok · 3 failed (connect_refused 1, dns_nxdomain 2) · 1 --input line skipped\n", 0) == 0);
  const auto j = nlohmann::json::parse(s.json())["batch"];
  CHECK(j["total"]["runs"] == 11);
  CHECK(j["total"]["p50_ms"] == 40.0);  // 5 7 10 20 30 40 ...: the 6th of 11 (ceil 5.5)
  CHECK(j["total"]["p95_ms"] == 900.0);  // the 11th (ceil 10.45)
  CHECK(j["total"]["max_ms"] == 900.0);
  CHECK(j["phases"]["wait"]["runs"] == 8);  // failed runs never waited
  CHECK(j["phases"]["dns"]["runs"] == 11);
  REQUIRE(j["slowest"].size() == BatchSummary::kSlowest);
  CHECK(j["slowest"][0]["run"] == 11);
  CHECK(j["slowest"][1]["run"] == 8);
  CHECK(j["skipped_lines"] == nlohmann::json::array({"urls.txt:3: not a URL"}));
}

TEST_CASE("the batch summary's JSON figures are rounded to the microsecond, without float tails") {
  // A phase of 1005.1 to 1005.83 ms lasts 0.730000000000018 ms in floating point.
  BatchSummary s;
  Run run = run_of(1, 2);
  run.total_ms = 1005.83 - 1005.1;
  run.requests[0].phases = {PhaseRecord{Phase::kDns, Span{1005.1, 1005.83}, std::nullopt}};
  s.add(run);
  const std::string text = s.json();
  INFO(text);
  CHECK(text.find("0.730000000000018") == std::string::npos);
  const auto j = nlohmann::json::parse(text)["batch"];
  CHECK(j["phases"]["dns"]["p50_ms"].dump() == "0.73");
  CHECK(j["total"]["max_ms"].dump() == "0.73");
  CHECK(j["slowest"][0]["total_ms"].dump() == "0.73");
}

TEST_CASE("a line of --input that is not a URL comes out as a bad line and the lines after it still come") {
  const std::string input = "http://a.test/\nnot a url\n\nhttp://b.test/\n";
  std::size_t at = 0;
  UrlLines lines(
      [&](char* buf, std::size_t len) -> long {
        const std::size_t n = std::min(len, input.size() - at);
        std::memcpy(buf, input.data() + at, n);
        at += n;
        return static_cast<long>(n);
      },
      "urls.txt");
  auto first = lines.next();
  REQUIRE(first.ok());
  CHECK(first->kind == UrlLines::Line::Kind::kUrl);
  auto bad = lines.next();
  REQUIRE(bad.ok());
  REQUIRE(bad->kind == UrlLines::Line::Kind::kBad);
  CHECK(bad->bad.code() == Code::kUsage);
  CHECK(bad->bad.message().rfind("urls.txt:2: ", 0) == 0);
  auto second = lines.next();
  REQUIRE(second.ok());
  CHECK(second->kind == UrlLines::Line::Kind::kUrl);
  CHECK(second->url == "http://b.test/");
  auto end = lines.next();
  REQUIRE(end.ok());
  CHECK(end->kind == UrlLines::Line::Kind::kEnd);
}

// Re-review of issue 11 (#8): a -k run whose certificate did not verify was counted as a
// plain `ok` in the batch line, which is what one reads after a long batch.
TEST_CASE("the batch summary counts and marks the runs loaded under -k with a certificate that did not verify") {
  BatchSummary s;
  s.add(run_of(1, 10));
  Run unverified = run_of(2, 50);
  Connection c;
  c.id = 0;
  c.scheme = "https";
  c.host = "expired.test";
  c.port = 443;
  c.tls = TlsInfo{};
  c.tls->verified = false;
  c.tls->verify_result = 10;
  unverified.connections.push_back(c);
  unverified.requests[0].connection = 0;
  unverified.requests[0].status = 200;
  s.add(unverified);
  const std::string text = s.text();
  INFO(text);
  CHECK(text.find("batch: 2 runs · 2 ok · 1 not verified (-k)\n") != std::string::npos);
  CHECK(text.find("run 2 ok (not verified, -k)") != std::string::npos);
  CHECK(text.find("run 1 ok  ") != std::string::npos);
  const auto batch = nlohmann::json::parse(s.json())["batch"];
  CHECK(batch["not_verified"] == 1);
  CHECK(batch["slowest"][0]["not_verified"] == true);
  CHECK(batch["slowest"][1]["not_verified"] == false);
}
