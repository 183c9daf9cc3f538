#include "test_support.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace pageload::store::testing {
namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
  static std::atomic<int> counter{0};
  fs::path p = fs::temp_directory_path() /
               ("pageload-store-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(p);
  fs::create_directories(p);
  path_ = p.string();
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {
struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
std::unique_ptr<sqlite3, Closer> open_raw(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    throw std::runtime_error("open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 30000);
  return std::unique_ptr<sqlite3, Closer>(db);
}
}  // namespace

std::vector<Row> query(const std::string& db_path, const std::string& sql) {
  auto db = open_raw(db_path, SQLITE_OPEN_READONLY);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    throw std::runtime_error("prepare: " + std::string(sqlite3_errmsg(db.get())) + " in " + sql);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
  std::vector<Row> rows;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < sqlite3_column_count(stmt.get()); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt.get(), i);
      if (text) row.emplace_back(reinterpret_cast<const char*>(text)); else row.emplace_back(std::nullopt);
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) throw std::runtime_error("step: " + std::string(sqlite3_errmsg(db.get())));
  return rows;
}

void exec(const std::string& db_path, const std::string& sql) {
  auto db = open_raw(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  char* err = nullptr;
  if (sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error("exec: " + msg);
  }
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

Run make_three_hop_run(const std::string& label) {
  Run run;
  run.started_at = "2026-11-25T04:38:51.123456Z";
  run.url = "http://a.test/";
  run.final_url = "http://c.test/";
  run.outcome = Outcome::kFailed;
  run.failure = Failure{Code::kConnectRefused, "connection refused by 127.0.0.3:80"};
  run.total_ms = 95.25;
  run.label = label;
  run.options_json = R"({"method":"GET","headers":["Authorization: [redacted]"]})";
  run.tool_version = "pageload 0.1.0";
  run.library_versions = "libcurl/7.88.1 c-ares/1.18.1 SQLite/3.40.1";

  DnsLookup a;
  a.id = 0;
  a.host = "a.test";
  a.source = "dns";
  a.servers = {"127.0.0.1:5353", "[::1]:5353"};
  a.family = 0;
  a.span = {0.5, 12.75};
  a.outcome = "NOERROR";
  a.ares_status = "ARES_SUCCESS";
  // A: the first server answered late, after the resolver had moved on to the second,
  // which never replied. AAAA: nothing listens on the first server; the second answered.
  a.queries = {DnsQuery{"A", "NOERROR", "ARES_SUCCESS", {0.5, 12.0}, "127.0.0.1:5353",
                        {DnsAttempt{"127.0.0.1:5353", 0.5, 12.0, "NOERROR"},
                         DnsAttempt{"[::1]:5353", 5.5, std::nullopt, ""}}},
               DnsQuery{"AAAA", "NODATA", "ARES_ENODATA", {0.5, 12.75}, "[::1]:5353",
                        {DnsAttempt{"127.0.0.1:5353", 0.5, 0.75, "UNREACHABLE"},
                         DnsAttempt{"[::1]:5353", 0.75, 12.75, "NODATA"}}}};
  a.answers = {DnsAnswer{"CNAME", "a.test", "edge.a.test", 300}, DnsAnswer{"A", "edge.a.test", "127.0.0.2", 60}};
  DnsLookup c;
  c.id = 1;
  c.host = "c.test";
  c.source = "cache";
  c.family = 4;
  c.span = {60.0, 60.0};
  c.outcome = "NOERROR";
  c.answers = {DnsAnswer{"A", "c.test", "127.0.0.3", 0}};
  run.dns_lookups = {a, c};

  Connection conn;
  conn.id = 0;
  conn.scheme = "https";
  conn.host = "b.test";
  conn.port = 443;
  conn.remote_ip = "127.0.0.2";
  conn.remote_port = 443;
  conn.local_ip = "127.0.0.1";
  conn.local_port = 50123;
  conn.family = 4;
  conn.attempts = {ConnectAttempt{"::1", 443, 6, "Connection refused"}, ConnectAttempt{"127.0.0.2", 443, 4, ""}};
  TlsInfo tls;
  tls.version = "TLSv1.3";
  tls.cipher = "TLS_AES_256_GCM_SHA384";
  tls.alpn = "http/1.1";
  tls.subject = "CN=b.test";
  tls.issuer = "CN=pageload lab CA";
  tls.sans = {"b.test", "*.b.test", "IP:127.0.0.2"};
  tls.not_before = "2026-01-01T00:00:00Z";
  tls.not_after = "2027-01-01T00:00:00Z";
  tls.verify_result = 0;
  tls.verify_message = "ok";
  tls.verified = true;
  conn.tls = tls;
  // A TLS 1.3 handshake refused by the server after it: every kind of column filled.
  using D = TlsStep::Direction;
  conn.tls_steps = {
      TlsStep{D::kSent, "ClientHello", 517, 14.5, "", false, false},
      TlsStep{D::kReceived, "ServerHello", 122, 15.25, "", false, false},
      TlsStep{D::kReceived, "EncryptedExtensions", 21, 15.5, "", false, false},
      TlsStep{D::kReceived, "Certificate", 812, 15.5, "", false, false},
      TlsStep{D::kReceived, "CertificateVerify", 264, 15.75, "", false, false},
      TlsStep{D::kReceived, "Finished", 52, 15.75, "", false, false},
      TlsStep{D::kSent, "ChangeCipherSpec", 1, 16.0, "", false, false},
      TlsStep{D::kSent, "Finished", 52, 16.0, "", false, false},
      TlsStep{D::kReceived, "NewSessionTicket", 250, 17.0, "", false, true},
      TlsStep{D::kReceived, "Alert", 2, 18.0, "close_notify", false, true},
  };
  conn.tls_round_trips = 1;
  conn.tls_session_offered = true;
  conn.tls_resumed = false;
  conn.connect = Span{12.75, 14.5};
  conn.requests = 2;
  conn.closed = ConnectionClose{70.25, ClosedBy::kServer, CloseReason::kServerClosed};
  Connection failed;
  failed.id = 1;
  failed.scheme = "http";
  failed.host = "c.test";
  failed.port = 80;
  failed.attempts = {ConnectAttempt{"127.0.0.3", 80, 4, "Connection refused"}};
  failed.connect = Span{60.0, 61.5};
  failed.requests = 1;
  run.connections = {conn, failed};

  Request r0;
  r0.id = 0;
  r0.seq = 0;
  r0.method = "GET";
  r0.url = "https://b.test/";
  r0.scheme = "https";
  r0.host = "b.test";
  r0.port = 443;
  r0.connection = 0;
  r0.reused = false;
  r0.dns_lookup = 0;
  r0.span = {0.5, 40.0};
  r0.phases = {PhaseRecord{Phase::kDns, {0.5, 12.75}, std::nullopt},
               PhaseRecord{Phase::kConnect, {12.75, 14.5}, std::nullopt},
               PhaseRecord{Phase::kTls, {14.5, 20.25}, std::nullopt},
               PhaseRecord{Phase::kSend, {20.25, 20.5}, std::nullopt},
               PhaseRecord{Phase::kWait, {20.5, 35.0}, std::nullopt},
               PhaseRecord{Phase::kReceive, {35.0, 40.0}, std::nullopt}};
  r0.http_version = "HTTP/1.1";
  r0.status = 301;
  r0.reason = "Moved Permanently";
  r0.location = "/x";
  r0.redirect_url = "https://b.test/x";
  r0.header_bytes = 210;
  r0.body_bytes = 0;
  r0.body_decoded = 0;
  r0.content_type = "text/html; charset=utf-8";
  r0.request_headers = {{"Host", "b.test"}, {"Authorization", "[redacted]"}, {"Accept", "*/*"}};
  r0.response_headers = {{"Location", "/x"}, {"Content-Length", "0"}};
  r0.priority = Priority::kHighest;
  r0.discovered_ms = 0.0;

  Request r1;
  r1.id = 1;
  r1.seq = 1;
  r1.redirect_from = 0;
  r1.method = "GET";
  r1.url = "https://b.test/x";
  r1.scheme = "https";
  r1.host = "b.test";
  r1.port = 443;
  r1.connection = 0;
  r1.reused = true;
  r1.span = {39.75, 59.5};
  r1.phases = {PhaseRecord{Phase::kBlocked, {39.75, 40.0}, std::nullopt},
               PhaseRecord{Phase::kSend, {40.0, 40.25}, std::nullopt},
               PhaseRecord{Phase::kWait, {40.25, 55.0}, std::nullopt},
               PhaseRecord{Phase::kReceive, {55.0, 59.5}, std::nullopt}};
  r1.http_version = "HTTP/1.1";
  r1.status = 302;
  r1.reason = "Found";
  r1.location = "http://c.test/";
  r1.redirect_url = "http://c.test/";
  r1.header_bytes = 180;
  r1.body_bytes = 1234;
  r1.body_decoded = 4321;
  r1.content_type = "text/html";
  r1.request_headers = {{"Host", "b.test"}};
  r1.response_headers = {{"Location", "http://c.test/"}, {"Content-Encoding", "gzip"}};
  r1.warnings = {"redirect downgrades https to http", "a warning, with a comma"};
  r1.initiator = 0;
  r1.found_by = "redirect";
  r1.priority = Priority::kHighest;
  r1.discovered_ms = 39.75;

  Request r2;
  r2.id = 2;
  r2.seq = 2;
  r2.redirect_from = 1;
  r2.method = "GET";
  r2.url = "http://c.test/";
  r2.scheme = "http";
  r2.host = "c.test";
  r2.port = 80;
  r2.connection = 1;
  r2.reused = false;
  r2.dns_lookup = 1;
  r2.span = {60.0, 61.5};
  r2.phases = {PhaseRecord{Phase::kDns, {60.0, 60.0}, std::nullopt},
               PhaseRecord{Phase::kConnect, {60.0, 61.5},
                           Failure{Code::kConnectRefused, "connection refused by 127.0.0.3:80"}}};
  r2.error_phase = Phase::kConnect;
  r2.failure = Failure{Code::kConnectRefused, "connection refused by 127.0.0.3:80"};
  r2.initiator = 1;
  r2.found_by = "redirect";
  r2.note = "a note, with a comma";
  r2.priority = Priority::kHighest;
  r2.discovered_ms = 59.5;
  run.requests = {r0, r1, r2};
  run.load_ms = 61.5;
  run.warnings = {"2 references not fetched: --max-requests 3"};
  return run;
}

}  // namespace pageload::store::testing
