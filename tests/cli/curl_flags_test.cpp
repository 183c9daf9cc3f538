// curl's everyday flags as a curl user types them (README "For curl users"): cookies
// across a redirect and into the page, -b/-c, -v/-i/-I/-D from the recorded run, -w with
// pageload's figures, -u, -e, and curl's flags pageload refuses by name. Against the lab.
#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "fixtures/lab_fixture.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

// The value of the first request header `name` of request `i` in a --json run.
std::string request_header(const nlohmann::json& run, std::size_t i, const std::string& name) {
  for (const auto& h : run["requests"][i]["request_headers"])
    if (h[0].get<std::string>() == name) return h[1].get<std::string>();
  return "(none)";
}

// How many request headers `name` (any case) request `i` of a --json run sent.
int header_count(const nlohmann::json& run, std::size_t i, const std::string& name) {
  int n = 0;
  for (const auto& h : run["requests"][i]["request_headers"]) {
    std::string got = h[0].get<std::string>();
    if (got.size() != name.size()) continue;
    bool same = true;
    for (std::size_t k = 0; k < got.size(); ++k) same &= std::tolower(static_cast<unsigned char>(got[k])) == std::tolower(static_cast<unsigned char>(name[k]));
    n += same;
  }
  return n;
}

std::string request_url(const nlohmann::json& run, std::size_t i) { return run["requests"][i]["url"].get<std::string>(); }

int request_status(const nlohmann::json& run, std::size_t i) { return run["requests"][i]["status"].get<int>(); }

}  // namespace

TEST_CASE("a cookie set on a redirect's first hop is sent on the next hop and to the page's stylesheet") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", shared_lab().http_url("www.test", "/login")}), tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto run = nlohmann::json::parse(r.out);
  REQUIRE(run["requests"].size() >= 3);
  CHECK(request_url(run, 1).find("/account") != std::string::npos);
  CHECK(request_status(run, 1) == 200);
  // Stored redacted, names kept: the cookie went, its value is not in the database.
  CHECK(request_header(run, 1, "Cookie") == "lab_login=[redacted]");
  bool stylesheet = false;
  for (std::size_t i = 0; i < run["requests"].size(); ++i)
    if (request_url(run, i).find("/account/style.css") != std::string::npos) {
      stylesheet = true;
      CHECK(request_status(run, i) == 200);
      CHECK(request_header(run, i, "Cookie") == "lab_login=[redacted]");
    }
  CHECK(stylesheet);
  CHECK(r.out.find("ok-token") == std::string::npos);
}

TEST_CASE("with --keep-secrets the cookie a redirect set is stored as sent") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--keep-secrets", "--document-only",
                                  shared_lab().http_url("www.test", "/login")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto run = nlohmann::json::parse(r.out);
  CHECK(request_header(run, 1, "Cookie") == "lab_login=ok-token");
}

TEST_CASE("the -c flag writes the run's cookie jar as curl does and -b FILE sends its cookies") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string jar = tmp.dir() + "/jar.txt";
  auto login = pageload_cli(lab_args({"--db", tmp.path(), "-c", jar, "--document-only", lab.http_url("www.test", "/login")}),
                            tmp.dir());
  INFO(login.err);
  REQUIRE(login.status == 0);
  const std::string text = slurp(jar);
  CHECK(text.rfind("# Netscape HTTP Cookie File", 0) == 0);
  CHECK(text.find("\tlab_login\tok-token\n") != std::string::npos);
  CHECK(text.find("#HttpOnly_www.test\t") != std::string::npos);

  auto without = pageload_cli(lab_args({"--db", tmp.path(), lab.http_url("www.test", "/account")}), tmp.dir());
  CHECK(without.status == 1);  // 401: not signed in
  auto with = pageload_cli(lab_args({"--db", tmp.path(), "-b", jar, lab.http_url("www.test", "/account")}), tmp.dir());
  INFO(with.err);
  CHECK(with.status == 0);
}

TEST_CASE("the -b flag with NAME=VALUE sends the cookie as given, and a missing cookie file is a usage error") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-b", "lab_login=ok-token", lab.http_url("www.test", "/account")}),
                        tmp.dir());
  INFO(r.err);
  CHECK(r.status == 0);
  auto missing = pageload_cli(lab_args({"--db", tmp.path(), "-b", "no-such-file", lab.http_url("www.test", "/")}), tmp.dir());
  CHECK(missing.status == 2);
  CHECK(missing.err.find("no-such-file") != std::string::npos);
  CHECK(lines(missing.err) == 1);
}

// The -b string was sent to the first URL's origin only, so an http -> https redirect on
// the same host lost it (curl keeps it): same host, any scheme or port (re-review of issue 11).
TEST_CASE("the -b flag's NAME=VALUE follows a redirect to the same host over https, and not to another host") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string to_https = lab.https_url("www.test", "/account");
  auto same = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "-s", "-w", "%{http_code}", "-b",
                                     "lab_login=ok-token", lab.http_url("www.test", "/redirect/302?to=" + to_https)}),
                           tmp.dir());
  INFO(same.err);
  CHECK(same.status == 0);
  CHECK(same.out == "200");  // /account answers 401 without the cookie
  const std::string other = lab.http_url("other.test", "/account");
  auto away = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "-s", "-w", "%{http_code}", "-b",
                                     "lab_login=ok-token", lab.http_url("www.test", "/redirect/302?to=" + other)}),
                           tmp.dir());
  CHECK(away.out == "401");
}

TEST_CASE("the -v flag prints each hop's request and response headers with curl's prefixes, secrets redacted") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-v", "-s", "--document-only", shared_lab().http_url("www.test", "/login")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  CHECK(r.err.find("> GET /login HTTP/1.1\r\n") != std::string::npos);
  CHECK(r.err.find("> Host: www.test:") != std::string::npos);
  CHECK(r.err.find("< HTTP/1.1 302 Found\r\n") != std::string::npos);
  CHECK(r.err.find("< Set-Cookie: lab_login=[redacted]; Path=/; HttpOnly\r\n") != std::string::npos);
  CHECK(r.err.find("> GET /account HTTP/1.1\r\n") != std::string::npos);
  CHECK(r.err.find("> Cookie: lab_login=[redacted]\r\n") != std::string::npos);
  CHECK(r.err.find("< HTTP/1.1 200 OK\r\n") != std::string::npos);
  CHECK(r.err.find("ok-token") == std::string::npos);
}

TEST_CASE("the -i flag prints every hop's response head before the summary and -I sends HEAD") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-i", "--document-only", lab.http_url("www.test", "/chain/301")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto moved = r.out.find("HTTP/1.1 301 Moved Permanently\r\n");
  const auto ok = r.out.find("HTTP/1.1 200 OK\r\n");
  CHECK(moved == 0);
  CHECK(ok != std::string::npos);
  CHECK(ok > moved);
  CHECK(r.out.find("run 1 ok") > ok);

  auto head = pageload_cli(lab_args({"--db", tmp.path(), "-I", "-s", lab.http_url("www.test", "/")}), tmp.dir());
  INFO(head.err);
  CHECK(head.status == 0);
  CHECK(head.out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  auto shown = pageload_cli({"show", "--json", "--db", tmp.path()}, tmp.dir());
  REQUIRE(shown.status == 0);
  const auto run = nlohmann::json::parse(shown.out);
  CHECK(run["requests"][0]["method"] == "HEAD");
  CHECK(run["requests"].size() == 1);  // a HEAD names nothing: no icon, no page
}

TEST_CASE("the -D flag writes each hop's response head to a file") {
  TempDb tmp;
  const std::string dump = tmp.dir() + "/heads.txt";
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-D", dump, "-s", "--document-only",
                                  shared_lab().http_url("www.test", "/chain/302")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string text = slurp(dump);
  CHECK(text.rfind("HTTP/1.1 302 Found\r\n", 0) == 0);
  CHECK(text.find("\r\n\r\nHTTP/1.1 200 OK\r\n") != std::string::npos);
  auto bad = pageload_cli(lab_args({"--db", tmp.path(), "-D", tmp.dir() + "/no/such/dir/h", shared_lab().http_url("www.test", "/")}),
                          tmp.dir());
  CHECK(bad.status == 4);
  CHECK(lines(bad.err) == 1);
}

TEST_CASE("the -w flag prints curl's write-out variables with pageload's figures") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string url = lab.http_url("www.test", "/chain/301,302");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-w", "%{http_code} %{num_redirects} %{url_effective}\\n",
                                  "--document-only", url}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "200 2 " + lab.http_url("www.test", "/chain/") + "\n");

  auto j = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-w", "%{json}", "--document-only", url}), tmp.dir());
  REQUIRE(j.status == 0);
  const auto w = nlohmann::json::parse(j.out);
  CHECK(w["http_code"] == 200);
  CHECK(w["num_redirects"] == 2);
  CHECK(w["http_version"] == "1.1");
  CHECK(w["remote_ip"] == "127.0.0.1");
  CHECK(w["time_appconnect"] == 0.0);  // plain http: no TLS, as curl says
  // What curl 7.88 holds as NULL is null, as in its %{json}; its scheme is upper case.
  CHECK(w["errormsg"].is_null());
  CHECK(w["redirect_url"].is_null());
  CHECK(w["content_type"] == "text/plain; charset=utf-8");
  CHECK(w["scheme"] == "HTTP");
  const double redirect = w["time_redirect"], namelookup = w["time_namelookup"], connect = w["time_connect"],
               pretransfer = w["time_pretransfer"], starttransfer = w["time_starttransfer"], total = w["time_total"];
  CHECK(redirect > 0);
  CHECK(redirect <= namelookup);
  CHECK(namelookup <= connect);
  CHECK(connect <= pretransfer);
  CHECK(pretransfer <= starttransfer);
  CHECK(starttransfer <= total);

  auto hop = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-w", "%{hop.0.http_code} %{hop.-1.http_code} %{header{content-type}}",
                                    "--document-only", url}),
                          tmp.dir());
  CHECK(hop.out == "301 200 text/plain; charset=utf-8");
}

TEST_CASE("the -w flag over https gives the TLS handshake's end as time_appconnect") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-w", "%{time_connect} %{time_appconnect} %{http_version}",
                                  "--document-only", shared_lab().https_url("www.test", "/")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  double connect = 0, appconnect = 0;
  char version[8] = {};
  REQUIRE(std::sscanf(r.out.c_str(), "%lf %lf %7s", &connect, &appconnect, version) == 3);
  CHECK(appconnect > connect);
  CHECK(std::string(version) == "2");
}

TEST_CASE("an unknown -w variable is a usage error before anything is loaded or stored") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-w", "%{http_cod}", shared_lab().http_url("www.test", "/")}), tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("%{http_cod}") != std::string::npos);
  CHECK(lines(r.err) == 1);
  CHECK_FALSE(std::filesystem::exists(tmp.path()));
}

TEST_CASE("a curl flag pageload does not have is refused by name, and an unknown flag keeps its error") {
  TempDb tmp;
  auto form = pageload_cli(lab_args({"--db", tmp.path(), "-F", "a=b", shared_lab().http_url("www.test", "/")}), tmp.dir());
  CHECK(form.status == 2);
  CHECK(form.err.find("pageload does not support curl's --form") != std::string::npos);
  CHECK(lines(form.err) == 1);
  auto name = pageload_cli(lab_args({"--db", tmp.path(), "--remote-name", shared_lab().http_url("www.test", "/")}), tmp.dir());
  CHECK(name.status == 2);
  CHECK(name.err.find("curl's --remote-name") != std::string::npos);
  auto unknown = pageload_cli(lab_args({"--db", tmp.path(), "--no-such-flag", shared_lab().http_url("www.test", "/")}), tmp.dir());
  CHECK(unknown.status == 2);
  CHECK(unknown.err.find("--no-such-flag") != std::string::npos);
  CHECK(unknown.err.find("curl's") == std::string::npos);
}

TEST_CASE("curl's -L, -s, -S, -f, --compressed and --http2 are accepted as curl users type them") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-sSfL", "--compressed", "--http2", shared_lab().https_url("www.test", "/")}),
                        tmp.dir());
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out.empty());
  auto json = pageload_cli({"show", "latest", "--json", "--db", tmp.path()}, tmp.dir());
  CHECK(nlohmann::json::parse(json.out)["requests"][0]["http_version"] == "HTTP/2");
  auto last_wins = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--http2", "--http1.1", "--document-only",
                                          shared_lab().https_url("www.test", "/")}),
                                tmp.dir());
  CHECK(nlohmann::json::parse(last_wins.out)["requests"][0]["http_version"] == "HTTP/1.1");
}

TEST_CASE("the -u flag sends Basic authorization and -e the Referer on the document's request") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--keep-secrets", "-u", "user:pw", "-e",
                                  "http://from.example/", "--document-only", shared_lab().http_url("www.test", "/echo")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto run = nlohmann::json::parse(r.out);
  CHECK(request_header(run, 0, "Authorization") == "Basic dXNlcjpwdw==");
  CHECK(request_header(run, 0, "Referer") == "http://from.example/");
  auto redacted = pageload_cli(lab_args({"--db", tmp.path(), "--json", "-u", "user:pw", "--document-only",
                                         shared_lab().http_url("www.test", "/echo")}),
                               tmp.dir());
  CHECK(redacted.out.find("dXNlcjpwdw") == std::string::npos);
  auto no_password = pageload_cli(lab_args({"--db", tmp.path(), "-u", "user", shared_lab().http_url("www.test", "/")}), tmp.dir());
  CHECK(no_password.status == 2);
  CHECK(no_password.err.find("USER:PASSWORD") != std::string::npos);
}

// -e 'URL;auto' sent "URL;auto" as the Referer of every hop, where curl sends URL on the
// first hop and the hop before's URL on each redirect.
TEST_CASE("the -e flag with curl's auto suffix sends the hop before's URL as the Referer of each redirect hop") {
  TempDb tmp;
  const std::string first = shared_lab().http_url("www.test", "/redirect/302?to=/chain/301");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", "-e", "http://from.example/;auto", "--document-only", first}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto run = nlohmann::json::parse(r.out);
  REQUIRE(run["requests"].size() == 3);
  CHECK(request_header(run, 0, "Referer") == "http://from.example/");
  CHECK(request_header(run, 1, "Referer") == first);
  CHECK(request_header(run, 2, "Referer") == request_url(run, 1));
  // ';auto' alone: no Referer on the first hop.
  auto bare = pageload_cli(lab_args({"--db", tmp.path(), "--json", "-e", ";auto", "--document-only", first}), tmp.dir());
  REQUIRE(bare.status == 0);
  const auto run2 = nlohmann::json::parse(bare.out);
  CHECK(request_header(run2, 0, "Referer") == "(none)");
  CHECK(request_header(run2, 1, "Referer") == first);
}

TEST_CASE("the -o flag writes the document's final body to a file, not a redirect's") {
  TempDb tmp;
  const std::string body = tmp.dir() + "/body.html";
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-o", body, shared_lab().http_url("www.test", "/login")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string text = slurp(body);
  CHECK(text.rfind("<!doctype html>", 0) == 0);
  CHECK(text.find("signed in") != std::string::npos);
  CHECK(text.find("signing in") == std::string::npos);  // the 302's body
  auto dash = pageload_cli(lab_args({"--db", tmp.path(), "-o", "-", shared_lab().http_url("www.test", "/")}), tmp.dir());
  CHECK(dash.status == 2);
}

// -u and -H 'Authorization: ...' together sent two Authorization headers; curl sends the
// user's own alone (review of issue 11, #9).
TEST_CASE("the -u flag with the user's own Authorization header sends one Authorization, the user's") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--keep-secrets", "-u", "alice:pw", "-H",
                                  "authorization: Bearer TOK", "--document-only", shared_lab().http_url("www.test", "/echo")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto run = nlohmann::json::parse(r.out);
  CHECK(header_count(run, 0, "Authorization") == 1);
  CHECK(request_header(run, 0, "authorization") == "Bearer TOK");
}

// A user's -H 'Accept: ...' replaced pageload's Accept on the first hop only: each redirect
// hop sent both (review of issue 11, #19), and the first hop sent curl's */* where the
// others sent the browser's navigation Accept (#3).
TEST_CASE("a user's Accept header replaces pageload's on every redirect hop, and the document's Accept is the same on every hop") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/redirect/302?to=/echo");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--document-only", "-H", "accept: text/html", url}), tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto run = nlohmann::json::parse(r.out);
  REQUIRE(run["requests"].size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(header_count(run, i, "Accept") == 1);
    CHECK(request_header(run, i, "accept") == "text/html");
  }
  auto plain = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--document-only", url}), tmp.dir());
  REQUIRE(plain.status == 0);
  const auto run2 = nlohmann::json::parse(plain.out);
  REQUIRE(run2["requests"].size() == 2);
  CHECK(header_count(run2, 0, "Accept") == 1);
  CHECK(request_header(run2, 0, "Accept").rfind("text/html,application/xhtml+xml", 0) == 0);
  CHECK(request_header(run2, 1, "Accept") == request_header(run2, 0, "Accept"));
}

// -H 'Name:' sent the header with an empty value; in curl it leaves the header out, the
// one curl would add itself included (review of issue 11, #17). 'Name;' stays the empty
// value.
TEST_CASE("a header given as Name and a colon alone is left out, and Name with a semicolon is sent empty") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--document-only", "-H", "Accept:", "-H", "User-Agent:",
                                  "-H", "X-Empty;", shared_lab().http_url("www.test", "/redirect/302?to=/echo")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto run = nlohmann::json::parse(r.out);
  REQUIRE(run["requests"].size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(header_count(run, i, "Accept") == 0);
    CHECK(header_count(run, i, "User-Agent") == 0);
    CHECK(header_count(run, i, "X-Empty") == 1);
    CHECK(request_header(run, i, "X-Empty").empty());
  }
}

// --data-raw (what DevTools' "Copy as cURL" writes) and --data-ascii were unknown flags
// (review of issue 11, #16).
TEST_CASE("the --data-raw flag sends a leading @ as it is, --data-ascii is -d, and the parts join in the order given") {
  TempDb tmp;
  const std::string out = tmp.dir() + "/echo.json";
  auto body_sent = [&](const std::vector<std::string>& flags) -> std::string {
    std::vector<std::string> args{"--db", tmp.path(), "-s", "--document-only", "-o", out};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(shared_lab().http_url("www.test", "/echo"));
    auto r = pageload_cli(lab_args(args), tmp.dir());
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto echo = nlohmann::json::parse(slurp(out));
    CHECK(echo["method"] == "POST");
    return echo["body"].get<std::string>();
  };
  CHECK(body_sent({"--data-raw", "a=@b"}) == "a=@b");
  CHECK(body_sent({"--data-raw", "@no-such-file"}) == "@no-such-file");
  CHECK(body_sent({"--data-ascii", "x=1", "--data-raw", "@y", "-d", "z=2"}) == "x=1&@y&z=2");
}

// curl's %header{NAME} was printed as it stands; %{response_code} and %{ssl_verify_result}
// were unknown; a curl variable pageload lacks read as a typo; %{http_code} with no
// response was 0, where curl prints 000 (review of issue 11, #4, #5, #10).
TEST_CASE("the -w flag reads curl's header form, response_code and ssl_verify_result, and names curl's variables it lacks") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-w",
                                  "%header{content-type}|%{header{content-type}}|%{response_code}|%{ssl_verify_result}",
                                  lab.https_url("www.test", "/status/200")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "text/plain; charset=utf-8|text/plain; charset=utf-8|200|0");
  auto insecure = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-k", "-w",
                                         "%{ssl_verify_result}", lab.https_url("wronghost.test", "/")}),
                               tmp.dir());
  CHECK(insecure.status == 0);
  CHECK(insecure.out != "0");
  CHECK_FALSE(insecure.out.empty());
  auto curl_only = pageload_cli(lab_args({"--db", tmp.path(), "-w", "%{speed_download}", lab.http_url("www.test", "/")}), tmp.dir());
  CHECK(curl_only.status == 2);
  CHECK(curl_only.err.find("curl's %{speed_download} is not supported by pageload") != std::string::npos);
  CHECK(lines(curl_only.err) == 1);
  auto none = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-w", "%{http_code}",
                                     lab.http_url("nxdomain.test", "/")}),
                           tmp.dir());
  CHECK(none.status == 3);
  CHECK(none.out == "000");
}

// Common curl flags were "not expected" like a typo, and two of pageload's flags took
// curl's spelling with another meaning (review of issue 11, #7, #8).
TEST_CASE("more of curl's flags are refused by name, two are accepted as no-ops, and clashing spellings name curl's meaning") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200");
  for (const std::string flag : {"--progress-bar", "--basic", "--path-as-is", "--raw", "--no-alpn", "--styled-output", "--disable"}) {
    INFO(flag);
    auto r = pageload_cli(lab_args({"--db", tmp.path(), flag, url}), tmp.dir());
    CHECK(r.status == 2);
    CHECK(r.err.find("pageload does not support curl's " + flag) != std::string::npos);
    CHECK(lines(r.err) == 1);
  }
  auto keepalive = pageload_cli(lab_args({"--db", tmp.path(), "--keepalive-time", "30", url}), tmp.dir());
  CHECK(keepalive.status == 2);
  CHECK(keepalive.err.find("curl's --keepalive-time") != std::string::npos);
  auto bar = pageload_cli(lab_args({"--db", tmp.path(), "-#", url}), tmp.dir());
  CHECK(bar.status == 2);
  CHECK(bar.err.find("curl's -#/--progress-bar") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp.path()));

  auto no_ops = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--no-progress-meter", "--tcp-nodelay", url}), tmp.dir());
  INFO(no_ops.err);
  CHECK(no_ops.status == 0);

  auto servers = pageload_cli(lab_args({"--db", tmp.path(), "--dns-servers", "127.0.0.1", url}), tmp.dir());
  CHECK(servers.status == 2);
  CHECK(servers.err.find("pageload's --dns-server") != std::string::npos);
  auto json = pageload_cli(lab_args({"--db", tmp.path(), "--json", "{\"a\":1}", url}), tmp.dir());
  CHECK(json.status == 2);
  CHECK(json.err.find("curl's --json DATA") != std::string::npos);
  CHECK(lines(json.err) == 1);
  auto parallel = pageload_cli(lab_args({"--db", tmp.path(), "--parallel", url, url}), tmp.dir());
  CHECK(parallel.status == 2);
  CHECK(parallel.err.find("curl's --parallel takes no number") != std::string::npos);
  auto z = pageload_cli(lab_args({"--db", tmp.path(), "-Z", url}), tmp.dir());
  CHECK(z.status == 2);
  CHECK(z.err.find("curl's -Z/--parallel") != std::string::npos);
  // pageload's own --json and --parallel N are untouched.
  auto own = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--parallel", "2", url}), tmp.dir());
  INFO(own.err);
  CHECK(own.status == 0);
  CHECK(nlohmann::json::parse(own.out)["final_status"] == 200);
}

// The re-review of issue 11 (#2) found more of curl's flags "not expected", and -1/-3 taken
// for a URL; --url, which Insomnia's "Copy as cURL" writes, refused.
TEST_CASE("curl's TLS-version, retry and --next flags are refused by name, and --url URL is the URL") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200");
  for (const std::string flag : {"--tlsv1.1", "--tlsv1", "--retry-connrefused", "--next", "--crlf"}) {
    INFO(flag);
    auto r = pageload_cli(lab_args({"--db", tmp.path(), flag, url}), tmp.dir());
    CHECK(r.status == 2);
    CHECK(r.err.find("pageload does not support curl's " + flag) != std::string::npos);
    CHECK(lines(r.err) == 1);
  }
  for (const std::string flag : {"-1", "-3"}) {
    INFO(flag);
    auto r = pageload_cli(lab_args({"--db", tmp.path(), flag, url}), tmp.dir());
    CHECK(r.status == 2);
    CHECK(r.err.find("pageload does not support curl's " + flag + " (") != std::string::npos);
  }
  auto socks = pageload_cli(lab_args({"--db", tmp.path(), "--socks4a", "127.0.0.1:1080", url}), tmp.dir());
  CHECK(socks.status == 2);
  CHECK(socks.err.find("curl's --socks4a") != std::string::npos);
  for (const std::vector<std::string>& given : {std::vector<std::string>{"--url", url}, {"--url=" + url}}) {
    std::vector<std::string> args{"--db", tmp.path(), "-s", "-w", "%{http_code}"};
    args.insert(args.end(), given.begin(), given.end());
    auto r = pageload_cli(lab_args(args), tmp.dir());
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.out == "200");
  }
}

// -H @- and -d @- both read standard input, so one silently got nothing (re-review of issue 11).
TEST_CASE("two flags that read standard input are refused before anything is read") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-H", "@-", "-d", "@-", shared_lab().http_url("www.test", "/echo")}),
                        tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("-d @- and -H @- cannot both read standard input") != std::string::npos);
  CHECK(lines(r.err) == 1);
  CHECK_FALSE(std::filesystem::exists(tmp.path()));
}

// -o FILE and -D FILE emptied an existing file before the load, so a load that failed
// before any response wiped the last good download (review of issue 11, #11).
TEST_CASE("the -o and -D flags leave an existing file alone when the load fails before any response") {
  TempDb tmp;
  const std::string body = tmp.dir() + "/keep.out", heads = tmp.dir() + "/keep.hdr", fresh = tmp.dir() + "/fresh.out";
  { std::ofstream(body) << "precious\n"; }
  { std::ofstream(heads) << "precious\n"; }
  auto failed = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-o", body, "-D", heads,
                                       shared_lab().http_url("nxdomain.test", "/")}),
                             tmp.dir());
  CHECK(failed.status == 3);
  CHECK(slurp(body) == "precious\n");
  CHECK(slurp(heads) == "precious\n");
  auto none = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-o", fresh, shared_lab().http_url("nxdomain.test", "/")}),
                           tmp.dir());
  CHECK(none.status == 3);
  CHECK_FALSE(std::filesystem::exists(fresh));
  // Still checked up front: a directory that is not there is refused before loading.
  auto bad = pageload_cli(lab_args({"--db", tmp.path(), "-o", tmp.dir() + "/no-such-dir/x", shared_lab().http_url("www.test", "/")}),
                          tmp.dir());
  CHECK(bad.status == 4);
  CHECK(bad.err.find("No such file or directory") != std::string::npos);
  // A response replaces the file; an empty body makes an empty file, as curl's does.
  auto ok = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-o", body, "-D", heads,
                                   shared_lab().http_url("www.test", "/status/204")}),
                         tmp.dir());
  INFO(ok.err);
  CHECK(ok.status == 0);
  CHECK(std::filesystem::exists(body));
  CHECK(slurp(body).empty());
  CHECK(slurp(heads).rfind("HTTP/1.1 204", 0) == 0);
}

// A chain that failed after a redirect left the redirect's body ("302 Found") in -o FILE,
// where curl -L leaves the file alone: a redirect's body is never written (re-review of
// issue 11, #1).
TEST_CASE("the -o flag never writes a redirect's body, so a chain that fails after a 3xx leaves the file alone") {
  TempDb tmp;
  const std::string body = tmp.dir() + "/keep.out";
  { std::ofstream(body) << "precious\n"; }
  auto failed = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-o", body,
                                       shared_lab().http_url("www.test", "/redirect/302?to=http://nxdomain.test:" +
                                                                             std::to_string(shared_lab().http_port()) + "/")}),
                             tmp.dir());
  INFO(failed.err);
  CHECK(failed.status == 3);
  CHECK(slurp(body) == "precious\n");
  // A chain that ends on a redirect (a loop) has no document: the file is neither emptied
  // nor created.
  auto loop = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-o", body, shared_lab().http_url("www.test", "/loop")}),
                           tmp.dir());
  CHECK(loop.status != 0);
  CHECK(slurp(body) == "precious\n");
  const std::string fresh = tmp.dir() + "/fresh.out";
  auto loop2 = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-o", fresh, shared_lab().http_url("www.test", "/loop")}),
                            tmp.dir());
  CHECK_FALSE(std::filesystem::exists(fresh));
  // A response whose head never completes (a 2 MB header) leaves the file too, as curl's -o.
  auto huge = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-o", body,
                                     shared_lab().fault_url("fault.test", "/huge-header")}),
                           tmp.dir());
  CHECK(huge.status == 3);
  CHECK(slurp(body) == "precious\n");
  // Followed to the end, the file holds the final answer's body, not the redirect's.
  auto ok = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-o", body,
                                   shared_lab().http_url("www.test", "/redirect/302?to=/status/200")}),
                         tmp.dir());
  CHECK(ok.status == 0);
  CHECK(slurp(body).find("302") == std::string::npos);
  CHECK_FALSE(slurp(body).empty());
}

// A '*' host in --resolve was accepted and never applied: the load went to DNS (review of
// issue 11, #14).
TEST_CASE("a --resolve entry for any host on the port is used for a host it does not name") {
  TempDb tmp;
  const int port = shared_lab().http_port();
  const std::string url = "http://whatever.example:" + std::to_string(port) + "/status/200";
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "--resolve", "*:" + std::to_string(port) + ":127.0.0.1",
                                  "-w", "%{http_code} %{remote_ip}", url}),
                        tmp.dir());
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out == "200 127.0.0.1");
  auto plus = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "--resolve",
                                     "+whatever.example:" + std::to_string(port) + ":127.0.0.1", "-w", "%{http_code}", url}),
                           tmp.dir());
  CHECK(plus.status == 0);
  CHECK(plus.out == "200");
}

// -H @FILE was read as a malformed header, and the redactor mangled the message (review
// of issue 11, #18).
TEST_CASE("the -H flag with @FILE sends a header per line of the file, as curl does") {
  TempDb tmp;
  { std::ofstream(tmp.dir() + "/hdrs.txt", std::ios::binary) << "X-One: 1\r\n\nX-Two: two words\nAccept: text/plain\n"; }
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--document-only", "-H", "@hdrs.txt",
                                  shared_lab().http_url("www.test", "/echo")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto run = nlohmann::json::parse(r.out);
  CHECK(request_header(run, 0, "X-One") == "1");
  CHECK(request_header(run, 0, "X-Two") == "two words");
  CHECK(header_count(run, 0, "Accept") == 1);
  CHECK(request_header(run, 0, "Accept") == "text/plain");
  auto missing = pageload_cli(lab_args({"--db", tmp.path(), "-H", "@nope.txt", shared_lab().http_url("www.test", "/")}), tmp.dir());
  CHECK(missing.status == 2);
  CHECK(missing.err == "pageload: -H @nope.txt: cannot read nope.txt: No such file or directory\n");
}

// The top-level help said "Usage: [OPTIONS] SUBCOMMAND" and named none of the run flags a
// curl user looks for first (review of issue 11, #21).
TEST_CASE("the top-level help names the program and points to the run command's help") {
  TempDb tmp;
  auto top = pageload_cli({"--help"}, tmp.dir());
  CHECK(top.status == 0);
  CHECK(top.out.find("Usage: pageload [OPTIONS] SUBCOMMAND") != std::string::npos);
  CHECK(top.out.find("pageload run --help") != std::string::npos);
  auto run = pageload_cli({"run", "--help"}, tmp.dir());
  CHECK(run.status == 0);
  CHECK(run.out.find("Usage: pageload run [OPTIONS]") != std::string::npos);
  CHECK(run.out.find("--data-raw") != std::string::npos);
}

// Final review of issue 11 #1, #3, #6: curl's -b '' and a session's -b FILE -c FILE whose FILE
// does not exist yet were refused, and -f -o FILE replaced FILE with the error page.
TEST_CASE("curl's cookie idioms start an empty jar, and -f keeps an error page out of the -o file") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/set-cookie");
  auto empty = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-b", "", url}), tmp.dir());
  INFO(empty.err);
  CHECK(empty.status == 0);
  const std::string jar = tmp.dir() + "/session.txt";
  auto session = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-b", jar, "-c", jar, url}), tmp.dir());
  INFO(session.err);
  CHECK(session.status == 0);
  CHECK(std::filesystem::exists(jar));
  auto missing = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-b", tmp.dir() + "/typo.txt", url}), tmp.dir());
  CHECK(missing.status == 2);

  const std::string keep = tmp.dir() + "/keep.out";
  std::ofstream(keep) << "precious";
  auto failed = pageload_cli(
      lab_args({"--db", tmp.path(), "-s", "-f", "-o", keep, shared_lab().http_url("www.test", "/status/404")}), tmp.dir());
  CHECK(failed.status == 1);
  CHECK(slurp(keep) == "precious");
  auto plain = pageload_cli(
      lab_args({"--db", tmp.path(), "-s", "-o", keep, shared_lab().http_url("www.test", "/status/404")}), tmp.dir());
  CHECK(plain.status == 1);
  CHECK(slurp(keep) != "precious");  // without -f the error page is written, as curl does
}

// Review of issue 11, F10: after a refused connect pageload counted a connect and gave it a
// time, and after a redirect to a host that refused it printed 000 where curl -L prints the
// 302 it followed.
TEST_CASE("the -w flag after a failed connect or a failed last hop prints what curl prints") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string format = "%{http_code} %{time_connect} %{time_pretransfer} %{num_connects}\\n";
  auto refused = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-w", format, "http://127.0.0.1:1/"}),
                              tmp.dir());
  CHECK(refused.status != 0);
  CHECK(refused.out == "000 0.000000 0.000000 0\n");
  auto followed = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-w",
                                         "%{http_code} %{response_code} %{num_connects} %{hop.-1.http_code} %{http_version} "
                                         "%{remote_port} %{content_type}\\n",
                                         lab.http_url("www.test", "/redirect/302?to=http://127.0.0.1:1/")}),
                               tmp.dir());
  CHECK(followed.status != 0);
  // The 302's version, connection and type, as curl -L prints them.
  CHECK(followed.out == "302 302 1 000 1.1 " + std::to_string(lab.http_port()) + " text/plain; charset=utf-8\n");
  // A last hop that connected and then failed (TLS): its own connection, as curl's.
  auto tls = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-w", "%{http_code} %{remote_port}",
                                    lab.http_url("www.test", "/redirect/302?to=https://wronghost.test:" +
                                                                 std::to_string(lab.https_port()) + "/")}),
                          tmp.dir());
  CHECK(tls.out == "302 " + std::to_string(lab.https_port()));
}
