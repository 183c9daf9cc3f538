// Writing runs and reading them back: load_run(finish_run(x)) == x, the timeline view,
// list_runs.
#include <catch2/catch.hpp>

#include <filesystem>

#include "store/store.h"
#include "test_support.h"

using namespace pageload;
using namespace pageload::store;
using namespace pageload::store::testing;

namespace {

void check_same(const std::optional<Failure>& a, const std::optional<Failure>& b) {
  REQUIRE(a.has_value() == b.has_value());
  if (!a) return;
  CHECK(a->code == b->code);
  CHECK(a->message == b->message);
}

void check_same(const Span& a, const Span& b) {
  CHECK(a.start_ms == b.start_ms);
  CHECK(a.end_ms == b.end_ms);
}

void check_same(const DnsLookup& a, const DnsLookup& b) {
  INFO("lookup " << a.id << " " << a.host);
  CHECK(a.id == b.id);
  CHECK(a.host == b.host);
  CHECK(a.source == b.source);
  CHECK(a.servers == b.servers);
  CHECK(a.family == b.family);
  check_same(a.span, b.span);
  CHECK(a.outcome == b.outcome);
  CHECK(a.ares_status == b.ares_status);
  check_same(a.failure, b.failure);
  REQUIRE(a.queries.size() == b.queries.size());
  for (size_t i = 0; i < a.queries.size(); ++i) {
    CHECK(a.queries[i].type == b.queries[i].type);
    CHECK(a.queries[i].outcome == b.queries[i].outcome);
    CHECK(a.queries[i].ares_status == b.queries[i].ares_status);
    check_same(a.queries[i].span, b.queries[i].span);
    CHECK(a.queries[i].server == b.queries[i].server);
    REQUIRE(a.queries[i].attempts.size() == b.queries[i].attempts.size());
    for (size_t k = 0; k < a.queries[i].attempts.size(); ++k) {
      INFO("query " << i << " attempt " << k);
      CHECK(a.queries[i].attempts[k].server == b.queries[i].attempts[k].server);
      CHECK(a.queries[i].attempts[k].start_ms == b.queries[i].attempts[k].start_ms);
      CHECK(a.queries[i].attempts[k].end_ms == b.queries[i].attempts[k].end_ms);
      CHECK(a.queries[i].attempts[k].outcome == b.queries[i].attempts[k].outcome);
    }
  }
  REQUIRE(a.steps.size() == b.steps.size());
  for (size_t i = 0; i < a.steps.size(); ++i) {
    INFO("step " << i);
    CHECK(a.steps[i] == b.steps[i]);
  }
  REQUIRE(a.answers.size() == b.answers.size());
  for (size_t i = 0; i < a.answers.size(); ++i) {
    CHECK(a.answers[i].type == b.answers[i].type);
    CHECK(a.answers[i].name == b.answers[i].name);
    CHECK(a.answers[i].value == b.answers[i].value);
    CHECK(a.answers[i].ttl == b.answers[i].ttl);
  }
}

void check_same(const Connection& a, const Connection& b) {
  INFO("connection " << a.id);
  CHECK(a.id == b.id);
  CHECK(a.scheme == b.scheme);
  CHECK(a.host == b.host);
  CHECK(a.port == b.port);
  CHECK(a.remote_ip == b.remote_ip);
  CHECK(a.remote_port == b.remote_port);
  CHECK(a.local_ip == b.local_ip);
  CHECK(a.local_port == b.local_port);
  CHECK(a.family == b.family);
  CHECK(a.requests == b.requests);
  REQUIRE(a.connect.has_value() == b.connect.has_value());
  if (a.connect) check_same(*a.connect, *b.connect);
  REQUIRE(a.attempts.size() == b.attempts.size());
  for (size_t i = 0; i < a.attempts.size(); ++i) {
    CHECK(a.attempts[i].address == b.attempts[i].address);
    CHECK(a.attempts[i].port == b.attempts[i].port);
    CHECK(a.attempts[i].family == b.attempts[i].family);
    CHECK(a.attempts[i].error == b.attempts[i].error);
  }
  CHECK(a.tls_steps == b.tls_steps);
  CHECK(a.tls_round_trips == b.tls_round_trips);
  CHECK(a.tls_session_offered == b.tls_session_offered);
  CHECK(a.tls_resumed == b.tls_resumed);
  CHECK(a.closed == b.closed);
  REQUIRE(a.tls.has_value() == b.tls.has_value());
  if (!a.tls) return;
  CHECK(a.tls->version == b.tls->version);
  CHECK(a.tls->cipher == b.tls->cipher);
  CHECK(a.tls->alpn == b.tls->alpn);
  CHECK(a.tls->subject == b.tls->subject);
  CHECK(a.tls->issuer == b.tls->issuer);
  CHECK(a.tls->sans == b.tls->sans);
  CHECK(a.tls->not_before == b.tls->not_before);
  CHECK(a.tls->not_after == b.tls->not_after);
  CHECK(a.tls->verify_result == b.tls->verify_result);
  CHECK(a.tls->verify_message == b.tls->verify_message);
  CHECK(a.tls->verified == b.tls->verified);
}

void check_same(const Request& a, const Request& b) {
  INFO("request " << a.seq);
  CHECK(a.id == b.id);
  CHECK(a.seq == b.seq);
  CHECK(a.redirect_from == b.redirect_from);
  CHECK(a.method == b.method);
  CHECK(a.url == b.url);
  CHECK(a.scheme == b.scheme);
  CHECK(a.host == b.host);
  CHECK(a.port == b.port);
  CHECK(a.connection == b.connection);
  CHECK(a.reused == b.reused);
  CHECK(a.dns_lookup == b.dns_lookup);
  check_same(a.span, b.span);
  REQUIRE(a.phases.size() == b.phases.size());
  for (size_t i = 0; i < a.phases.size(); ++i) {
    CHECK(a.phases[i].phase == b.phases[i].phase);
    check_same(a.phases[i].span, b.phases[i].span);
    check_same(a.phases[i].failure, b.phases[i].failure);
  }
  CHECK(a.http_version == b.http_version);
  CHECK(a.status == b.status);
  CHECK(a.reason == b.reason);
  CHECK(a.location == b.location);
  CHECK(a.redirect_url == b.redirect_url);
  CHECK(a.header_bytes == b.header_bytes);
  CHECK(a.body_bytes == b.body_bytes);
  CHECK(a.body_decoded == b.body_decoded);
  CHECK(a.content_type == b.content_type);
  CHECK(a.request_headers == b.request_headers);
  CHECK(a.response_headers == b.response_headers);
  CHECK(a.warnings == b.warnings);
  CHECK(a.error_phase == b.error_phase);
  check_same(a.failure, b.failure);
  CHECK(a.resource_type == b.resource_type);
  CHECK(a.initiator == b.initiator);
  CHECK(a.discovered_ms == b.discovered_ms);
  CHECK(a.priority == b.priority);
  CHECK(a.found_by == b.found_by);
  CHECK(a.note == b.note);
}

void check_same(const Run& a, const Run& b) {
  CHECK(a.id == b.id);
  CHECK(a.started_at == b.started_at);
  CHECK(a.url == b.url);
  CHECK(a.final_url == b.final_url);
  CHECK(a.final_status == b.final_status);
  CHECK(a.outcome == b.outcome);
  check_same(a.failure, b.failure);
  CHECK(a.total_ms == b.total_ms);
  CHECK(a.label == b.label);
  CHECK(a.options_json == b.options_json);
  CHECK(a.tool_version == b.tool_version);
  CHECK(a.library_versions == b.library_versions);
  CHECK(a.document_ms == b.document_ms);
  CHECK(a.load_ms == b.load_ms);
  CHECK(a.warnings == b.warnings);
  REQUIRE(a.dns_lookups.size() == b.dns_lookups.size());
  for (size_t i = 0; i < a.dns_lookups.size(); ++i) check_same(a.dns_lookups[i], b.dns_lookups[i]);
  REQUIRE(a.connections.size() == b.connections.size());
  for (size_t i = 0; i < a.connections.size(); ++i) check_same(a.connections[i], b.connections[i]);
  REQUIRE(a.requests.size() == b.requests.size());
  for (size_t i = 0; i < a.requests.size(); ++i) check_same(a.requests[i], b.requests[i]);
}

std::unique_ptr<Database> open_db(const std::string& path) {
  auto db = Database::open(path);
  REQUIRE(db.ok());
  return std::move(db).value();
}

}  // namespace

TEST_CASE("a three-hop run reads back equal to what was written, field by field") {
  ScratchDir dir;
  auto db = open_db(dir.file("runs.db"));
  Run run = make_three_hop_run();
  REQUIRE((*db).begin_run(run).ok());
  CHECK(run.id > 0);
  Status finished = db->finish_run(run);
  INFO(finished.to_string());
  REQUIRE(finished.ok());

  auto loaded = db->load_run(run.id);
  REQUIRE(loaded.ok());
  check_same(*loaded, run);
  CHECK(*loaded == run);  // every field, also one check_same does not name yet

  // A second connection (or a read-only one) reads the same.
  auto ro = Database::open_existing(dir.file("runs.db"));
  REQUIRE(ro.ok());
  auto again = (*ro)->load_run(run.id);
  REQUIRE(again.ok());
  check_same(*again, run);
}

TEST_CASE("how each connection ended reads back: when, who closed first and why, or still open") {
  ScratchDir dir;
  auto db = open_db(dir.file("runs.db"));
  Run run = make_three_hop_run();
  const Connection model = run.connections[0];
  run.connections.clear();
  for (std::size_t i = 0; i < kCloseReasonNames.size(); ++i) {
    Connection c = model;
    c.id = static_cast<int>(i);
    c.local_port = 50000 + static_cast<int>(i);
    c.closed = ConnectionClose{10.5 + static_cast<double>(i), i % 2 ? ClosedBy::kPageload : ClosedBy::kServer,
                               static_cast<CloseReason>(i)};
    run.connections.push_back(c);
  }
  Connection open = model;
  open.id = static_cast<int>(run.connections.size());
  open.closed.reset();  // a shared pool's connection, open when the run ended
  run.connections.push_back(open);
  for (auto& r : run.requests) r.connection = r.connection ? std::optional<int>(0) : std::nullopt;
  REQUIRE(db->finish_run(run).ok());
  auto loaded = db->load_run(run.id);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->connections.size() == run.connections.size());
  for (std::size_t i = 0; i < run.connections.size(); ++i) CHECK(loaded->connections[i].closed == run.connections[i].closed);
  CHECK(*loaded == run);
}

TEST_CASE("finish_run without begin_run inserts the run") {
  ScratchDir dir;
  auto db = open_db(dir.file("runs.db"));
  Run run = make_three_hop_run();
  REQUIRE(db->finish_run(run).ok());
  CHECK(run.id > 0);
  auto loaded = db->load_run(run.id);
  REQUIRE(loaded.ok());
  check_same(*loaded, run);
}

TEST_CASE("finishing a run twice replaces its rows instead of duplicating them") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  Run run = make_three_hop_run();
  REQUIRE(db->finish_run(run).ok());
  run.requests.pop_back();
  run.outcome = Outcome::kOk;
  run.failure.reset();
  REQUIRE(db->finish_run(run).ok());
  CHECK(*query(path, "SELECT COUNT(*) FROM requests")[0][0] == "2");
  CHECK(*query(path, "SELECT COUNT(*) FROM connections")[0][0] == "2");
  auto loaded = db->load_run(run.id);
  REQUIRE(loaded.ok());
  check_same(*loaded, run);
}

TEST_CASE("a request pointing at a connection that does not exist is rejected and nothing is kept") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  Run run = make_three_hop_run();
  run.requests[1].connection = 9;
  Status s = db->finish_run(run);
  CHECK(s.code() == Code::kInternal);
  CHECK(run.id == 0);
  CHECK(*query(path, "SELECT COUNT(*) FROM runs")[0][0] == "0");
  CHECK(*query(path, "SELECT COUNT(*) FROM dns_lookups")[0][0] == "0");
}

TEST_CASE("runs written in a group are all stored by its one commit, and invisible before it") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  REQUIRE(db->begin_group().ok());
  std::vector<Run> runs(3, make_three_hop_run());
  for (Run& run : runs) REQUIRE(db->begin_run(run).ok());
  for (Run& run : runs) REQUIRE(db->finish_run(run).ok());
  CHECK(*query(path, "SELECT COUNT(*) FROM runs")[0][0] == "0");  // another connection sees nothing yet
  REQUIRE(db->commit_group().ok());
  CHECK(*query(path, "SELECT COUNT(*) FROM runs")[0][0] == "3");
  for (const Run& run : runs) {
    auto loaded = db->load_run(run.id);
    REQUIRE(loaded.ok());
    check_same(*loaded, run);
  }
}

TEST_CASE("a run that fails inside a group is undone alone and the group's other runs commit") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  REQUIRE(db->begin_group().ok());
  Run good = make_three_hop_run("good");
  REQUIRE(db->finish_run(good).ok());
  Run bad = make_three_hop_run("bad");
  REQUIRE(db->begin_run(bad).ok());
  bad.requests[1].connection = 9;
  CHECK(db->finish_run(bad).code() == Code::kInternal);
  REQUIRE(db->commit_group().ok());
  // The bad run keeps its 'running' row from begin_run and nothing of finish_run.
  CHECK(query(path, "SELECT label, outcome FROM runs ORDER BY id") ==
        std::vector<Row>{{"good", "failed"}, {"bad", "running"}});
  CHECK(*query(path, "SELECT COUNT(*) FROM requests")[0][0] == "3");
  CHECK(*query(path, "SELECT COUNT(*) FROM connections")[0][0] == "2");
}

TEST_CASE("loading a run that does not exist is a usage error") {
  ScratchDir dir;
  auto db = open_db(dir.file("runs.db"));
  auto loaded = db->load_run(42);
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.status().code() == Code::kUsage);
  CHECK(loaded.status().message() == "no run 42 in " + dir.file("runs.db"));
  auto latest = db->latest_run_id();
  REQUIRE_FALSE(latest.ok());
  CHECK(latest.status().code() == Code::kUsage);
}

TEST_CASE("a database's identity is its own random id: kept when the file moves, new when the file is made again") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  std::string first_identity;
  {
    auto db = open_db(path);
    auto identity = db->identity();
    REQUIRE(identity.ok());
    first_identity = identity->id;
    CHECK_FALSE(identity->older_than_ids);  // made with its id
    CHECK(first_identity.size() == 32);
    CHECK(first_identity.find_first_not_of("0123456789abcdef") == std::string::npos);
    Run a = make_three_hop_run("a");
    REQUIRE(db->finish_run(a).ok());
    CHECK(db->identity()->id == first_identity);  // runs do not change it
  }
  // Moved (with its -wal: the newest runs may still be there): still itself.
  for (const char* suffix : {"", "-wal", "-shm"})
    if (std::filesystem::exists(path + suffix)) std::filesystem::rename(path + suffix, dir.file("moved.db") + suffix);
  CHECK(open_db(dir.file("moved.db"))->identity()->id == first_identity);
  // Made again at the same path, even with the very same first run: another database.
  auto again = open_db(path);
  Run c = make_three_hop_run("a");
  REQUIRE(again->finish_run(c).ok());
  CHECK(c.id == 1);
  CHECK(again->identity()->id != first_identity);
}

TEST_CASE("the timeline view gives each phase's duration and NULL for phases that did not happen") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  Run run = make_three_hop_run("cold");
  REQUIRE(db->finish_run(run).ok());

  auto rows = query(path,
                    "SELECT seq, host, status, reused, dns_ms, connect_ms, tls_ms, send_ms, wait_ms, receive_ms,"
                    " total_ms, label, started_at, error_phase, blocked_ms, resource_type, priority"
                    " FROM timeline WHERE run_id = " +
                        std::to_string(run.id) + " ORDER BY seq");
  REQUIRE(rows.size() == 3);
  using V = std::optional<std::string>;
  CHECK(rows[0] == Row{V("0"), V("b.test"), V("301"), V("0"), V("12.25"), V("1.75"), V("5.75"), V("0.25"),
                       V("14.5"), V("5.0"), V("39.5"), V("cold"), V("2026-11-25T04:38:51.123456Z"), {}, {},
                       V("document"), V("highest")});
  CHECK(rows[1] == Row{V("1"), V("b.test"), V("302"), V("1"), {}, {}, {}, V("0.25"), V("14.75"), V("4.5"),
                       V("19.75"), V("cold"), V("2026-11-25T04:38:51.123456Z"), {}, V("0.25"), V("document"),
                       V("highest")});
  CHECK(rows[2] == Row{V("2"), V("c.test"), {}, V("0"), V("0.0"), V("1.5"), {}, {}, {}, {}, V("1.5"), V("cold"),
                       V("2026-11-25T04:38:51.123456Z"), V("connect"), {}, V("document"), V("highest")});

  auto summary = query(path, "SELECT request_count, redirect_count, dns_ms, tls_ms, wait_ms, outcome,"
                             " error_class FROM run_summary WHERE run_id = " + std::to_string(run.id));
  REQUIRE(summary.size() == 1);
  CHECK(summary[0] == Row{V("3"), V("2"), V("12.25"), V("5.75"), V("29.25"), V("failed"), V("connect_refused")});
}

TEST_CASE("a failed phase is stored with ok = 0 and its error class") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  Run run = make_three_hop_run();
  REQUIRE(db->finish_run(run).ok());
  auto rows = query(path, "SELECT p.name, p.ok, p.error_class FROM phases p JOIN requests r ON r.id = p.request_id"
                          " WHERE r.seq = 2 ORDER BY p.ok DESC");
  REQUIRE(rows.size() == 2);
  CHECK(*rows[1][0] == "connect");
  CHECK(*rows[1][1] == "0");
  CHECK(rows[1][2] == std::optional<std::string>(std::string(code_name(Code::kConnectRefused))));
  CHECK(*rows[0][1] == "1");
  CHECK_FALSE(rows[0][2].has_value());
}

TEST_CASE("a run begun but never finished is listed as running") {
  ScratchDir dir;
  auto db = open_db(dir.file("runs.db"));
  Run run;
  run.url = "http://slow.test/";
  run.label = "interrupted";
  REQUIRE(db->begin_run(run).ok());
  CHECK_FALSE(run.started_at.empty());

  auto list = db->list_runs();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  const RunSummary& s = list->front();
  CHECK(s.id == run.id);
  CHECK(s.outcome == "running");
  CHECK(s.url == "http://slow.test/");
  CHECK(s.label == "interrupted");
  CHECK(s.requests == 0);
  CHECK_FALSE(s.final_status.has_value());
  CHECK_FALSE(s.total_ms.has_value());

  auto loaded = db->load_run(run.id);
  REQUIRE(loaded.ok());
  CHECK(loaded->outcome == Outcome::kRunning);
  CHECK(loaded->requests.empty());
}

TEST_CASE("list_runs returns the newest runs first and honours the limit") {
  ScratchDir dir;
  auto db = open_db(dir.file("runs.db"));
  // Written out of time order: the list follows started_at, not insertion order.
  for (int minute : {3, 1, 4, 0, 2}) {
    Run run = make_three_hop_run("m" + std::to_string(minute));
    run.started_at = "2026-11-25T04:0" + std::to_string(minute) + ":00.000000Z";
    run.final_status = 200 + minute;
    REQUIRE(db->finish_run(run).ok());
  }
  auto all = db->list_runs(0);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 5);
  for (int i = 0; i < 5; ++i) CHECK((*all)[i].label == "m" + std::to_string(4 - i));
  CHECK((*all)[0].final_status == 204);
  CHECK((*all)[0].requests == 3);
  CHECK((*all)[0].outcome == "failed");
  CHECK((*all)[0].error_class == "connect_refused");
  CHECK((*all)[0].total_ms == 95.25);

  auto two = db->list_runs(2);
  REQUIRE(two.ok());
  REQUIRE(two->size() == 2);
  CHECK((*two)[0].label == "m4");
  CHECK((*two)[1].label == "m3");

}

// Review of issues 12 and 13 (finding 9): `show latest` right after `import` showed a
// measured run, since an imported page had started before it.
TEST_CASE("latest is the run stored last, even when a run stored before it started later") {
  ScratchDir dir;
  auto db = open_db(dir.file("runs.db"));
  Run measured = make_three_hop_run("measured");
  measured.started_at = "2026-11-25T04:09:00.000000Z";
  REQUIRE(db->finish_run(measured).ok());
  Run imported = make_three_hop_run("imported");
  imported.started_at = "2026-11-25T04:01:00.000000Z";
  REQUIRE(db->finish_run(imported).ok());
  auto latest = db->latest_run_id();
  REQUIRE(latest.ok());
  CHECK(*latest == imported.id);
  auto list = db->list_runs(1);  // list stays in the order the pages started
  REQUIRE(list.ok());
  CHECK(list->at(0).id == measured.id);
}

TEST_CASE("deleting a run removes every row recorded for it") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  Run keep = make_three_hop_run("keep");
  Run drop = make_three_hop_run("drop");
  REQUIRE(db->finish_run(keep).ok());
  REQUIRE(db->finish_run(drop).ok());
  exec(path, "PRAGMA foreign_keys = ON; DELETE FROM runs WHERE label = 'drop';");
  for (const char* table : {"requests", "connections", "dns_lookups"})
    CHECK(*query(path, std::string("SELECT COUNT(DISTINCT run_id) FROM ") + table)[0][0] == "1");
  CHECK(*query(path, "SELECT COUNT(*) FROM phases")[0][0] == "12");
  CHECK(*query(path, "SELECT COUNT(*) FROM dns_queries")[0][0] == "2");
  CHECK(*query(path, "SELECT COUNT(*) FROM dns_attempts")[0][0] == "4");
  CHECK(*query(path, "SELECT COUNT(*) FROM headers")[0][0] == "8");
  CHECK(*query(path, "SELECT COUNT(*) FROM tls_steps")[0][0] == "10");
  auto loaded = db->load_run(keep.id);
  REQUIRE(loaded.ok());
  check_same(*loaded, keep);
}

TEST_CASE("DNS attempts are stored per query with their server, times and outcome, NULL where none came") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  Run run = make_three_hop_run();
  REQUIRE(db->finish_run(run).ok());
  using V = std::optional<std::string>;
  CHECK(query(path, "SELECT q.type, q.server FROM dns_queries q ORDER BY q.seq") ==
        std::vector<Row>{{V("A"), V("127.0.0.1:5353")}, {V("AAAA"), V("[::1]:5353")}});
  CHECK(query(path,
              "SELECT q.type, a.seq, a.server, a.start_ms, a.end_ms, a.duration_ms, a.outcome"
              " FROM dns_attempts a JOIN dns_queries q ON q.lookup_id = a.lookup_id AND q.seq = a.query_seq"
              " ORDER BY a.query_seq, a.seq") ==
        std::vector<Row>{{V("A"), V("0"), V("127.0.0.1:5353"), V("0.5"), V("12.0"), V("11.5"), V("NOERROR")},
                         {V("A"), V("1"), V("[::1]:5353"), V("5.5"), {}, {}, {}},
                         {V("AAAA"), V("0"), V("127.0.0.1:5353"), V("0.5"), V("0.75"), V("0.25"), V("UNREACHABLE")},
                         {V("AAAA"), V("1"), V("[::1]:5353"), V("0.75"), V("12.75"), V("12.0"), V("NODATA")}});
  // The cached lookup asked nobody: no query, no attempt.
  CHECK(*query(path, "SELECT COUNT(*) FROM dns_lookups l JOIN dns_queries q ON q.lookup_id = l.id"
                     " WHERE l.source = 'cache'")[0][0] == "0");
}

TEST_CASE("TLS steps are stored in order with their direction, and an alert's name and level only on alerts") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  Run run = make_three_hop_run();
  REQUIRE(db->finish_run(run).ok());
  using V = std::optional<std::string>;
  CHECK(query(path, "SELECT seq, direction, message, bytes, alert, fatal, after_handshake FROM tls_steps"
                    " WHERE seq IN (0, 1, 7, 8, 9) ORDER BY seq") ==
        std::vector<Row>{{V("0"), V("sent"), V("ClientHello"), V("517"), {}, {}, V("0")},
                         {V("1"), V("received"), V("ServerHello"), V("122"), {}, {}, V("0")},
                         {V("7"), V("sent"), V("Finished"), V("52"), {}, {}, V("0")},
                         {V("8"), V("received"), V("NewSessionTicket"), V("250"), {}, {}, V("1")},
                         {V("9"), V("received"), V("Alert"), V("2"), V("close_notify"), V("0"), V("1")}});
  // The connection's own columns; plain TCP has NULL in all three.
  CHECK(query(path, "SELECT scheme, tls_round_trips, tls_session_offered, tls_resumed FROM connections ORDER BY seq") ==
        std::vector<Row>{{V("https"), V("1"), V("1"), V("0")}, {V("http"), {}, {}, {}}});
}

namespace {

// A run whose one lookup walked from the root: a referral with glue, a silent server, a
// lame one, a check that sent nothing, and the answer.
Run make_traced_run() {
  Run run;
  run.url = "http://www.flaky.test/";
  run.started_at = "2026-12-01T10:00:00.000000Z";
  run.outcome = Outcome::kOk;
  DnsLookup l;
  l.host = "www.flaky.test";
  l.source = "trace";
  l.servers = {"127.0.0.53:5300"};
  l.family = 4;
  l.span = {0.25, 160.5};
  l.outcome = "NOERROR";
  DnsQuery q;
  q.type = "A";
  q.outcome = "NOERROR";
  q.span = l.span;
  q.server = "127.0.0.55:5300";
  l.queries = {q};
  DnsStep root;
  root.zone = ".";
  root.server = "127.0.0.53:5300";
  root.qname = "www.flaky.test";
  root.qtype = "A";
  root.span = {0.25, 0.5};
  root.rcode = "NOERROR";
  root.kind = "referral";
  root.referral_zone = "test";
  root.ns = {"ns1.nic.test"};
  root.glue = {{"A", "ns1.nic.test", "127.0.0.54", 172800}};
  DnsStep silent = root;
  silent.zone = "flaky.test";
  silent.server = "127.0.0.60:5300";
  silent.server_name = "ns1.flaky.test";
  silent.span = {0.75, 150.75};
  silent.rcode.clear();
  silent.kind = "timeout";
  silent.referral_zone.clear();
  silent.ns.clear();
  silent.glue.clear();
  silent.failure = Failure{Code::kDnsTimeout, "no reply in 150 ms"};
  DnsStep check = silent;
  check.server.clear();
  check.server_name.clear();
  check.depth = 1;
  check.qname = "ns2.flaky.test";
  check.span = {150.75, 150.75};
  check.kind = "error";
  check.failure = Failure{Code::kDnsReferralLoop, "ns2.flaky.test leads back to flaky.test"};
  DnsStep answer = silent;
  answer.server = "127.0.0.55:5300";
  answer.server_name = "ns3.flaky.test";
  answer.span = {150.75, 160.5};
  answer.rcode = "NOERROR";
  answer.authoritative = true;
  answer.kind = "answer";
  answer.records = {{"A", "www.flaky.test", "127.0.0.1", 300}};
  answer.failure.reset();
  l.steps = {root, silent, check, answer};
  l.answers = answer.records;
  run.dns_lookups = {l};
  Request r;
  r.method = "GET";
  r.url = run.url;
  r.host = "www.flaky.test";
  r.dns_lookup = 0;
  r.span = {0.25, 170};
  r.phases = {PhaseRecord{Phase::kDns, l.span, std::nullopt}};
  run.requests = {r};
  return run;
}

}  // namespace

TEST_CASE("a traced lookup's steps read back equal, field by field, NULL where a step had none") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  Run run = make_traced_run();
  REQUIRE(db->finish_run(run).ok());
  auto loaded = db->load_run(run.id);
  REQUIRE(loaded.ok());
  check_same(*loaded, run);
  CHECK(loaded->dns_lookups.at(0) == run.dns_lookups.at(0));

  using V = std::optional<std::string>;
  CHECK(query(path, "SELECT seq, server, zone, kind, rcode, aa, duration_ms, error_class FROM dns_steps ORDER BY seq") ==
        std::vector<Row>{{V("0"), V("127.0.0.53:5300"), V("."), V("referral"), V("NOERROR"), V("0"), V("0.25"), {}},
                         {V("1"), V("127.0.0.60:5300"), V("flaky.test"), V("timeout"), {}, {}, V("150.0"), V("dns_timeout")},
                         {V("2"), {}, V("flaky.test"), V("error"), {}, {}, V("0.0"), V("dns_referral_loop")},
                         {V("3"), V("127.0.0.55:5300"), V("flaky.test"), V("answer"), V("NOERROR"), V("1"), V("9.75"), {}}});
  // The referral's NS names and glue as JSON users can take apart.
  CHECK(query(path, "SELECT j.value FROM dns_steps, json_each(dns_steps.ns) j WHERE seq = 0") ==
        std::vector<Row>{{V("ns1.nic.test")}});
  CHECK(query(path, "SELECT g.value ->> 'value' FROM dns_steps, json_each(dns_steps.glue) g WHERE seq = 0") ==
        std::vector<Row>{{V("127.0.0.54")}});
  CHECK(*query(path, "SELECT source FROM dns_lookups")[0][0] == "trace");
}

TEST_CASE("deleting a run removes its trace steps too") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = open_db(path);
  Run run = make_traced_run();
  REQUIRE(db->finish_run(run).ok());
  REQUIRE(*query(path, "SELECT COUNT(*) FROM dns_steps")[0][0] == "4");
  exec(path, "PRAGMA foreign_keys = ON; DELETE FROM runs WHERE id = " + std::to_string(run.id));
  CHECK(*query(path, "SELECT COUNT(*) FROM dns_steps")[0][0] == "0");
}

TEST_CASE("the runs of a group read back with their group, view and number, first views first") {
  ScratchDir dir;
  auto db = open_db(dir.file("runs.db"));
  RunGroup group;
  group.url = "http://www.test/page/cache";
  group.label = "cdn-b";
  group.runs = 2;
  group.repeat_view = true;
  REQUIRE(db->create_run_group(group).ok());
  CHECK(group.id > 0);
  CHECK_FALSE(group.created_at.empty());

  // Stored in the order -n 2 --repeat-view makes them: first, repeat, first, repeat.
  std::vector<int64_t> ids;
  for (int n = 1; n <= 2; ++n)
    for (RunView v : {RunView::kFirst, RunView::kRepeat}) {
      Run run = make_three_hop_run();
      run.group_id = group.id;
      run.view = v;
      run.run_number = n;
      REQUIRE(db->begin_run(run).ok());
      REQUIRE(db->finish_run(run).ok());
      auto back = db->load_run(run.id);
      REQUIRE(back.ok());
      CHECK(*back == run);
      ids.push_back(run.id);
    }
  auto loaded = db->load_run_group(group.id);
  REQUIRE(loaded.ok());
  CHECK(loaded->group == group);
  CHECK(loaded->run_ids == std::vector<int64_t>{ids[0], ids[2], ids[1], ids[3]});

  Run alone = make_three_hop_run();
  REQUIRE(db->finish_run(alone).ok());
  auto back = db->load_run(alone.id);
  REQUIRE(back.ok());
  CHECK_FALSE(back->group_id);
  CHECK_FALSE(back->view);
  CHECK_FALSE(back->run_number);

  auto missing = db->load_run_group(group.id + 1);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kUsage);
  CHECK(missing.status().message() == "no run group " + std::to_string(group.id + 1) + " in " + db->path());
  RunGroup empty;
  empty.url = "http://www.test/";
  empty.runs = 0;
  CHECK_FALSE(db->create_run_group(empty).ok());
}
