// The pageload binary as a user runs it: exit statuses, one-line errors, what lands in
// the database. Spawned directly (no shell), against the lab on loopback.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.h"
#include "fixtures/lab_fixture.h"

using namespace pageload;
using namespace pageload::testing;

TEST_CASE("the cli exits 0 for a final status below 400 and stores the run") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().http_url("www.test", "/chain/301,302")}), tmp.dir());
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("301") != std::string::npos);
  CHECK(r.out.find("run 1 ok") != std::string::npos);
  auto show = pageload_cli({"show", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(show.status == 0);
  CHECK(show.out.find("request #2: GET") != std::string::npos);
  auto list = pageload_cli({"list", "--db", tmp.path()}, tmp.dir());
  CHECK(list.status == 0);
  CHECK(list.out.find("/chain/301,302") != std::string::npos);
}

TEST_CASE("the cli's short form 'pageload URL' is 'pageload run URL'") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli({"--db", tmp.path(), "--no-html", "--dns-server", lab.dns_server(), lab.http_url("www.test", "/")},
                        tmp.dir());
  INFO(r.err);
  CHECK(r.status == 0);
}

TEST_CASE("the cli exits 1 for a final status of 400 or above") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().http_url("www.test", "/status/503")}), tmp.dir());
  CHECK(r.status == 1);
}

TEST_CASE("the cli exits 3 for a network failure and names the failing phase") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().http_url("nxdomain.test", "/")}), tmp.dir());
  CHECK(r.status == 3);
  CHECK(r.out.find("dns failed: dns_nxdomain") != std::string::npos);
}

TEST_CASE("the cli exits 2 with one line for bad input") {
  TempDb tmp;
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"run", "example.com"},
           {"run", "ftp://example.test/"},
           {"run", "http://a.test:99999/"},
           {"run", "--no-such-flag", "http://a.test/"},
           {"run"},
           {"run", "-H", "NoColon", "http://a.test/"},
           {"run", "--max-time", "soon", "http://a.test/"},
           {"run", "--cacert", "/no/such/ca.pem", "http://a.test/"}}) {
    args.push_back("--db");
    args.push_back(tmp.path());
    auto r = pageload_cli(args, tmp.dir());
    INFO(args[1] << " -> " << r.err);
    CHECK(r.status == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.rfind("pageload: ", 0) == 0);
  }
  CHECK_FALSE(std::filesystem::exists(tmp.path()));  // nothing was stored for bad input
}

TEST_CASE("the cli exits 4 when the database is unusable and leaves the file untouched") {
  TempDb tmp;
  auto missing = pageload_cli(lab_args({"--db", tmp.dir() + "/no/such/dir/x.db", "http://127.0.0.1:1/"}), tmp.dir());
  CHECK(missing.status == 4);
  CHECK(lines(missing.err) == 1);
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/no"));

  std::string junk = tmp.dir() + "/junk.db";
  std::ofstream(junk) << "this is not a database, just text that must survive\n";
  std::string before = slurp(junk);
  auto r = pageload_cli(lab_args({"--db", junk, "http://127.0.0.1:1/"}), tmp.dir());
  CHECK(r.status == 4);
  CHECK(slurp(junk) == before);
}

TEST_CASE("PAGELOAD_DB chooses the database when --db is not given") {
  TempDb tmp;
  std::string path = tmp.dir() + "/from-env.db";
  setenv("PAGELOAD_DB", path.c_str(), 1);
  auto r = pageload_cli(lab_args({shared_lab().http_url("www.test", "/")}), tmp.dir());
  unsetenv("PAGELOAD_DB");
  CHECK(r.status == 0);
  CHECK(std::filesystem::exists(path));
}

TEST_CASE("the --json flag prints one parseable object per run with its phases") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", shared_lab().https_url("secure.test", "/")}), tmp.dir());
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["outcome"] == "ok");
  CHECK(j["final_status"] == 200);
  CHECK(j["requests"][0]["phases"].contains("tls"));
  CHECK(j["connections"][0]["tls"]["verified"] == true);
}

// Review of issue 8: `-d @body100k` sent the literal text "@body100k", where curl sends
// the file (without its line breaks; --data-binary keeps every byte).
TEST_CASE("the -d @FILE flag sends the file without line breaks as curl does, --data-binary @FILE byte for byte, and repeated -d parts joined with &") {
  TempDb tmp;
  { std::ofstream(tmp.dir() + "/body.txt", std::ios::binary) << "a=1\r\nb=2\n"; }
  auto sent_length = [&](const std::vector<std::string>& flags) -> std::string {
    std::vector<std::string> args{"--db", tmp.path(), "--json"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(shared_lab().http_url("www.test", "/echo"));
    auto r = pageload_cli(lab_args(args), tmp.dir());
    INFO(r.err);
    REQUIRE(r.status == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["requests"][0]["method"] == "POST");
    for (const auto& h : j["requests"][0]["request_headers"])
      if (h[0] == "Content-Length" || h[0] == "content-length") return h[1].get<std::string>();
    return "none";
  };
  CHECK(sent_length({"-d", "@body.txt"}) == "6");             // "a=1b=2"
  CHECK(sent_length({"--data-binary", "@body.txt"}) == "9");  // "a=1\r\nb=2\n"
  CHECK(sent_length({"-d", "plain"}) == "5");
  // Repeated, the parts are joined with '&', as curl joins them (it was a usage error).
  CHECK(sent_length({"-d", "a=1", "-d", "b=2"}) == "7");                      // "a=1&b=2"
  CHECK(sent_length({"-d", "@body.txt", "-d", "c=3"}) == "10");               // "a=1b=2&c=3"
  CHECK(sent_length({"--data-binary", "@body.txt", "--data-binary", "x"}) == "11");  // "a=1\r\nb=2\n&x"
  auto missing = pageload_cli(lab_args({"--db", tmp.path(), "-d", "@nope.txt", shared_lab().http_url("www.test", "/echo")}),
                              tmp.dir());
  CHECK(missing.status == 2);
  CHECK(missing.err == "pageload: -d @nope.txt: cannot read nope.txt: No such file or directory\n");
}

// --json said "" where the database says NULL (no label, no Location, no error).
TEST_CASE("the --json output uses null, as the database does, for what is not known") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", shared_lab().http_url("www.test", "/chain/301")}),
                        tmp.dir());
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["label"].is_null());
  CHECK(j["request_count"] == 2);
  CHECK(j["redirect_count"] == 1);
  CHECK(j["requests"][0]["location"] == "/chain/");
  CHECK(j["requests"][1]["location"].is_null());
  CHECK(j["requests"][1]["redirect_url"].is_null());
  CHECK(j["connections"][0]["tls"].is_null());
  CHECK(j["connections"][0]["attempts"][0]["error"].is_null());
}

TEST_CASE("with -q a failed load is one error line on stderr and nothing on stdout") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-q", shared_lab().http_url("nxdomain.test", "/")}), tmp.dir());
  CHECK(r.status == 3);
  CHECK(r.out.empty());
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("error: dns_nxdomain") != std::string::npos);
  auto ok = pageload_cli(lab_args({"--db", tmp.path(), "-q", shared_lab().http_url("www.test", "/status/404")}), tmp.dir());
  CHECK(ok.status == 1);
  CHECK(ok.out.empty());
  CHECK(ok.err.empty());  // an HTTP error is a result, not an error of the load
}

TEST_CASE("output that cannot be written is exit 4 with one line, and the run is still stored") {
  TempDb tmp;
  // /dev/full fails every write with ENOSPC.
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", shared_lab().http_url("www.test", "/")}), tmp.dir(),
                        "/dev/full");
  CHECK(r.status == 4);
  CHECK(r.err == "pageload: cannot write to standard output\n");
  auto db = store::Database::open_existing(tmp.path());
  REQUIRE(db.ok());
  CHECK(db.value()->list_runs(10)->size() == 1);
}

TEST_CASE("the DNS servers tried are shown by the summary, show and --json: which failed, which answered") {
  TempDb tmp;
  auto& lab = shared_lab();
  // A loopback UDP port with nothing listening: its tries are UNREACHABLE.
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), len);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  const std::string dead = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));

  auto started = std::chrono::steady_clock::now();
  auto r = pageload_cli({"run", "--db", tmp.path(), "--no-html", "--dns-server", dead, "--dns-server",
                         lab.dns_server(), lab.http_url("www.test", "/")},
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
  CHECK(r.out.find("dns tries: A " + dead + " UNREACHABLE, " + lab.dns_server() + " NOERROR") != std::string::npos);

  auto show = pageload_cli({"show", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(show.out.find("query A NOERROR from " + lab.dns_server()) != std::string::npos);
  CHECK(show.out.find("sent to " + dead) != std::string::npos);
  CHECK(show.out.find(": UNREACHABLE after") != std::string::npos);

  auto json = pageload_cli({"show", "1", "--json", "--db", tmp.path()}, tmp.dir());
  auto j = nlohmann::json::parse(json.out);
  const auto& q = j["dns_lookups"][0]["queries"][0];
  CHECK(q["type"] == "A");
  CHECK(q["server"] == lab.dns_server());
  REQUIRE(q["attempts"].size() == 2);
  CHECK(q["attempts"][0]["server"] == dead);
  CHECK(q["attempts"][0]["outcome"] == "UNREACHABLE");
  CHECK(q["attempts"][1]["outcome"] == "NOERROR");
  CHECK(q["attempts"][1]["end_ms"].is_number());
}

TEST_CASE("the --dns-timeout flag bounds a lookup of a silent server, tries included") {
  TempDb tmp;
  auto started = std::chrono::steady_clock::now();
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--dns-timeout", "0.3", shared_lab().http_url("silent.test", "/")}),
                        tmp.dir());
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(r.status == 3);
  CHECK(r.out.find("dns failed: dns_timeout") != std::string::npos);
  CHECK(took >= std::chrono::milliseconds(290));
  CHECK(took < std::chrono::seconds(3));  // c-ares's default tries would take 15 s

  for (const char* bad : {"0", "-1", "soon", "inf"}) {
    auto b = pageload_cli(lab_args({"--db", tmp.path(), "--dns-timeout", bad, "http://a.test/"}), tmp.dir());
    INFO(bad << " -> " << b.err);
    CHECK(b.status == 2);
    CHECK(lines(b.err) == 1);
    CHECK(b.err.find("--dns-timeout") != std::string::npos);
  }
}

TEST_CASE("the cli writes an HTML report named after the run unless --no-html") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli({"run", "--db", tmp.path(), "--dns-server", lab.dns_server(), lab.http_url("www.test", "/")},
                        tmp.dir());
  REQUIRE(r.status == 0);
  CHECK(std::filesystem::exists(tmp.dir() + "/pageload-run-1.html"));
  CHECK(r.out.find("report: pageload-run-1.html") != std::string::npos);
  auto again = pageload_cli({"report", "1", "-o", tmp.dir() + "/again.html", "--db", tmp.path()}, tmp.dir());
  CHECK(again.status == 0);
  CHECK(slurp(tmp.dir() + "/again.html") == slurp(tmp.dir() + "/pageload-run-1.html"));
}

TEST_CASE("the --input and --parallel flags load many URLs at once, each as its own run") {
  TempDb tmp;
  auto& lab = shared_lab();
  std::string list = tmp.dir() + "/urls.txt";
  {
    std::ofstream f(list);
    f << "# twenty lab URLs\n\n";
    for (int i = 0; i < 20; ++i) f << lab.http_url("batch" + std::to_string(i % 4) + ".test", "/delay/50") << "\n";
  }
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--quiet", "--parallel", "10", "--input", list}), tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto db = store::Database::open_existing(tmp.path());
  REQUIRE(db.ok());
  auto runs = db.value()->list_runs(100);
  REQUIRE(runs.ok());
  REQUIRE(runs->size() == 20);
  for (const auto& summary : runs.value()) {
    auto run = db.value()->load_run(summary.id);
    REQUIRE(run.ok());
    CHECK(run->outcome == Outcome::kOk);
    REQUIRE(run->requests.size() == 1);
    // Loose: send ends at our stamp right after curl's write, and a busy 2-core machine
    // can preempt us between the two for a scheduler tick (4 ms), which the wait loses.
    CHECK(run->requests[0].phase(Phase::kWait)->span.duration_ms() >= 40);
    CHECK_FALSE(run->requests[0].reused);  // runs never borrow each other's connections
  }
}

// A batch stores and prints on a thread of its own: each run's id must still reach its
// report's file name and its summary.
TEST_CASE("a batch writes each run's report under its own id and prints each summary once") {
  TempDb tmp;
  auto& lab = shared_lab();
  std::vector<std::string> urls;
  for (int i = 0; i < 12; ++i) urls.push_back(lab.http_url("www.test", "/delay/" + std::to_string((i * 7) % 30) + "?n=" + std::to_string(i)));
  std::vector<std::string> args = {"run", "--dns-server", lab.dns_server(), "--db", tmp.path(), "--parallel", "5"};
  args.insert(args.end(), urls.begin(), urls.end());
  auto r = pageload_cli(args, tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto db = store::Database::open_existing(tmp.path());
  REQUIRE(db.ok());
  auto runs = db.value()->list_runs(100);
  REQUIRE(runs.ok());
  REQUIRE(runs->size() == urls.size());
  for (const auto& summary : runs.value()) {
    INFO("run " << summary.id << " " << summary.url);
    CHECK(summary.outcome == "ok");
    const std::string report = "pageload-run-" + std::to_string(summary.id) + ".html";
    std::string html = slurp(tmp.dir() + "/" + report);
    // The URL's query string is unique to the run; the report escapes '&' but there is none.
    CHECK(html.find(summary.url.substr(summary.url.find("/delay/"))) != std::string::npos);
    std::size_t first = r.out.find("report: " + report + "\n");
    CHECK(first != std::string::npos);
    CHECK(r.out.find("report: " + report + "\n", first + 1) == std::string::npos);
    CHECK(r.out.find("run " + std::to_string(summary.id) + " ok") != std::string::npos);
  }
}

TEST_CASE("with --share-connections a batch's runs reuse the connection an earlier run opened") {
  TempDb tmp;
  auto& lab = shared_lab();
  std::vector<std::string> args{"--db", tmp.path(), "--quiet", "--share-connections"};
  // Plain-text documents: each run is its one request (an HTML page would add its icon).
  for (int i = 0; i < 5; ++i) args.push_back(lab.http_url("www.test", "/status/200?n=" + std::to_string(i)));
  auto r = pageload_cli(lab_args(args), tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto db = store::Database::open_existing(tmp.path());
  REQUIRE(db.ok());
  auto runs = db.value()->list_runs(100);
  REQUIRE(runs.ok());
  REQUIRE(runs->size() == 5);
  int reused = 0;
  for (const auto& summary : runs.value()) {
    auto run = db.value()->load_run(summary.id);
    REQUIRE(run.ok());
    REQUIRE(run->requests.size() == 1);
    const Request& q = run->requests[0];
    REQUIRE(q.connection);
    const Connection& c = run->connections[*q.connection];
    CHECK(c.remote_ip == "127.0.0.1");  // known even when another run opened it
    if (!q.reused) continue;
    ++reused;
    CHECK_FALSE(q.phase(Phase::kConnect));
    CHECK(q.warnings == std::vector<std::string>{"connection opened by an earlier run (--share-connections)"});
  }
  CHECK(reused == 4);  // one connection, opened by the first run (--parallel 1: in order)
}

TEST_CASE("with --share-connections a run's verdict says its connections came from an earlier run") {
  // The host table counts connections opened (0) beside the verdict's "1 connection": the
  // verdict says why.
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--no-html", "--share-connections",
                                  lab.http_url("www.test", "/status/200?n=1"), lab.http_url("www.test", "/status/200?n=2")}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("run 1 ok · final 200 · 1 request · 1 connection · total") != std::string::npos);
  CHECK(r.out.find("run 2 ok · final 200 · 1 request · 1 connection (1 reused from an earlier run) · total") !=
        std::string::npos);
}

// --share-connections (issue 11): a hop that reused an earlier run's connection still
// showed a DNS lookup, though the README and the report's legend say a reused connection
// has none. Over HTTP/1.1 and HTTP/2 alike, a reused hop has no dns phase and no lookup.
TEST_CASE("with --share-connections a hop that reuses an earlier run's connection has no DNS lookup") {
  auto& lab = shared_lab();
  for (const std::string& base : {lab.http_url("www.test", "/status/200"), lab.https_url("www.test", "/status/200")}) {
    INFO(base);
    TempDb tmp;
    std::vector<std::string> args{"--db", tmp.path(), "--quiet", "--share-connections"};
    for (int i = 0; i < 3; ++i) args.push_back(base + "?n=" + std::to_string(i));
    auto r = pageload_cli(lab_args(args), tmp.dir());
    INFO(r.err);
    REQUIRE(r.status == 0);
    auto db = store::Database::open_existing(tmp.path());
    REQUIRE(db.ok());
    auto runs = db.value()->list_runs(100);
    REQUIRE(runs.ok());
    REQUIRE(runs->size() == 3);
    int reused = 0;
    for (const auto& summary : runs.value()) {
      auto run = db.value()->load_run(summary.id);
      REQUIRE(run.ok());
      const Request& q = run->requests.at(0);
      if (!q.reused) {
        CHECK(q.phase(Phase::kDns));  // the run that opened it looked the host up
        continue;
      }
      ++reused;
      CHECK_FALSE(q.phase(Phase::kDns));
      CHECK_FALSE(q.dns_lookup);
      CHECK(run->dns_lookups.empty());
    }
    CHECK(reused == 2);
  }
}

TEST_CASE("with --fail-early a bad line in --input is a usage error naming the line and nothing is loaded") {
  TempDb tmp;
  std::string list = tmp.dir() + "/urls.txt";
  std::ofstream(list) << "http://a.test/\nnot a url\n";
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--fail-early", "--input", list}), tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("urls.txt:2:") != std::string::npos);
  CHECK(lines(r.err) == 1);
  CHECK_FALSE(std::filesystem::exists(tmp.path()));  // nothing stored, no database made
}

TEST_CASE("the demo shows TLS 1.2's two round trips beside TLS 1.3's one, resumed sessions and a refused handshake") {
  TempDb tmp;
  auto r = pageload_cli({"demo", "--db", tmp.path(), "--out", tmp.dir()}, tmp.dir());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  const auto tls13 = r.out.find("TLS 1.3: the handshake in one round trip");
  const auto tls12 = r.out.find("on the lab's TLS 1.2 port: two round trips");
  REQUIRE(tls13 != std::string::npos);
  REQUIRE(tls12 != std::string::npos);
  CHECK(r.out.find("tls TLSv1.3 full handshake, 1 round trip: → ClientHello", tls13) < tls12);
  CHECK(r.out.find("tls TLSv1.2 full handshake, 2 round trips: → ClientHello", tls12) != std::string::npos);
  CHECK(r.out.find("tls TLSv1.3 resumed, 1 round trip") != std::string::npos);  // --no-keepalive's later hops
  CHECK(r.out.find("tls failed (alert protocol_version from the server)") != std::string::npos);
}
