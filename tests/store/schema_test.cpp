// Opening databases: schema creation, migration, and the files open() must refuse.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include <unistd.h>

#include "store/migrations.h"
#include "store/store.h"
#include "test_support.h"

using namespace pageload;
using namespace pageload::store;
using namespace pageload::store::testing;

namespace {

std::set<std::string> objects(const std::string& db, const std::string& type) {
  std::set<std::string> names;
  for (const auto& row : query(db, "SELECT name FROM sqlite_master WHERE type = '" + type + "'"))
    names.insert(*row[0]);
  return names;
}

std::string user_version(const std::string& db) { return *query(db, "PRAGMA user_version")[0][0]; }

const std::string kCurrent = std::to_string(detail::kSchemaVersion);
const std::string kNewer = std::to_string(detail::kSchemaVersion + 1);

// Every table's and view's columns as "table.column type", in order: what users' SQL sees.
std::vector<Row> columns(const std::string& db) {
  return query(db,
               "SELECT m.name || '.' || c.name || ' ' || c.type FROM sqlite_master m, pragma_table_xinfo(m.name) c"
               " WHERE m.type IN ('table', 'view') ORDER BY m.name, c.cid");
}

}  // namespace

TEST_CASE("opening a new file creates every table, view and index at the current schema version") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = Database::open(path);
  REQUIRE(db.ok());
  CHECK((*db)->path() == path);

  auto tables = objects(path, "table");
  for (const char* t : {"runs", "connections", "connect_attempts", "dns_lookups", "dns_queries", "dns_attempts",
                        "dns_answers", "dns_steps",
                        "requests", "phases", "headers", "status_codes"})
    CHECK(tables.count(t) == 1);
  auto views = objects(path, "view");
  for (const char* v : {"timeline", "run_summary", "run_hosts", "run_types", "run_phases"}) CHECK(views.count(v) == 1);
  auto indexes = objects(path, "index");
  for (const char* i : {"runs_started_at", "runs_label", "requests_host", "requests_initiator", "phases_name"})
    CHECK(indexes.count(i) == 1);
  CHECK(user_version(path) == kCurrent);
  CHECK(*query(path, "PRAGMA journal_mode")[0][0] == "wal");
}

TEST_CASE("reopening a current database changes nothing and keeps its runs") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  int64_t id = 0;
  {
    auto db = Database::open(path);
    REQUIRE(db.ok());
    Run run = make_three_hop_run();
    REQUIRE((*db)->finish_run(run).ok());
    id = run.id;
  }
  const auto schema_before = query(path, "SELECT type, name, sql FROM sqlite_master ORDER BY name");
  for (int i = 0; i < 3; ++i) {
    auto db = Database::open(path);
    REQUIRE(db.ok());
    CHECK((*db)->load_run(id).ok());
  }
  CHECK(query(path, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema_before);
  CHECK(*query(path, "SELECT COUNT(*) FROM status_codes")[0][0] == "62");
  CHECK(user_version(path) == kCurrent);
}

TEST_CASE("a zero-byte file is migrated from version 0 to the current schema") {
  ScratchDir dir;
  const std::string path = dir.file("empty.db");
  write_bytes(path, "");
  auto db = Database::open(path);
  REQUIRE(db.ok());
  CHECK(user_version(path) == kCurrent);
  CHECK(objects(path, "table").count("runs") == 1);
}

// It used to be adopted: switched to WAL mode and given pageload's tables.
TEST_CASE("another program's SQLite database is refused and left byte-for-byte unchanged") {
  ScratchDir dir;
  const std::string path = dir.file("app.db");
  exec(path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');");
  const std::string before = read_bytes(path);
  auto db = Database::open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Code::kDatabase);
  CHECK(db.status().message() == "cannot open database '" + path +
                                     "': it is another program's SQLite database (it has tables, none of pageload's)");
  CHECK(read_bytes(path) == before);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST_CASE("a file made with sqlite3 < schema.sql is taken as a pageload database") {
  ScratchDir dir;
  const std::string path = dir.file("by-hand.db");
  exec(path, read_bytes(PAGELOAD_SCHEMA_SQL));
  CHECK(user_version(path) == "0");
  auto db = Database::open(path);
  REQUIRE(db.ok());
  CHECK(user_version(path) == kCurrent);
  Run run = make_three_hop_run();
  CHECK((*db)->finish_run(run).ok());
}

TEST_CASE("a database with a newer schema version is refused and left byte-for-byte unchanged") {
  ScratchDir dir;
  const std::string path = dir.file("future.db");
  exec(path, "CREATE TABLE runs (id INTEGER PRIMARY KEY, future TEXT); PRAGMA user_version = " + kNewer + ";");
  const std::string before = read_bytes(path);

  auto db = Database::open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Code::kDatabase);
  CHECK(db.status().message() == "database schema version " + kNewer + " is newer than this pageload (" + kCurrent + ")");
  CHECK(read_bytes(path) == before);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));

  auto ro = Database::open_existing(path);
  REQUIRE_FALSE(ro.ok());
  CHECK(ro.status().message() == "database schema version " + kNewer + " is newer than this pageload (" + kCurrent + ")");
  CHECK(read_bytes(path) == before);
}

TEST_CASE("a file that is not a SQLite database is refused and left unchanged") {
  ScratchDir dir;
  const std::string path = dir.file("notes.txt");
  const std::string text = "these are my notes, not a database\n";
  write_bytes(path, text);

  auto db = Database::open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Code::kDatabase);
  CHECK(db.status().message() == "cannot open database '" + path + "': not a SQLite database");
  CHECK(read_bytes(path) == text);

  auto ro = Database::open_existing(path);
  REQUIRE_FALSE(ro.ok());
  CHECK(ro.status().message() == "cannot open database '" + path + "': not a SQLite database");
  CHECK(read_bytes(path) == text);
}

TEST_CASE("a file with a SQLite header but a damaged body is refused and left unchanged") {
  ScratchDir dir;
  const std::string path = dir.file("damaged.db");
  std::string bytes(4096, '\xAB');
  bytes.replace(0, 16, std::string("SQLite format 3\0", 16));
  write_bytes(path, bytes);
  auto db = Database::open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Code::kDatabase);
  CHECK(read_bytes(path) == bytes);
}

TEST_CASE("a database in a missing directory is an error and no file is created") {
  ScratchDir dir;
  const std::string missing = dir.file("nope");
  const std::string path = missing + "/runs.db";
  auto db = Database::open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Code::kDatabase);
  CHECK(db.status().message() ==
        "cannot open database '" + path + "': directory '" + missing + "' does not exist (No such file or directory)");
  CHECK_FALSE(std::filesystem::exists(missing));
}

TEST_CASE("opening a missing database read-only is an error and creates nothing") {
  ScratchDir dir;
  const std::string path = dir.file("absent.db");
  auto db = Database::open_existing(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Code::kDatabase);
  CHECK(db.status().message() == "cannot open database '" + path + "': file does not exist (No such file or directory)");
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a write-protected database is refused for writing but can be read") {
  if (::geteuid() == 0) return;  // root may write any file: nothing to observe
  ScratchDir dir;
  const std::string path = dir.file("ro.db");
  { REQUIRE(Database::open(path).ok()); }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read);
  auto db = Database::open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().message() == "cannot open database '" + path + "': file is read-only (Permission denied)");
  CHECK(Database::open_existing(path).ok());
}

TEST_CASE("the status_codes table covers the RFC 9110 codes and the registered extras, with classes") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  REQUIRE(Database::open(path).ok());
  std::set<int> expected = {100, 101, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
                            300, 301, 302, 303, 304, 305, 306, 307, 308, 418, 421, 422, 423, 424,
                            425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507,
                            508, 510, 511};
  for (int c = 400; c <= 417; ++c) expected.insert(c);

  std::set<int> got;
  const char* class_names[] = {"", "Informational", "Successful", "Redirection", "Client Error", "Server Error"};
  for (const auto& row : query(path, "SELECT code, class, class_name, phrase, meaning, rfc FROM status_codes")) {
    const int code = std::stoi(*row[0]);
    got.insert(code);
    INFO("code " << code);
    CHECK(*row[1] == std::to_string(code / 100) + "xx");
    CHECK(*row[2] == class_names[code / 100]);
    CHECK_FALSE(row[3]->empty());
    CHECK_FALSE(row[4]->empty());
    CHECK(row[5]->rfind("RFC ", 0) == 0);
  }
  CHECK(got == expected);
  auto not_found = query(path, "SELECT phrase, rfc FROM status_codes WHERE code = 404");
  CHECK(*not_found[0][0] == "Not Found");
  CHECK(*not_found[0][1] == "RFC 9110");
}

TEST_CASE("a newer schema in a WAL-mode database is refused without touching the file") {
  ScratchDir dir;
  const std::string path = dir.file("future-wal.db");
  exec(path, "PRAGMA journal_mode = WAL; CREATE TABLE runs (id INTEGER PRIMARY KEY); PRAGMA user_version = " +
                 kNewer + "; PRAGMA wal_checkpoint(TRUNCATE);");
  const std::string before = read_bytes(path);
  auto db = Database::open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().message() == "database schema version " + kNewer + " is newer than this pageload (" + kCurrent + ")");
  CHECK(read_bytes(path) == before);
}

TEST_CASE("an in-memory database can be opened for tests") {
  auto db = Database::open(":memory:");
  REQUIRE(db.ok());
  Run run = make_three_hop_run();
  REQUIRE((*db)->finish_run(run).ok());
  auto loaded = (*db)->load_run(run.id);
  REQUIRE(loaded.ok());
  CHECK(loaded->requests.size() == 3);
}

// A file written by version 1 (tests/store/schema_v1.sql is schema.sql as it was) must
// open, keep its runs and end up with exactly the columns a fresh file has.
TEST_CASE("a version 1 database is migrated to the current version, keeps its runs and matches a fresh file") {
  ScratchDir dir;
  const std::string old_path = dir.file("v1.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V1) + "PRAGMA user_version = 1;");
  exec(old_path,
       "INSERT INTO runs (id, started_at, url, outcome) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok');"
       "INSERT INTO dns_lookups (id, run_id, seq, host, source, start_ms, end_ms) VALUES (1, 1, 0, 'a.test', 'dns', 0, 1);"
       "INSERT INTO dns_queries (lookup_id, seq, type, start_ms, end_ms) VALUES (1, 0, 'A', 0, 1);");
  {
    auto reader = Database::open_existing(old_path);  // list/show/report migrate it too
    REQUIRE(reader.ok());
    CHECK(user_version(old_path) == kCurrent);
  }
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    auto run = (*db)->load_run(1);
    REQUIRE(run.ok());
    CHECK(run->dns_lookups.at(0).queries.at(0).server.empty());  // not known for old runs
    Run fresh = make_three_hop_run();
    REQUIRE((*db)->finish_run(fresh).ok());
  }
  CHECK(user_version(old_path) == kCurrent);
  CHECK(*query(old_path, "SELECT url FROM runs WHERE id = 1")[0][0] == "http://a.test/");

  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
}

// A file written by version 2 (tests/store/schema_v2.sql is schema.sql as it was): its
// redirect chains become documents named by the hop before them, its phases survive the
// rebuild of `phases`, and it ends up with the tables, views and indexes of a fresh file.
TEST_CASE("a version 2 database is migrated to version 3, keeps its runs and matches a fresh file") {
  ScratchDir dir;
  const std::string old_path = dir.file("v2.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V2) + "PRAGMA user_version = 2;");
  exec(old_path,
       "INSERT INTO runs (id, started_at, url, outcome, total_ms) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok', 9);"
       "INSERT INTO connections (id, run_id, seq, scheme, host, port, tls_version, verify_result, verified)"
       " VALUES (5, 1, 0, 'https', 'a.test', 443, 'TLSv1.3', 0, 1);"
       "INSERT INTO requests (id, run_id, seq, method, url, reused, start_ms, end_ms, connection_id) VALUES (10, 1, 0, 'GET', 'http://a.test/', 0, 0, 4, 5);"
       "INSERT INTO requests (id, run_id, seq, redirect_from, method, url, reused, start_ms, end_ms) VALUES (11, 1, 1, 0, 'GET', 'http://a.test/b', 1, 4, 9);"
       "INSERT INTO phases (request_id, name, start_ms, end_ms, ok) VALUES (10, 'connect', 0, 1, 1), (10, 'wait', 1, 3, 1), (11, 'wait', 4, 8, 1);");
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    CHECK(user_version(old_path) == kCurrent);
    auto run = (*db)->load_run(1);
    REQUIRE(run.ok());
    REQUIRE(run->requests.size() == 2);
    CHECK(run->requests[0].resource_type == pageload::ResourceType::kDocument);
    CHECK_FALSE(run->requests[0].initiator);
    CHECK(run->requests[1].initiator == 0);
    CHECK(run->requests[1].found_by == "redirect");
    CHECK(run->requests[0].phases.size() == 2);
    CHECK(run->load_ms == 9);
    REQUIRE(run->connections.size() == 1);
    CHECK_FALSE(run->connections[0].closed);  // how it ended was not recorded before version 3
    Run fresh = make_three_hop_run();
    REQUIRE((*db)->finish_run(fresh).ok());  // a blocked phase fits the rebuilt table
    auto back = (*db)->load_run(fresh.id);   // and TLS steps the new table
    REQUIRE(back.ok());
    CHECK(back->connections[0].tls_steps == fresh.connections[0].tls_steps);
    CHECK(back->connections[0].tls_resumed == false);
    // A connection from before: its handshake was not recorded step by step.
    CHECK(run->connections[0].tls->version == "TLSv1.3");
    CHECK(run->connections[0].tls_steps.empty());
    CHECK_FALSE(run->connections[0].tls_round_trips);
    CHECK_FALSE(run->connections[0].tls_resumed);
  }
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
  const char* objects_sql = "SELECT type, name FROM sqlite_master ORDER BY type, name";
  CHECK(query(old_path, objects_sql) == query(new_path, objects_sql));
  CHECK(*query(old_path, "SELECT COUNT(*) FROM phases WHERE duration_ms = 4")[0][0] == "1");
}

// A file written by version 3 (tests/store/schema_v3.sql is schema.sql as it was): its
// runs were measured, so they read as source 'pageload' with no producer, an imported run
// fits the new columns, and the file ends up with the columns and objects of a fresh one.
TEST_CASE("a version 3 database is migrated to version 4, its runs measured, and matches a fresh file") {
  ScratchDir dir;
  const std::string old_path = dir.file("v3.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V3) + "PRAGMA user_version = 3;");
  exec(old_path, "INSERT INTO runs (id, started_at, url, outcome, total_ms) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok', 9);");
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    CHECK(user_version(old_path) == kCurrent);
    auto run = (*db)->load_run(1);
    REQUIRE(run.ok());
    CHECK(run->source == "pageload");
    CHECK(run->producer.empty());
    Run imported = make_three_hop_run();
    imported.source = "har";
    imported.producer = "WebInspector 537.36";
    REQUIRE((*db)->finish_run(imported).ok());
    auto back = (*db)->load_run(imported.id);
    REQUIRE(back.ok());
    CHECK(back->source == "har");
    CHECK(back->producer == "WebInspector 537.36");
  }
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
  const char* objects_sql = "SELECT type, name FROM sqlite_master ORDER BY type, name";
  CHECK(query(old_path, objects_sql) == query(new_path, objects_sql));
}

// A file written by version 4 (tests/store/schema_v4.sql is schema.sql as it was): its
// runs were made alone, so they read with no group; a group's runs fit the new columns,
// and the file ends up with the columns and objects of a fresh one.
TEST_CASE("a version 4 database is migrated to version 5, its runs ungrouped, and matches a fresh file") {
  ScratchDir dir;
  const std::string old_path = dir.file("v4.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V4) + "PRAGMA user_version = 4;");
  exec(old_path, "INSERT INTO runs (id, started_at, url, outcome, total_ms) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok', 9);");
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    CHECK(user_version(old_path) == kCurrent);
    auto run = (*db)->load_run(1);
    REQUIRE(run.ok());
    CHECK_FALSE(run->group_id);
    CHECK_FALSE(run->view);
    RunGroup group;
    group.url = "http://a.test/";
    group.runs = 1;
    group.repeat_view = true;
    REQUIRE((*db)->create_run_group(group).ok());
    Run repeat = make_three_hop_run();
    repeat.group_id = group.id;
    repeat.view = RunView::kRepeat;
    repeat.run_number = 1;
    REQUIRE((*db)->finish_run(repeat).ok());
    auto back = (*db)->load_run(repeat.id);
    REQUIRE(back.ok());
    CHECK(back->view == RunView::kRepeat);
    CHECK(back->group_id == group.id);
  }
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
  const char* objects_sql = "SELECT type, name FROM sqlite_master ORDER BY type, name";
  CHECK(query(old_path, objects_sql) == query(new_path, objects_sql));
}

// A version 2 file (tests/store/schema_v2.sql) holds TTLs of 2^31 and more as the
// negative numbers c-ares's int made of them; version 3 stores what the server sent.
TEST_CASE("a version 2 database is migrated to version 3: its negative TTLs become the values sent") {
  ScratchDir dir;
  const std::string old_path = dir.file("v2.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V2) + "PRAGMA user_version = 2;");
  exec(old_path,
       "INSERT INTO runs (id, started_at, url, outcome) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok');"
       "INSERT INTO dns_lookups (id, run_id, seq, host, source, start_ms, end_ms) VALUES (1, 1, 0, 'a.test', 'dns', 0, 1);"
       "INSERT INTO dns_answers (lookup_id, seq, type, name, value, ttl) VALUES"
       " (1, 0, 'A', 'a.test', '127.0.0.1', -2147483648), (1, 1, 'A', 'a.test', '127.0.0.2', -1),"
       " (1, 2, 'A', 'a.test', '127.0.0.3', 300);");
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    auto run = (*db)->load_run(1);
    REQUIRE(run.ok());
    const auto& answers = run->dns_lookups.at(0).answers;
    REQUIRE(answers.size() == 3);
    CHECK(answers[0].ttl == 2147483648u);
    CHECK(answers[1].ttl == 4294967295u);
    CHECK(answers[2].ttl == 300u);
  }
  CHECK(user_version(old_path) == kCurrent);
  CHECK(*query(old_path, "SELECT group_concat(ttl) FROM dns_answers ORDER BY seq")[0][0] == "2147483648,4294967295,300");
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
}

// Version 3 changes the headers table's direction CHECK (trailers), which takes a rebuild
// of the table: the headers of old runs must survive it and trailers must then be
// accepted. tests/store/schema_v2.sql is schema.sql as version 2 had it.
TEST_CASE("a version 2 database is migrated to version 3: headers kept, trailers accepted, columns as fresh") {
  ScratchDir dir;
  const std::string old_path = dir.file("v2.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V2) + "PRAGMA user_version = 2;");
  exec(old_path,
       "INSERT INTO runs (id, started_at, url, outcome) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok');"
       "INSERT INTO requests (id, run_id, seq, method, url, reused, start_ms, end_ms)"
       " VALUES (1, 1, 0, 'GET', 'http://a.test/', 0, 0, 1);"
       "INSERT INTO headers (request_id, direction, seq, name, value) VALUES (1, 'request', 0, 'Host', 'a.test'),"
       " (1, 'response', 0, 'Content-Type', 'text/plain');");
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    CHECK(user_version(old_path) == kCurrent);
    auto run = (*db)->load_run(1);
    REQUIRE(run.ok());
    REQUIRE(run->requests.size() == 1);
    CHECK(run->requests[0].request_headers == std::vector<Header>{{"Host", "a.test"}});
    CHECK(run->requests[0].response_headers == std::vector<Header>{{"Content-Type", "text/plain"}});
    CHECK(run->proxy.empty());
    Run fresh = make_three_hop_run();
    fresh.requests[2].response_trailers = {{"X-Checksum", "abc"}};
    fresh.proxy = "http://127.0.0.1:3128";
    fresh.connections[0].proxy = "http://127.0.0.1:3128";
    REQUIRE((*db)->finish_run(fresh).ok());
    auto back = (*db)->load_run(fresh.id);
    REQUIRE(back.ok());
    CHECK(back->requests[2].response_trailers == fresh.requests[2].response_trailers);
    CHECK(back->proxy == fresh.proxy);
    CHECK(back->connections[0].proxy == fresh.connections[0].proxy);
  }
  // Deleting a run still cascades to its headers through the rebuilt table.
  exec(old_path, "PRAGMA foreign_keys = ON; DELETE FROM runs WHERE id = 1;");
  CHECK(*query(old_path, "SELECT COUNT(*) FROM headers WHERE request_id = 1")[0][0] == "0");

  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
  CHECK(objects(old_path, "index") == objects(new_path, "index"));
}

// dns_steps is new in version 3: a migrated file takes a traced lookup's steps, with the
// same constraints as a fresh one.
TEST_CASE("a version 2 database migrated to version 3 stores trace steps, with their kind checked") {
  ScratchDir dir;
  const std::string path = dir.file("v2.db");
  exec(path, read_bytes(PAGELOAD_SCHEMA_V2) + "PRAGMA user_version = 2;");
  REQUIRE(Database::open(path).ok());
  CHECK(user_version(path) == kCurrent);
  exec(path,
       "INSERT INTO runs (id, started_at, url) VALUES (1, '2026-12-01T00:00:00Z', 'http://www.shop.test/');"
       "INSERT INTO dns_lookups (id, run_id, seq, host, source, start_ms, end_ms) VALUES (1, 1, 0, 'www.shop.test', 'trace', 0, 2);"
       "INSERT INTO dns_queries (lookup_id, seq, type, start_ms, end_ms) VALUES (1, 0, 'A', 0, 2);"
       "INSERT INTO dns_steps (lookup_id, seq, query_seq, depth, server, zone, qname, qtype, start_ms, end_ms, kind)"
       " VALUES (1, 0, 0, 0, '127.0.0.53:5300', '.', 'www.shop.test', 'A', 0, 0.5, 'referral');");
  CHECK(*query(path, "SELECT duration_ms FROM dns_steps")[0][0] == "0.5");
  CHECK_THROWS(exec(path,
                    "INSERT INTO dns_steps (lookup_id, seq, query_seq, depth, zone, qname, qtype, start_ms, end_ms, kind)"
                    " VALUES (1, 1, 0, 0, '.', 'x', 'A', 0, 0, 'guess');"));
}

// Version 4 (issue 11): a proxy's CONNECT tunnel is a phase of its own, so `phases` and
// `requests` (its error_phase CHECK) are rebuilt; connect attempts get their times. A file
// written by version 3 (tests/store/schema_v3.sql) keeps every request, phase, header and
// the requests' links to each other, and ends up like a fresh file.
TEST_CASE("a version 3 database is migrated to version 4, keeps its requests and phases and matches a fresh file") {
  ScratchDir dir;
  const std::string old_path = dir.file("v3.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V3) + "PRAGMA user_version = 3;");
  exec(old_path,
       "INSERT INTO runs (id, started_at, url, outcome, total_ms) VALUES (1, '2026-11-01T00:00:00Z', 'https://a.test/', 'ok', 9);"
       "INSERT INTO connections (id, run_id, seq, scheme, host, port, verify_result, verified)"
       " VALUES (5, 1, 0, 'https', 'a.test', 443, 0, 1);"
       "INSERT INTO connect_attempts (connection_id, seq, address, port, family, error)"
       " VALUES (5, 0, '127.0.0.2', 443, 4, 'Connection refused'), (5, 1, '127.0.0.1', 443, 4, NULL);"
       "INSERT INTO requests (id, run_id, seq, method, url, reused, start_ms, end_ms, connection_id, error_phase,"
       " resource_type, connect_ms) VALUES (10, 1, 0, 'GET', 'https://a.test/', 0, 0, 4, 5, NULL, 'document', 1);"
       "INSERT INTO requests (id, run_id, seq, method, url, reused, start_ms, end_ms, initiator_id, error_phase,"
       " error_class) VALUES (11, 1, 1, 'GET', 'https://a.test/x.png', 1, 4, 9, 10, 'wait', 'recv_error');"
       "INSERT INTO phases (request_id, name, start_ms, end_ms, ok) VALUES (10, 'connect', 0, 1, 1), (10, 'wait', 1, 3, 1),"
       " (11, 'wait', 4, 9, 0);"
       "INSERT INTO headers (request_id, direction, seq, name, value) VALUES (10, 'response', 0, 'server', 'lab');");
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    CHECK(user_version(old_path) == kCurrent);
    auto run = (*db)->load_run(1);
    REQUIRE(run.ok());
    REQUIRE(run->requests.size() == 2);
    CHECK(run->requests[0].phases.size() == 2);
    CHECK(run->requests[0].response_headers.size() == 1);
    CHECK(run->requests[1].initiator == 0);
    CHECK(run->requests[1].error_phase == Phase::kWait);
    REQUIRE(run->connections.at(0).attempts.size() == 2);
    CHECK_FALSE(run->connections[0].attempts[0].span);  // not measured before version 4
    // A new run with a tunnel phase, a tunnel failure and timed attempts fits the rebuilt tables.
    Run fresh = make_three_hop_run();
    fresh.requests[0].phases.insert(fresh.requests[0].phases.begin() + 1,
                                    PhaseRecord{Phase::kTunnel, {1.0, 1.5}, std::nullopt});
    fresh.connections[0].attempts = {ConnectAttempt{"127.0.0.2", 443, 4, "Connection refused", Span{0.5, 0.6}, false},
                                     ConnectAttempt{"::1", 443, 6, "", Span{200.7, 200.9}, true}};
    fresh.requests[2].error_phase = Phase::kTunnel;
    REQUIRE((*db)->finish_run(fresh).ok());
    auto back = (*db)->load_run(fresh.id);
    REQUIRE(back.ok());
    CHECK(back->connections[0].attempts == fresh.connections[0].attempts);
    CHECK(back->requests[0].phase(Phase::kTunnel));
    CHECK(back->requests[2].error_phase == Phase::kTunnel);
  }
  CHECK(*query(old_path, "SELECT COUNT(*) FROM phases")[0][0] != "0");
  CHECK_FALSE(query(old_path, "SELECT tunnel_ms FROM timeline WHERE request_id = 10")[0][0]);
  CHECK(query(old_path, "PRAGMA foreign_key_check").empty());
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
  const char* objects_sql = "SELECT type, name FROM sqlite_master ORDER BY type, name";
  CHECK(query(old_path, objects_sql) == query(new_path, objects_sql));
}

// Version 4 (views): a version 3 file (tests/store/schema_v3.sql is schema.sql as it was)
// gets the views a GROUP BY comparison of pages needs, over the runs it already holds.
TEST_CASE("a version 3 database is migrated to version 4: its runs say their HTTP version, busy phase times and origins") {
  ScratchDir dir;
  const std::string old_path = dir.file("v3.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V3) + "PRAGMA user_version = 3;");
  exec(old_path,
       "INSERT INTO runs (id, started_at, url, final_url, outcome, options, label) VALUES"
       " (1, '2026-12-01T00:00:00Z', 'https://a.test/', 'https://a.test/', 'ok', '{\"http11\":true}', 'h1');"
       "INSERT INTO connections (id, run_id, seq, scheme, host, port) VALUES (5, 1, 0, 'https', 'a.test', 443),"
       " (6, 1, 1, 'https', 'a.test', 8443);"
       "INSERT INTO requests (id, run_id, seq, method, url, scheme, host, port, reused, start_ms, end_ms, connection_id,"
       " http_version, resource_type, header_bytes, body_bytes, body_decoded_bytes, blocked_ms) VALUES"
       " (10, 1, 0, 'GET', 'https://a.test/', 'https', 'a.test', 443, 0, 0, 10, 5, 'HTTP/1.1', 'document', 100, 400, 1000, NULL),"
       " (11, 1, 1, 'GET', 'https://a.test/x.png', 'https', 'a.test', 443, 1, 10, 30, 5, 'HTTP/1.1', 'image', 100, 50, 50, 15),"
       " (12, 1, 2, 'GET', 'https://a.test:8443/y.png', 'https', 'a.test', 8443, 0, 10, 40, 6, 'HTTP/1.1', 'image', 100, 50, 50, 12);"
       "INSERT INTO phases (request_id, name, start_ms, end_ms, ok) VALUES (10, 'wait', 0, 10, 1),"
       " (11, 'blocked', 10, 25, 1), (11, 'wait', 25, 30, 1), (12, 'blocked', 10, 22, 1), (12, 'wait', 22, 40, 1);");
  REQUIRE(Database::open(old_path).ok());
  CHECK(user_version(old_path) == kCurrent);
  CHECK(query(old_path, "SELECT http_version, http_versions, http11, connections, blocked_ms FROM run_summary") ==
        std::vector<Row>{Row{"HTTP/1.1", "HTTP/1.1", "1", "2", "27.0"}});
  // Blocked: 10-25 and 10-22 overlap, busy 15 ms, summed 27; wait: 0-10, 25-30 and 22-40,
  // busy 10 + 18.
  CHECK(query(old_path, "SELECT phase, busy_ms, summed_ms, requests FROM run_phases ORDER BY phase") ==
        std::vector<Row>{Row{"blocked", "15.0", "27.0", "2"}, Row{"wait", "28.0", "33.0", "3"}});
  // Two ports of one host are two origins; bodies as received beside decoded.
  CHECK(query(old_path, "SELECT origin, label, requests, header_bytes, body_bytes, decoded_bytes FROM run_hosts ORDER BY origin") ==
        std::vector<Row>{Row{"https://a.test", "h1", "2", "200", "450", "1050"},
                         Row{"https://a.test:8443", "h1", "1", "100", "50", "50"}});
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
}

TEST_CASE("run_phases sums are rounded to the microsecond, as every stored duration is") {
  // 1005.83 - 1005.1 is 0.730000000000018 in floating point: printed as such before.
  ScratchDir dir;
  const std::string path = dir.file("p.db");
  REQUIRE(Database::open(path).ok());
  exec(path,
       "INSERT INTO runs (id, started_at, url, final_url, outcome, options) VALUES"
       " (1, '2026-12-01T00:00:00Z', 'https://a.test/', 'https://a.test/', 'ok', '{}');"
       "INSERT INTO requests (id, run_id, seq, method, url, scheme, host, port, reused, start_ms, end_ms) VALUES"
       " (10, 1, 0, 'GET', 'https://a.test/', 'https', 'a.test', 443, 0, 1005.1, 1005.83);"
       "INSERT INTO phases (request_id, name, start_ms, end_ms, ok) VALUES (10, 'send', 1005.1, 1005.83, 1);");
  CHECK(query(path, "SELECT phase, busy_ms, summed_ms FROM run_phases") == std::vector<Row>{Row{"send", "0.73", "0.73"}});
}

// Version 5 (the HTTP cache, issue 12): a version 4 file (tests/store/schema_v4.sql is
// schema.sql as it was) keeps its requests, reads them as loaded without a cache, takes a
// repeat view's cache columns and ends up with the columns and objects of a fresh file.
TEST_CASE("a version 4 database is migrated to version 5: its requests had no cache and cache rows fit") {
  ScratchDir dir;
  const std::string old_path = dir.file("v4.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V4) + "PRAGMA user_version = 4;");
  exec(old_path,
       "INSERT INTO runs (id, started_at, url, outcome, total_ms) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok', 9);"
       "INSERT INTO requests (id, run_id, seq, method, url, reused, start_ms, end_ms, status)"
       " VALUES (1, 1, 0, 'GET', 'http://a.test/', 0, 0, 9, 200);");
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    CHECK(user_version(old_path) == kCurrent);
    auto run = (*db)->load_run(1);
    REQUIRE(run.ok());
    REQUIRE(run->requests.size() == 1);
    CHECK_FALSE(run->requests[0].from_cache);
    CHECK(run->requests[0].cache_lookup.empty());
    CHECK_FALSE(run->requests[0].cache_lifetime_s);
    Run repeat = make_three_hop_run();
    repeat.requests[2].from_cache = true;
    repeat.requests[2].cache_lookup = "fresh";
    repeat.requests[2].cache_reason = "max-age";
    repeat.requests[2].cache_lifetime_s = 604800;
    repeat.requests[2].bytes_saved = 1234;
    REQUIRE((*db)->finish_run(repeat).ok());
    auto back = (*db)->load_run(repeat.id);
    REQUIRE(back.ok());
    CHECK(back->requests[2] == repeat.requests[2]);
    CHECK(*query(old_path, "SELECT grade || ' ' || from_cache FROM cache_report WHERE run_id = " +
                               std::to_string(repeat.id))[0][0] == "good 1");
  }
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
  const char* objects_sql = "SELECT type, name FROM sqlite_master ORDER BY type, name";
  CHECK(query(old_path, objects_sql) == query(new_path, objects_sql));
}

// Version 6 (issue 9): a version 5 file (tests/store/schema_v5.sql is schema.sql as it was)
// stored a request cut while queued with error_phase NULL and its failed `blocked` phase row;
// after the migration its error_phase says `blocked`, new rows may say it, the views work
// and the file has the columns and objects of a fresh one.
TEST_CASE("a version 5 database is migrated to version 6: a request cut while queued failed in blocked") {
  ScratchDir dir;
  const std::string old_path = dir.file("v5.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V5) + "PRAGMA user_version = 5;");
  exec(old_path,
       "INSERT INTO runs (id, started_at, url, outcome, total_ms) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'failed', 9);"
       "INSERT INTO requests (id, run_id, seq, method, url, reused, start_ms, end_ms, status, error_class, error)"
       " VALUES (1, 1, 0, 'GET', 'http://a.test/', 0, 0, 9, NULL, 'timeout', 'cut');"
       "INSERT INTO requests (id, run_id, seq, method, url, reused, start_ms, end_ms, status, error_phase, error_class)"
       " VALUES (2, 1, 1, 'GET', 'http://a.test/x', 0, 0, 9, NULL, 'wait', 'timeout');"
       "INSERT INTO phases (request_id, name, start_ms, end_ms, ok, error_class) VALUES (1, 'blocked', 0, 9, 0, 'timeout');"
       "INSERT INTO phases (request_id, name, start_ms, end_ms, ok) VALUES (2, 'blocked', 0, 1, 1);"
       "INSERT INTO phases (request_id, name, start_ms, end_ms, ok, error_class) VALUES (2, 'wait', 1, 9, 0, 'timeout');");
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    CHECK(user_version(old_path) == kCurrent);
    CHECK(query(old_path, "SELECT id, error_phase FROM requests ORDER BY id") ==
          std::vector<Row>{Row{"1", "blocked"}, Row{"2", "wait"}});
    auto run = (*db)->load_run(1);
    REQUIRE(run.ok());
    CHECK(run->requests.at(0).error_phase == Phase::kBlocked);
    Run cut = make_three_hop_run();
    Request& last = cut.requests.back();
    last.phases = {PhaseRecord{Phase::kBlocked, last.span, Failure{Code::kTimeout, "cut"}}};
    last.failure = Failure{Code::kTimeout, "cut"};
    last.error_phase = Phase::kBlocked;
    last.status.reset();
    REQUIRE((*db)->finish_run(cut).ok());
    auto back = (*db)->load_run(cut.id);
    REQUIRE(back.ok());
    CHECK(back->requests.back().error_phase == Phase::kBlocked);
    CHECK(query(old_path, "SELECT COUNT(*) FROM timeline WHERE run_id = 1")[0][0] == "2");
  }
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
  const char* objects_sql = "SELECT type, name FROM sqlite_master ORDER BY type, name";
  CHECK(query(old_path, objects_sql) == query(new_path, objects_sql));
  const char* table_sql = "SELECT sql FROM sqlite_master WHERE name = 'requests'";
  CHECK(query(old_path, table_sql).at(0).at(0)->find("'blocked'") != std::string::npos);
}

// Version 7: a version 6 file (tests/store/schema_v6.sql is schema.sql as it was) gets the
// database's own row, a random id that stays, and the objects of a fresh file.
TEST_CASE("a version 6 database is migrated to version 7: it gets its own random id, kept from then on") {
  ScratchDir dir;
  const std::string old_path = dir.file("v6.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V6) + "PRAGMA user_version = 6;");
  exec(old_path, "INSERT INTO runs (id, started_at, url, outcome) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok');");
  std::string id;
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    CHECK(user_version(old_path) == kCurrent);
    id = (*db)->identity()->id;
    CHECK(id.size() == 32);
    CHECK((*db)->identity()->older_than_ids);  // its reports carry the mark of its path
    CHECK((*db)->load_run(1).ok());
  }
  CHECK(Database::open_existing(old_path).value()->identity()->id == id);  // opened again: the same
  CHECK(query(old_path, "SELECT COUNT(*) FROM database_info")[0][0] == "1");
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(Database::open_existing(new_path).value()->identity()->id != id);
  CHECK_FALSE(Database::open_existing(new_path).value()->identity()->older_than_ids);
  CHECK(columns(old_path) == columns(new_path));
  const char* objects_sql = "SELECT type, name FROM sqlite_master ORDER BY type, name";
  CHECK(query(old_path, objects_sql) == query(new_path, objects_sql));
}

TEST_CASE("checks_as_or_chains writes an IN list of three or more quoted values as ORs, and nothing else") {
  using detail::checks_as_or_chains;
  CHECK(checks_as_or_chains("CREATE TABLE h (d TEXT NOT NULL CHECK (d IN ('a', 'b', 'c')), v TEXT)") ==
        "CREATE TABLE h (d TEXT NOT NULL CHECK (d = 'a' OR d = 'b' OR d = 'c'), v TEXT)");
  // Across lines, with a quote doubled inside a value, and two lists in one statement.
  CHECK(checks_as_or_chains("CREATE TABLE t (\n  k TEXT CHECK (k IN ('x''y', 'z',\n                      'w')),\n"
                            "  o TEXT CHECK (o IN ('p', 'q', 'r', 's'))  -- note\n)") ==
        "CREATE TABLE t (\n  k TEXT CHECK (k = 'x''y' OR k = 'z' OR k = 'w'),\n"
        "  o TEXT CHECK (o = 'p' OR o = 'q' OR o = 'r' OR o = 's')  -- note\n)");
  // Two values, numbers, and an IN that is not a CHECK of its own are left as they are.
  for (const char* kept : {"CREATE TABLE t (b TEXT CHECK (b IN ('server', 'pageload')))",
                           "CREATE TABLE t (f INTEGER CHECK (f IN (0, 1)))",
                           "CREATE TABLE t (n INTEGER CHECK (n IN (1, 2, 3)))",
                           "CREATE TABLE t (a TEXT, CHECK (a IS NULL OR a IN ('a', 'b', 'c')))"})
    CHECK(checks_as_or_chains(kept) == kept);
}

// Every CHECK of schema.sql names its values so that SQLite checks a row without building a
// temporary index (v8): nothing is left for checks_as_or_chains to rewrite.
TEST_CASE("no table of a fresh database checks a column against an IN list of three or more values") {
  ScratchDir dir;
  const std::string path = dir.file("fresh.db");
  REQUIRE(Database::open(path).ok());
  const auto tables = query(path, "SELECT name, sql FROM sqlite_master WHERE type = 'table'");
  REQUIRE(tables.size() > 10);
  for (const auto& t : tables) {
    INFO(*t[0]);
    CHECK(detail::checks_as_or_chains(*t[1]) == *t[1]);
  }
}

// Version 8: a version 7 file (tests/store/schema_v7.sql is schema.sql as it was) has its
// IN-list CHECKs rewritten in place: rows kept, the same values accepted and refused.
TEST_CASE("a version 7 database is migrated to version 8: its CHECKs accept and refuse what they did") {
  ScratchDir dir;
  const std::string old_path = dir.file("v7.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V7) + "PRAGMA user_version = 7;");
  exec(old_path,
       "INSERT INTO runs (id, started_at, url, outcome) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok');"
       "INSERT INTO requests (id, run_id, seq, method, url, reused, start_ms, end_ms, resource_type, priority, cache_reason)"
       " VALUES (1, 1, 0, 'GET', 'http://a.test/', 0, 0, 3, 'document', 'highest', 'must-revalidate');"
       "INSERT INTO phases (request_id, name, start_ms, end_ms, ok) VALUES (1, 'wait', 1, 2, 1);"
       "INSERT INTO headers (request_id, direction, seq, name, value) VALUES (1, 'trailer', 0, 'X', 'y');");
  const std::string id = *query(old_path, "SELECT id FROM database_info")[0][0];
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    CHECK((*db)->load_run(1).ok());
  }
  CHECK(user_version(old_path) == kCurrent);
  CHECK(*query(old_path, "SELECT id FROM database_info")[0][0] == id);
  CHECK(*query(old_path, "PRAGMA quick_check")[0][0] == "ok");
  for (const auto& t : query(old_path, "SELECT name, sql FROM sqlite_master WHERE type = 'table'")) {
    INFO(*t[0]);
    CHECK(detail::checks_as_or_chains(*t[1]) == *t[1]);
  }
  // What the lists allowed is allowed, what they refused is refused.
  exec(old_path, "INSERT INTO headers (request_id, direction, seq, name, value) VALUES (1, 'request', 0, 'A', 'b');");
  for (const char* refused :
       {"INSERT INTO headers (request_id, direction, seq, name, value) VALUES (1, 'sideways', 1, 'A', 'b')",
        "UPDATE requests SET resource_type = 'document ' WHERE id = 1", "UPDATE requests SET priority = 'urgent' WHERE id = 1",
        "INSERT INTO phases (request_id, name, start_ms, end_ms, ok) VALUES (1, 'think', 1, 2, 1)",
        "UPDATE runs SET outcome = 'maybe' WHERE id = 1"}) {
    INFO(refused);
    CHECK_THROWS_WITH(exec(old_path, refused), Catch::Contains("CHECK constraint failed"));
  }
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  CHECK(columns(old_path) == columns(new_path));
  const char* objects_sql = "SELECT type, name FROM sqlite_master ORDER BY type, name";
  CHECK(query(old_path, objects_sql) == query(new_path, objects_sql));
}

// A version 7 file that cannot be migrated (read-only) is read as it is: version 8 changed no
// column. Root writes through file modes, so the immutable attribute makes it read-only.
TEST_CASE("a read-only version 7 database is read as it is, not refused") {
  ScratchDir dir;
  const std::string path = dir.file("v7ro.db");
  exec(path, read_bytes(PAGELOAD_SCHEMA_V7) + "PRAGMA user_version = 7;" +
                 "INSERT INTO runs (id, started_at, url, outcome) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok');");
  const std::string before = read_bytes(path);
  const bool root = ::geteuid() == 0;
  if (root ? std::system(("chattr +i '" + path + "' 2>/dev/null").c_str()) != 0
           : !std::filesystem::exists(path)) {
    WARN("chattr +i is not supported here: nothing to observe");
    return;
  }
  if (!root) std::filesystem::permissions(path, std::filesystem::perms::owner_read);
  struct Writable {  // the scratch directory must be removable whatever happens below
    std::string path;
    bool root;
    ~Writable() {
      if (root) (void)!std::system(("chattr -i '" + path + "'").c_str());
    }
  };
  {
    Writable writable{path, root};
    auto db = Database::open_existing(path);
    REQUIRE(db.ok());
    CHECK((*db)->load_run(1).ok());
    CHECK((*db)->identity().ok());
    CHECK(user_version(path) == "7");  // not migrated
  }
  CHECK(read_bytes(path) == before);
}
