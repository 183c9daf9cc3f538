// curl's flags as the re-reviews of issue 11 found them: checked before anything is loaded
// (a proxy URL that does not parse, --json beside flags that write text to standard output,
// -b -), flags given twice, where the summary goes, -w's chain figures, and the findings
// of review-11-final2 on compare, the listing page and the database's name.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "cli_runner.h"
#include "fixtures/lab_fixture.h"

using namespace pageload;
using namespace pageload::testing;

// Re-review #3: a bad port in -x was a failed run (exit 3, "Unsupported proxy syntax"),
// stored, where a bad URL is a usage error.
TEST_CASE("a proxy URL with a bad port is a usage error before anything is loaded or stored") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200");
  for (const std::string proxy : {"http://u:secret@127.0.0.1:abc", "127.0.0.1:99999", "http://127.0.0.1 :1"}) {
    INFO(proxy);
    auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-x", proxy, url}), tmp.dir());
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find("-x/--proxy: bad proxy URL '") != std::string::npos);
    CHECK(r.err.find("secret") == std::string::npos);
    CHECK(lines(r.err) == 1);
    CHECK_FALSE(std::filesystem::exists(tmp.path()));
  }
  // A good one still loads.
  auto ok = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-x", shared_lab().proxy_url(), url}), tmp.dir());
  INFO(ok.err);
  CHECK(ok.status == 0);
}

// review-11 #15: -i, -I, -w, -D - and -c - wrote text into --json's stream of objects.
TEST_CASE("json output is refused beside the flags that write text to standard output") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200");
  const std::vector<std::vector<std::string>> mixes{{"-i"}, {"-I"}, {"-w", "%{http_code}"}, {"-D", "-"}, {"-c", "-"}};
  for (const auto& mix : mixes) {
    std::vector<std::string> args{"--db", tmp.path(), "--json"};
    args.insert(args.end(), mix.begin(), mix.end());
    args.push_back(url);
    auto r = pageload_cli(lab_args(args), tmp.dir());
    INFO(mix[0] << ": " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find("--json: standard output holds one JSON object per run") != std::string::npos);
    CHECK(r.out.empty());
  }
  CHECK_FALSE(std::filesystem::exists(tmp.path()));
  // To a file, they go with --json: standard output is JSON alone.
  auto files = pageload_cli(lab_args({"--db", tmp.path(), "--json", "-D", "h.txt", "-c", "jar.txt", url}), tmp.dir());
  INFO(files.err);
  CHECK(files.status == 0);
  CHECK(nlohmann::json::parse(files.out)["final_status"] == 200);
  CHECK(slurp(tmp.dir() + "/h.txt").rfind("HTTP/1.1 200", 0) == 0);
}

// review-11: curl's -b - reads the cookie file from standard input; pageload took "-" for
// a file name and said it could not read it.
TEST_CASE("cookies given on standard input with -b - are sent and -b - beside another stdin reader is refused") {
  TempDb tmp;
  {
    std::ofstream jar(tmp.dir() + "/jar.txt");
    jar << "www.test\tFALSE\t/\tFALSE\t0\tfromstdin\tyes\n";
  }
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--keep-secrets", "-b", "-",
                                  shared_lab().http_url("www.test", "/echo")}),
                        tmp.dir(), "", tmp.dir() + "/jar.txt");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto run = nlohmann::json::parse(r.out);
  std::string cookie = "(none)";
  for (const auto& h : run["requests"][0]["request_headers"])
    if (h[0] == "Cookie") cookie = h[1];
  CHECK(cookie == "fromstdin=yes");

  for (const std::vector<std::string>& other : {std::vector<std::string>{"-d", "@-"}, {"--input", "-"}}) {
    std::vector<std::string> args{"--db", tmp.path(), "-b", "-"};
    args.insert(args.end(), other.begin(), other.end());
    args.push_back(shared_lab().http_url("www.test", "/echo"));
    auto both = pageload_cli(lab_args(args), tmp.dir(), "", tmp.dir() + "/jar.txt");
    INFO(other[0] << ": " << both.err);
    CHECK(both.status == 2);
    CHECK(both.err.find("cannot both read standard input") != std::string::npos);
    CHECK(both.err.find("-b -") != std::string::npos);
  }
}

// Final review of issue 11 #1: with -o FILE, -i and -I printed the heads on standard output
// where curl writes them into FILE, so `-sI -o /dev/null -w '%{http_code}'` printed more
// than the code.
TEST_CASE("the -i and -I flags with -o write every hop's head into the file, not on standard output") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string file = tmp.dir() + "/out.txt";
  auto i = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-i", "--document-only", "-o", file,
                                  lab.http_url("www.test", "/chain/301")}),
                        tmp.dir());
  INFO(i.err);
  REQUIRE(i.status == 0);
  CHECK(i.out.empty());
  const std::string text = slurp(file);
  const auto moved = text.find("HTTP/1.1 301 Moved Permanently\r\n");
  const auto ok = text.find("HTTP/1.1 200 OK\r\n");
  CHECK(moved == 0);
  CHECK(ok > moved);
  const auto body = text.find("\r\n\r\n", ok);
  REQUIRE(body != std::string::npos);
  CHECK(text.size() > body + 4);  // the final body after the final head

  auto head = pageload_cli(lab_args({"--db", tmp.path(), "-sI", "-o", "/dev/null", "-w", "%{http_code}",
                                     lab.http_url("www.test", "/")}),
                           tmp.dir());
  INFO(head.err);
  CHECK(head.status == 0);
  CHECK(head.out == "200");
  auto head_file = pageload_cli(lab_args({"--db", tmp.path(), "-sI", "-o", file, lab.http_url("www.test", "/")}),
                                tmp.dir());
  CHECK(head_file.out.empty());
  CHECK(slurp(file).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(slurp(file).size() >= 4);
  CHECK(slurp(file).substr(slurp(file).size() - 4) == "\r\n\r\n");
  // -D - still prints them on standard output.
  auto dump = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-i", "-D", "-", "-o", file, lab.http_url("www.test", "/")}),
                           tmp.dir());
  CHECK(dump.out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
}

// Final review of issue 11 #2: a socks or https:// proxy from a variable was used, and
// recorded as an HTTP CONNECT tunnel; -x with the same URL is refused by name.
TEST_CASE("a socks or https proxy or a malformed proxy URL from a variable is refused by name like -x") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200");
  struct Case {
    const char* variable;
    const char* value;
    const char* said;
  };
  for (const Case c : {Case{"ALL_PROXY", "socks5://127.0.0.1:1080", "ALL_PROXY: socks5:// proxies are not supported"},
                       Case{"https_proxy", "socks4a://127.0.0.1:1080", "https_proxy: socks4a:// proxies are not supported"},
                       Case{"http_proxy", "https://127.0.0.1:3129", "http_proxy: https:// proxies"},
                       Case{"http_proxy", "http://u:secret@127.0.0.1:abc", "http_proxy: bad proxy URL '"}}) {
    INFO(c.variable << "=" << c.value);
    setenv(c.variable, c.value, 1);
    auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", url}), tmp.dir());
    auto direct = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-x", "", url}), tmp.dir());
    unsetenv(c.variable);
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(c.said) != std::string::npos);
    CHECK(r.err.find("secret") == std::string::npos);
    CHECK(lines(r.err) == 1);
    INFO(direct.err);
    CHECK(direct.status == 0);  // -x '' leaves the variables out
  }
  CHECK(pageload_cli(lab_args({"--db", tmp.path(), "-s", "-x", "http://127.0.0.1:abc", url}), tmp.dir()).status == 2);
}

// Final review of issue 11 #3: a proxy whose name does not resolve left runs.proxy NULL
// and the error named the host alone; curl says "Could not resolve proxy: HOST".
TEST_CASE("a proxy whose host does not resolve is named by the error and recorded on the run") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", "-x", "http://nxdomain.test:3128",
                                  shared_lab().http_url("www.test", "/status/200")}),
                        tmp.dir());
  INFO(r.err << r.out);
  CHECK(r.status == 3);
  const auto run = nlohmann::json::parse(r.out);
  CHECK(run["proxy"] == "http://nxdomain.test:3128");
  const std::string message = run["error"]["message"];
  CHECK(message.find("could not resolve proxy nxdomain.test") != std::string::npos);
}

// Final review of issue 11, minors: a method token with '-' (RFC 9110 tchar) and curl's
// --max-filesize units.
TEST_CASE("a method with a dash is sent and --max-filesize takes curl's K M G units") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto search = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--document-only", "-X", "M-SEARCH",
                                       lab.http_url("www.test", "/echo")}),
                             tmp.dir());
  INFO(search.err);
  CHECK(search.status != 2);
  if (search.status != 2) CHECK(nlohmann::json::parse(search.out)["requests"][0]["method"] == "M-SEARCH");
  CHECK(pageload_cli(lab_args({"--db", tmp.path(), "-s", "-X", "GET /x", lab.http_url("www.test", "/")}), tmp.dir())
            .status == 2);

  auto small = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "--max-filesize", "1k",
                                      lab.http_url("www.test", "/large/4096")}),
                            tmp.dir());
  INFO(small.err);
  CHECK(small.status == 3);
  auto large = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "--max-filesize", "10K",
                                      lab.http_url("www.test", "/large/4096")}),
                            tmp.dir());
  INFO(large.err);
  CHECK(large.status == 0);
  auto bad = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--max-filesize", "10x", lab.http_url("www.test", "/")}),
                          tmp.dir());
  CHECK(bad.status == 2);
  CHECK(lines(bad.err) == 1);
  CHECK(bad.err.size() < 200);
  CHECK(bad.err.find("use G, M, K or B") != std::string::npos);
}

// review-11-final2 F12: -c pageload.db (a typo next to --db) turned the database into a
// cookie file, every stored run lost, exit 0; -o, -D, --html and --har likewise.
TEST_CASE("an output file that is the database is refused before anything is loaded, and the database is kept") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200");
  auto first = pageload_cli(lab_args({"--db", tmp.path(), "-s", url}), tmp.dir());
  REQUIRE(first.status == 0);
  const std::string before = slurp(tmp.path());
  const std::string other = tmp.dir() + "/./" + std::filesystem::path(tmp.path()).filename().string();  // another spelling
  for (const std::vector<std::string>& flag :
       {std::vector<std::string>{"-c", tmp.path()}, {"-o", tmp.path()}, {"-D", other}, {"--html", tmp.path()},
        {"--har", tmp.path()}, {"-o", tmp.path() + "-wal"}}) {
    // Not lab_args: its --no-html would leave --html nothing to write.
    std::vector<std::string> args{"run", "--dns-server", shared_lab().dns_server(), "--db", tmp.path(), "-s"};
    args.insert(args.end(), flag.begin(), flag.end());
    args.push_back(url);
    auto r = pageload_cli(args, tmp.dir());
    INFO(flag[0] << " " << flag[1] << ": " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(": that is the database") != std::string::npos);
    CHECK(lines(r.err) == 1);
    CHECK(slurp(tmp.path()) == before);
  }
  // report -o and har -o too.
  for (const char* command : {"report", "har"}) {
    auto r = pageload_cli({command, "--db", tmp.path(), "-o", tmp.path()}, tmp.dir());
    INFO(command << ": " << r.err);
    CHECK(r.status == 2);
    CHECK(slurp(tmp.path()) == before);
  }
  auto list = pageload_cli({"list", "--db", tmp.path()}, tmp.dir());
  CHECK(list.status == 0);
}

// review-11-final2 F5: -x 'USER:PASSWORD@HOST:PORT', curl's spelling without a scheme,
// stored the password in clear in runs.options.
TEST_CASE("a proxy given without a scheme keeps its password out of the stored options") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200");
  std::string proxy = shared_lab().proxy_url();  // http://127.0.0.1:PORT
  proxy = "u:SECRETPW@" + proxy.substr(proxy.find("://") + 3);
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-x", proxy, url}), tmp.dir());
  INFO(r.err);
  CHECK(r.status == 0);
  // Read through SQLite: the file alone may hold the row in its WAL, or in pages split.
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(tmp.path().c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, "select options from runs", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const std::string options = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(h);
  INFO(options);
  CHECK(options.find("SECRETPW") == std::string::npos);
  CHECK(options.find("\"proxy\":\"u:[redacted]@127.0.0.1:") != std::string::npos);
}

// review-11-final2 F8: --max-filesize cutting the first body block printed "-o FILE:
// cannot write FILE" and exit 4 for a file never opened; the run's own failure is exit 3.
TEST_CASE("a body cut by --max-filesize in its first block leaves the -o file alone without a false write error") {
  TempDb tmp;
  const std::string file = tmp.dir() + "/kept.out";
  { std::ofstream(file) << "old\n"; }
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--max-filesize", "10k", "-o", file,
                                  shared_lab().fault_url("fault.test", "/endless")}),
                        tmp.dir());
  INFO(r.err);
  CHECK(r.status == 3);
  CHECK(r.err.find("cannot write") == std::string::npos);
  CHECK(r.err.find("too_large") != std::string::npos);
}

namespace {
std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) out.push_back(s.substr(start, nl - start));
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}
}  // namespace

// review-11-final2 F16: with --share-connections a run reusing an earlier run's connection
// recorded it without its proxy and certificate: -k's "not verified" vanished from run 2,
// and its runs.proxy was NULL ("direct") though it went through the proxy.
TEST_CASE("a run that reuses an earlier run's connection records its certificate result and its proxy") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string expired = lab.https_url("expired.test", "/chain/");
  auto k = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--share-connections", "-k", expired,
                                  lab.https_url("expired.test", "/chain/301")}),
                        tmp.dir());
  INFO(k.err);
  REQUIRE(k.status == 0);
  int runs = 0;
  for (const std::string& line : split_lines(k.out)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("connections")) continue;
    ++runs;
    INFO(line.substr(0, 400));
    REQUIRE(j["connections"].size() == 1);
    CHECK(j["connections"][0]["tls"]["verified"] == false);
  }
  CHECK(runs == 2);

  const std::string url = lab.http_url("www.test", "/status/200");
  auto x = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--share-connections", "-x",
                                  lab.proxy_url(), url, lab.http_url("www.test", "/status/204")}),
                        tmp.dir());
  INFO(x.err);
  REQUIRE(x.status == 0);
  runs = 0;
  for (const std::string& line : split_lines(x.out)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("connections")) continue;
    ++runs;
    INFO(line.substr(0, 400));
    CHECK(j["proxy"].is_string());
    CHECK_FALSE(j["proxy"].get<std::string>().empty());
  }
  CHECK(runs == 2);
}

namespace {
// The value of request header `name` in the lab's /echo answer (a JSON object), or "(none)".
std::string echoed_header(const nlohmann::json& echo, const std::string& name) {
  for (const auto& h : echo["headers"])
    if (h[0] == name) return h[1];
  return "(none)";
}
}  // namespace

// review-11-final2 F14: -m 5 -m 10 (a wrapper's default before "$@") was refused with
// CLI11's "At Most 1 required but received 2"; curl uses the last.
TEST_CASE("a flag that takes one value given twice takes the last as curl does") {
  TempDb tmp;
  auto& lab = shared_lab();
  // Each first value would fail the load or show: a refused proxy, a 1 ms deadline, a
  // 1-byte limit, another database.
  auto r = pageload_cli(lab_args({"--db", tmp.dir() + "/first.db", "--db", tmp.path(), "-s",
                                  "-w", "first", "-w", "%{http_code}", "-A", "one", "-A", "two",
                                  "-e", "http://r1.test/", "-e", "http://r2.test/", "-x", "127.0.0.1:1", "-x",
                                  lab.proxy_url(), "-m", "0.001", "-m", "30", "--connect-timeout", "0.001",
                                  "--connect-timeout", "10", "--max-filesize", "1", "--max-filesize", "1M", "-o",
                                  "a.out", "-o", "b.out", "-D", "a.head", "-D", "b.head", "-X", "DELETE", "-X",
                                  "PUT", "-u", "x:1", "-u", "y:2", "--cacert", lab.ca_file(),
                                  lab.http_url("www.test", "/echo")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "200");
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/a.out"));
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/a.head"));
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/first.db"));
  CHECK(slurp(tmp.dir() + "/b.head").rfind("HTTP/1.1 200", 0) == 0);
  const auto echo = nlohmann::json::parse(slurp(tmp.dir() + "/b.out"));
  CHECK(echo["method"] == "PUT");
  CHECK(echoed_header(echo, "User-Agent") == "two");
  CHECK(echoed_header(echo, "Referer") == "http://r2.test/");
  CHECK(echoed_header(echo, "Authorization") == "Basic eToy");  // y:2

  // --input reads one file: a second is refused by name, not dropped.
  { std::ofstream(tmp.dir() + "/urls.txt") << lab.http_url("www.test", "/status/200") << "\n"; }
  auto twice = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--input", "urls.txt", "--input", "urls.txt"}), tmp.dir());
  CHECK(twice.status == 2);
  CHECK(twice.err == "pageload: --input given twice: it reads one FILE (cat A B | pageload --input -)\n");
}

TEST_CASE("the flags that add up keep every value when given twice") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-o", "echo.out", "-H", "X-A: 1", "-H", "X-B: 2", "-d",
                                  "a=1", "-d", "b=2", "-b", "k=v1", "-b", "j=v2", "--keep-secrets",
                                  shared_lab().http_url("www.test", "/echo")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto echo = nlohmann::json::parse(slurp(tmp.dir() + "/echo.out"));
  CHECK(echo["method"] == "POST");
  CHECK(echo["body"] == "a=1&b=2");  // curl joins -d parts with '&'
  CHECK(echoed_header(echo, "X-A") == "1");
  CHECK(echoed_header(echo, "X-B") == "2");
  const std::string cookie = echoed_header(echo, "Cookie");
  CHECK(cookie.find("k=v1") != std::string::npos);
  CHECK(cookie.find("j=v2") != std::string::npos);
}

// review-11-final2 F15: without -s, code=$(pageload -o /dev/null -w '%{http_code}' URL)
// captured the summary table; curl's meter is on stderr, its stdout the code alone.
TEST_CASE("with -o or -w the summary goes to standard error and standard output holds curl's outputs alone") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200");
  auto w = pageload_cli(lab_args({"--db", tmp.path(), "-I", "-o", "/dev/null", "-w", "%{http_code}", url}), tmp.dir());
  INFO(w.err);
  CHECK(w.status == 0);
  CHECK(w.out == "200");
  CHECK(w.err.find("final 200") != std::string::npos);  // the summary, where curl's meter is

  auto o = pageload_cli(lab_args({"--db", tmp.path(), "-o", "body.out", url}), tmp.dir());
  CHECK(o.status == 0);
  CHECK(o.out.empty());
  CHECK(o.err.find("final 200") != std::string::npos);

  // -i without -o: the heads where curl prints them, then -w's text; no table between.
  auto i = pageload_cli(lab_args({"--db", tmp.path(), "-i", "-w", "[%{http_code}]", url}), tmp.dir());
  CHECK(i.status == 0);
  CHECK(i.out.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(i.out.size() > 5);
  CHECK(i.out.substr(i.out.size() - 5) == "[200]");
  CHECK(i.out.find("final 200") == std::string::npos);

  // Neither: the summary stands where curl's body would be.
  auto plain = pageload_cli(lab_args({"--db", tmp.path(), url}), tmp.dir());
  CHECK(plain.status == 0);
  CHECK(plain.out.find("final 200") != std::string::npos);
  CHECK(plain.err.empty());
}

// review-11-final2 F1: %{size_header} was the final hop's (101) where curl -L adds up
// every hop's (364 on /chain/301,302); size_download stays the final hop's, as curl's.
TEST_CASE("size_header adds up every hop's header bytes as curl -L does") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-w",
                                  "%{size_header} %{hop.0.size_header} %{hop.1.size_header} %{hop.2.size_header} "
                                  "%{size_download} %{hop.2.size_download} %{num_redirects}",
                                  lab.http_url("www.test", "/chain/301,302")}),
                        tmp.dir());
  INFO(r.err << r.out);
  REQUIRE(r.status == 0);
  std::istringstream in(r.out);
  long long total = 0, h0 = 0, h1 = 0, h2 = 0, download = 0, last_download = 0, redirects = 0;
  in >> total >> h0 >> h1 >> h2 >> download >> last_download >> redirects;
  CHECK(redirects == 2);
  CHECK(h0 > 0);
  CHECK(h2 > 0);
  CHECK(total == h0 + h1 + h2);
  CHECK(download == last_download);

  // Through a proxy curl counts the proxy's answer to CONNECT too ("HTTP/1.1 200 Connection
  // established" and the blank line: 39 bytes), once.
  const std::string https = lab.https_url("www.test", "/status/200");
  auto direct = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-w", "%{size_header}", https}), tmp.dir());
  auto proxied = pageload_cli(
      lab_args({"--db", tmp.path(), "-s", "-x", lab.proxy_url(), "-w", "%{size_header} %{hop.0.size_header}", https}),
      tmp.dir());
  INFO(direct.err << proxied.err);
  REQUIRE(direct.status == 0);
  REQUIRE(proxied.status == 0);
  std::istringstream pin(proxied.out);
  long long with_tunnel = 0, head = 0;
  pin >> with_tunnel >> head;
  CHECK(with_tunnel == head);
  CHECK(with_tunnel - std::stoll(direct.out) == 39);
}

// review-11-final2 F9: after a redirect over a tunnelled connection %{http_connect} was
// 000 (the final hop made no CONNECT of its own); curl says 200.
TEST_CASE("http_connect after a redirect through a proxy tunnel is the answer its connection was opened with") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-sI", "-x", lab.proxy_url(), "-o", "/dev/null", "-w",
                                  "%{http_code} %{http_connect} %{hop.0.http_connect} %{hop.1.http_connect} "
                                  "%{num_connects}",
                                  lab.https_url("www.test", "/chain/301")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "200 200 200 200 1");  // one tunnel, reused by hop 1
  // Without a proxy there was no tunnel.
  auto direct = pageload_cli(lab_args({"--db", tmp.path(), "-sI", "-o", "/dev/null", "-w", "%{http_connect}",
                                       lab.https_url("www.test", "/chain/301")}),
                             tmp.dir());
  CHECK(direct.out == "000");
}

// review-11-final2 F17: compare of a direct and a proxied run said "nothing beyond timing".
TEST_CASE("compare names a proxy change under what changed and redacts it as stored") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string url = lab.https_url("www.test", "/status/200");
  std::string proxy = lab.proxy_url();  // http://127.0.0.1:PORT
  const std::string with_password = "http://u:SECRETPW@" + proxy.substr(proxy.find("://") + 3);
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", url}), tmp.dir()).status == 0);
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", "-x", with_password, url}), tmp.dir()).status == 0);
  auto r = pageload_cli({"compare", "1", "2", "--db", tmp.path()}, tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const std::string shown = "http://u:[redacted]@" + proxy.substr(proxy.find("://") + 3);
  CHECK(r.out.find("What changed\n  proxy: none → " + shown + "\n") != std::string::npos);
  CHECK(r.out.find("SECRETPW") == std::string::npos);
  auto back = pageload_cli({"compare", "2", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(back.out.find("proxy: " + shown + " → none\n") != std::string::npos);
  auto same = pageload_cli({"compare", "1", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(same.out.find("proxy:") == std::string::npos);
}

// review-11-final2 F10: the page listing a batch said a bare "ok" for runs loaded under -k
// past a certificate that did not verify.
TEST_CASE("the listing page of several runs marks a run loaded under -k past a failed certificate") {
  TempDb tmp;
  auto& lab = shared_lab();
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", "-k", lab.https_url("expired.test", "/status/200")}),
                       tmp.dir()).status == 0);
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", lab.https_url("www.test", "/status/200")}), tmp.dir())
              .status == 0);
  auto r = pageload_cli({"report", "1", "2", "--db", tmp.path(), "-o", "all.html"}, tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string html = slurp(tmp.dir() + "/all.html");
  const auto row1 = html.find(">run 1<"), row2 = html.find(">run 2<");
  REQUIRE(row1 != std::string::npos);
  REQUIRE(row2 != std::string::npos);
  const std::string marked = "ok (not verified, -k)";
  const auto mark = html.find(marked);
  REQUIRE(mark != std::string::npos);
  CHECK(html.find("not verified", mark + marked.size()) == std::string::npos);  // run 2 verified
  // In run 1's row.
  CHECK(html.substr(row1, row2 > row1 ? row2 - row1 : std::string::npos).find(marked) != std::string::npos);
}

// review-11-final2 F7: "no run 99 in DB" named no database; every other database error
// gives its path.
TEST_CASE("a run the database does not have is named with the database's path") {
  TempDb tmp;
  REQUIRE(pageload_cli(lab_args({"--db", "b.db", "-q", shared_lab().http_url("www.test", "/status/200")}), tmp.dir())
              .status == 0);
  for (const std::vector<std::string>& command : {std::vector<std::string>{"show", "99"}, {"report", "99"},
                                                  {"har", "99"}, {"compare", "1", "99"}}) {
    std::vector<std::string> args = command;
    args.insert(args.end(), {"--db", "b.db"});
    auto r = pageload_cli(args, tmp.dir());
    INFO(command[0]);
    CHECK(r.status == 2);
    CHECK(r.err == "pageload: no run 99 in b.db\n");
  }
}

// Review of issue 11, F6: a chunked body's trailers were left out of -D and -i, which
// curl writes where the body ends.
TEST_CASE("the -D and -i flags write a chunked body's trailers where the body ends, and -v none, as curl") {
  TempDb tmp;
  const std::string url = shared_lab().fault_url("fault.test", "/trailer-status");
  const std::string heads = tmp.dir() + "/heads.txt";
  auto d = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-D", heads, url}), tmp.dir());
  INFO(d.err);
  REQUIRE(d.status == 0);
  const std::string dumped = slurp(heads);
  const auto end_of_head = dumped.find("\r\n\r\n");
  REQUIRE(end_of_head != std::string::npos);
  // The trailer that reads like a status line is a trailer, after the head's empty line.
  CHECK(dumped.substr(end_of_head + 4) == "HTTP/1.1 404 Not Found: x\r\n");

  const std::string file = tmp.dir() + "/out.txt";
  auto i = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-i", "--document-only", "-o", file, url}), tmp.dir());
  INFO(i.err);
  REQUIRE(i.status == 0);
  const std::string text = slurp(file);
  const auto body = text.find("\r\n\r\n");
  REQUIRE(body != std::string::npos);
  const auto trailer = text.find("HTTP/1.1 404 Not Found: x\r\n");
  REQUIRE(trailer != std::string::npos);
  CHECK(trailer > body + 4);  // after the body, not inside the head
  CHECK(text.size() == trailer + std::string("HTTP/1.1 404 Not Found: x\r\n").size());

  // curl -v prints no trailers: a "< " line after the head's "<" would read as a new response.
  auto v = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-v", "--document-only", url}), tmp.dir());
  CHECK(v.status == 0);
  CHECK(v.err.find("< \r\n") != std::string::npos);  // the head's end, as curl -v writes it
  CHECK(v.err.find("404 Not Found: x") == std::string::npos);
}

// Review of issue 11 (stop 23) F13: an empty proxy variable counted as set, where
// curl_getenv() reads it as unset and goes on to the upper-case name and ALL_PROXY.
TEST_CASE("an empty proxy variable is not set, as in curl: the next one in curl's order is used") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200");
  auto proxy_of = [](const std::string& out) {
    const auto run = nlohmann::json::parse(out.substr(0, out.find('\n')));
    return run.contains("proxy") && run["proxy"].is_string() ? run["proxy"].get<std::string>() : std::string();
  };
  setenv("http_proxy", "", 1);
  setenv("ALL_PROXY", shared_lab().proxy_url().c_str(), 1);
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", url}), tmp.dir());
  unsetenv("ALL_PROXY");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(proxy_of(r.out) == shared_lab().proxy_url());  // ALL_PROXY, as curl -v shows it

  // An empty no_proxy leaves NO_PROXY in force: www.test goes direct despite http_proxy.
  setenv("http_proxy", shared_lab().proxy_url().c_str(), 1);
  setenv("no_proxy", "", 1);
  setenv("NO_PROXY", "www.test", 1);
  auto direct = pageload_cli(lab_args({"--db", tmp.path(), "--json", url}), tmp.dir());
  unsetenv("http_proxy");
  unsetenv("no_proxy");
  unsetenv("NO_PROXY");
  INFO(direct.err);
  REQUIRE(direct.status == 0);
  CHECK(proxy_of(direct.out).empty());
}

// Review of issue 11 (stop 23) F6: -w read "\\" as one backslash; curl 7.88's writeout
// reads only \n, \r and \t and writes any other backslash pair as it is.
TEST_CASE("the -w format reads backslash escapes as curl 7.88 does: newline, return and tab, other pairs as written") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-w", "a\\nb\\\\c\\\\n%%\\q\\t%{http_code}",
                                  shared_lab().http_url("www.test", "/status/200")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "a\nb\\\\c\\\\n%\\q\t200");
}

// Review of issue 11, F2 and F3: a head that never ended got the empty line that says it
// did, and a tab inside a header value was written as \x09 where curl writes the tab.
TEST_CASE("the -D flag writes a head that never ended without its empty line and a value's tab as a tab, as curl") {
  TempDb tmp;
  const std::string heads = tmp.dir() + "/heads.txt";
  auto cut = pageload_cli(
      lab_args({"--db", tmp.path(), "-s", "--document-only", "-D", heads, shared_lab().fault_url("fault.test", "/leading-fold")}),
      tmp.dir());
  CHECK(cut.status == 3);
  CHECK(slurp(heads) == "HTTP/1.1 302 Found\r\n");
  auto v = pageload_cli(
      lab_args({"--db", tmp.path(), "-s", "-v", "--document-only", shared_lab().fault_url("fault.test", "/leading-fold")}),
      tmp.dir());
  CHECK(v.err.find("< HTTP/1.1 302 Found\r\n< \r\n") == std::string::npos);

  auto tab = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-D", heads,
                                    shared_lab().http_url("www.test", "/status/200?header=X-T:%20a%09b%1bc")}),
                          tmp.dir());
  REQUIRE(tab.status == 0);
  CHECK(slurp(heads).find("X-T: a\tb\\x1bc\r\n") != std::string::npos);  // the tab kept, ESC still escaped
}

