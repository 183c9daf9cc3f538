// -k hid a failed certificate check (issue 11): a load that went on past a certificate that
// did not verify read `run 1 ok · final 200` in the summary, plain `ok` in `list`, and the
// report's header said nothing. Each must say the certificate did not verify, and why.
#include "faults/fault_support.h"

using namespace pageload;
using namespace pageload::testing;

TEST_CASE("a load under -k past an expired certificate says so under the summary's verdict") {
  TempDb tmp;
  const std::string url = shared_lab().https_url("expired.test", "/status/200");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-k", url}), tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);  // -k: the load goes on
  const auto verdict = r.out.find("run 1 ok");
  REQUIRE(verdict != std::string::npos);
  const auto warning = r.out.find("certificate not verified (-k): expired.test:", verdict);
  REQUIRE(warning != std::string::npos);
  CHECK(r.out.find("certificate has expired", warning) != std::string::npos);
}

TEST_CASE("list marks a run loaded under -k past a certificate that did not verify, with the reason") {
  TempDb tmp;
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-k", shared_lab().https_url("wronghost.test", "/")}), tmp.dir())
              .status == 0);
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), shared_lab().https_url("www.test", "/")}), tmp.dir()).status == 0);
  auto list = pageload_cli({"list", "--db", tmp.path()}, tmp.dir());
  INFO(list.out);
  REQUIRE(list.status == 0);
  // Newest first: run 2 (verified) has no such line, run 1 has it, with OpenSSL's reason.
  const auto run2 = list.out.find("\n     2 ");
  const auto run1 = list.out.find("\n     1 ");
  REQUIRE(run2 != std::string::npos);
  REQUIRE(run1 != std::string::npos);
  const auto mark = list.out.find("certificate not verified (-k): ");
  REQUIRE(mark != std::string::npos);
  CHECK(mark > run1);
  CHECK(list.out.find("certificate not verified", mark + 1) == std::string::npos);  // once: run 2 is fine
  CHECK(list.out.find("hostname mismatch", mark) != std::string::npos);
}

TEST_CASE("the report's header says a certificate did not verify under -k, and why") {
  TempDb tmp;
  const std::string html = tmp.dir() + "/insecure.html";
  std::vector<std::string> args = lab_args({"--db", tmp.path(), "-k", shared_lab().https_url("selfsigned.test", "/")});
  args.erase(std::find(args.begin(), args.end(), "--no-html"));
  args.insert(args.end(), {"--html", html});
  auto r = pageload_cli(args, tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const std::string page = slurp(html);
  const auto at = page.find("<dt>Certificate</dt>");
  REQUIRE(at != std::string::npos);
  CHECK(page.find("not verified: loaded under -k", at) != std::string::npos);
  CHECK(page.find("self-signed certificate", at) != std::string::npos);
}

TEST_CASE("a verified load says nothing about certificates in its summary") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().https_url("www.test", "/status/200")}), tmp.dir());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("certificate not verified") == std::string::npos);
}
