// Reading runs. A run is read with one query per table (children joined to their run),
// in the order they were written; row ids become in-memory indexes again.
#include "store/reader.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "store/json_list.h"

namespace pageload::store::detail {
namespace {

constexpr char kSelectRun[] =
    "SELECT started_at, url, final_url, final_status, outcome, error_class, error, total_ms, label,"
    " options, tool_version, library_versions, document_ms, load_ms, warnings, proxy, source,"
    " producer, group_id, view, run_number FROM runs WHERE id = ?1";
constexpr char kSelectGroup[] = "SELECT created_at, url, label, runs, repeat_view FROM run_groups WHERE id = ?1";
// First views before repeat views, each in run_number order.
constexpr char kSelectGroupRuns[] =
    "SELECT id FROM runs WHERE group_id = ?1 ORDER BY view = 'repeat', run_number, id";
constexpr char kSelectLookups[] =
    "SELECT id, host, source, servers, family, start_ms, end_ms, outcome, ares_status, error_class, error"
    " FROM dns_lookups WHERE run_id = ?1 ORDER BY seq";
constexpr char kSelectQueries[] =
    "SELECT q.lookup_id, q.type, q.outcome, q.ares_status, q.start_ms, q.end_ms, q.server"
    " FROM dns_lookups l JOIN dns_queries q ON q.lookup_id = l.id WHERE l.run_id = ?1 ORDER BY l.seq, q.seq";
constexpr char kSelectDnsAttempts[] =
    "SELECT a.lookup_id, a.query_seq, a.server, a.start_ms, a.end_ms, a.outcome"
    " FROM dns_lookups l JOIN dns_attempts a ON a.lookup_id = l.id WHERE l.run_id = ?1"
    " ORDER BY l.seq, a.query_seq, a.seq";
constexpr char kSelectSteps[] =
    "SELECT s.lookup_id, s.query_seq, s.depth, s.server, s.server_name, s.zone, s.qname, s.qtype, s.start_ms,"
    " s.end_ms, s.rcode, s.aa, s.kind, s.referral_zone, s.ns, s.glue, s.records, s.error_class, s.error"
    " FROM dns_lookups l JOIN dns_steps s ON s.lookup_id = l.id WHERE l.run_id = ?1 ORDER BY l.seq, s.seq";
constexpr char kSelectAnswers[] =
    "SELECT a.lookup_id, a.type, a.name, a.value, a.ttl"
    " FROM dns_lookups l JOIN dns_answers a ON a.lookup_id = l.id WHERE l.run_id = ?1 ORDER BY l.seq, a.seq";
constexpr char kSelectConnections[] =
    "SELECT id, scheme, host, port, remote_ip, remote_port, local_ip, local_port, family,"
    " connect_start_ms, connect_end_ms, tls_version, tls_cipher, alpn, cert_subject, cert_issuer,"
    " cert_sans, cert_not_before, cert_not_after, verify_result, verify_message, verified, request_count,"
    " proxy, retry_reason, tls_round_trips, tls_session_offered, tls_resumed,"
    " closed_ms, closed_by, close_reason"
    " FROM connections WHERE run_id = ?1 ORDER BY seq";
constexpr char kSelectTlsSteps[] =
    "SELECT t.connection_id, t.direction, t.message, t.bytes, t.at_ms, t.alert, t.fatal, t.after_handshake"
    " FROM connections c JOIN tls_steps t ON t.connection_id = c.id WHERE c.run_id = ?1"
    " ORDER BY c.seq, t.seq";
constexpr char kSelectAttempts[] =
    "SELECT a.connection_id, a.address, a.port, a.family, a.error, a.start_ms, a.end_ms, a.after_fallback_delay"
    " FROM connections c JOIN connect_attempts a ON a.connection_id = c.id WHERE c.run_id = ?1"
    " ORDER BY c.seq, a.seq";
constexpr char kSelectRequests[] =
    "SELECT id, seq, redirect_from, method, url, scheme, host, port, connection_id, reused,"
    " dns_lookup_id, start_ms, end_ms, http_version, status, reason, location, redirect_url,"
    " header_bytes, body_bytes, body_decoded_bytes, content_type, error_phase, error_class, error,"
    " warnings, resource_type, initiator_id, discovered_ms, priority, found_by, note,"
    " cache_lifetime_s, cache_reason, cache_lookup, from_cache, bytes_saved"
    " FROM requests WHERE run_id = ?1 ORDER BY seq";
constexpr char kSelectPhases[] =
    "SELECT p.request_id, p.name, p.start_ms, p.end_ms, p.error_class, p.error"
    " FROM requests r JOIN phases p ON p.request_id = r.id WHERE r.run_id = ?1";
constexpr char kSelectHeaders[] =
    "SELECT h.request_id, h.direction, h.name, h.value"
    " FROM requests r JOIN headers h ON h.request_id = r.id WHERE r.run_id = ?1"
    " ORDER BY r.seq, h.direction, h.seq";
constexpr char kSelectSummaries[] =
    "SELECT id, started_at, url, final_url, label, outcome, error_class, final_status, total_ms,"
    " request_count, failed_count, load_ms,"
    // A certificate that did not verify on a connection a response came over (-k).
    " (SELECT COUNT(*) FROM connections c WHERE c.run_id = runs.id AND c.verified = 0"
    "   AND EXISTS (SELECT 1 FROM requests q WHERE q.connection_id = c.id AND q.status IS NOT NULL)),"
    " (SELECT c.verify_message FROM connections c WHERE c.run_id = runs.id AND c.verified = 0"
    "   AND EXISTS (SELECT 1 FROM requests q WHERE q.connection_id = c.id AND q.status IS NOT NULL)"
    "   ORDER BY c.seq LIMIT 1),"
    " source, producer, group_id, view, run_number"
    " FROM runs WHERE ?2 IS NULL OR label = ?2"
    " ORDER BY started_at DESC, id DESC LIMIT ?1";
// `latest` is the run stored last, not the one that started last: an imported HAR's page
// may have started long before the runs already stored, and `show latest` after `import`
// means the run just imported.
constexpr char kSelectLatest[] = "SELECT id FROM runs ORDER BY id DESC LIMIT 1";
constexpr char kSelectIdentity[] = "SELECT id, migrated_from FROM database_info LIMIT 1";

// Row id -> index of the element read from that row.
using IndexOf = std::unordered_map<int64_t, int>;

std::optional<int> index_of(const IndexOf& map, const std::optional<int64_t>& row) {
  if (!row) return std::nullopt;
  auto it = map.find(*row);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

// A Failure from (error_class, error) columns; absent when error_class is NULL.
std::optional<Failure> failure_at(const Statement& st, int class_col, int text_col) {
  if (st.is_null(class_col)) return std::nullopt;
  return Failure{code_from_name(st.text(class_col)), st.text(text_col)};
}

// Steps `st` (already bound) and calls on_row(st) for each row.
template <typename OnRow>
Status for_each_row(Statement& st, OnRow on_row) {
  for (;;) {
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    on_row(st);
  }
}

// Prepares `sql`, binds `run_id`, and calls on_row for each row.
template <typename OnRow>
Status query_run(SqliteDb& db, const char* sql, int64_t run_id, OnRow on_row) {
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  (*st)->bind_all(run_id);
  Status s = for_each_row(**st, on_row);
  (*st)->reset();
  return s;
}

Status read_lookups(SqliteDb& db, Run& run, IndexOf& index) {
  Status s = query_run(db, kSelectLookups, run.id, [&](const Statement& st) {
    DnsLookup l;
    l.id = static_cast<int>(run.dns_lookups.size());
    l.host = st.text(1);
    l.source = st.text(2);
    l.servers = from_json_list(st.text(3));
    l.family = st.opt_int(4).value_or(0);
    l.span = {st.real(5), st.real(6)};
    l.outcome = st.text(7);
    l.ares_status = st.text(8);
    l.failure = failure_at(st, 9, 10);
    index[st.int64(0)] = l.id;
    run.dns_lookups.push_back(std::move(l));
  });
  if (!s.ok()) return s;
  s = query_run(db, kSelectQueries, run.id, [&](const Statement& st) {
    DnsQuery q;
    q.type = st.text(1);
    q.outcome = st.text(2);
    q.ares_status = st.text(3);
    q.span = {st.real(4), st.real(5)};
    q.server = st.text(6);
    run.dns_lookups[index.at(st.int64(0))].queries.push_back(std::move(q));
  });
  if (!s.ok()) return s;
  // Queries were written with seq = their index, so query_seq finds the query again.
  s = query_run(db, kSelectDnsAttempts, run.id, [&](const Statement& st) {
    auto& queries = run.dns_lookups[index.at(st.int64(0))].queries;
    const auto query_seq = static_cast<std::size_t>(st.int64(1));
    if (query_seq >= queries.size()) return;  // the foreign key makes this unreachable
    queries[query_seq].attempts.push_back(DnsAttempt{st.text(2), st.real(3), st.opt_real(4), st.text(5)});
  });
  if (!s.ok()) return s;
  s = query_run(db, kSelectSteps, run.id, [&](const Statement& st) {
    DnsStep t;
    t.query = st.integer(1);
    t.depth = st.integer(2);
    t.server = st.text(3);
    t.server_name = st.text(4);
    t.zone = st.text(5);
    t.qname = st.text(6);
    t.qtype = st.text(7);
    t.span = {st.real(8), st.real(9)};
    t.rcode = st.text(10);
    t.authoritative = st.opt_int(11).value_or(0) != 0;
    t.kind = st.text(12);
    t.referral_zone = st.text(13);
    t.ns = from_json_list(st.text(14));
    t.glue = from_json_records(st.text(15));
    t.records = from_json_records(st.text(16));
    t.failure = failure_at(st, 17, 18);
    run.dns_lookups[index.at(st.int64(0))].steps.push_back(std::move(t));
  });
  if (!s.ok()) return s;
  return query_run(db, kSelectAnswers, run.id, [&](const Statement& st) {
    // A file written before TTLs were unsigned holds 2^31 and above as negative: the same
    // 32 bits, read back as the value the server sent.
    DnsAnswer a{st.text(1), st.text(2), st.text(3), static_cast<uint32_t>(st.int64(4))};
    run.dns_lookups[index.at(st.int64(0))].answers.push_back(std::move(a));
  });
}

Status read_connections(SqliteDb& db, Run& run, IndexOf& index) {
  Status s = query_run(db, kSelectConnections, run.id, [&](const Statement& st) {
    Connection c;
    c.id = static_cast<int>(run.connections.size());
    c.scheme = st.text(1);
    c.host = st.text(2);
    c.port = st.opt_int(3).value_or(0);
    c.remote_ip = st.text(4);
    c.remote_port = st.opt_int(5).value_or(0);
    c.local_ip = st.text(6);
    c.local_port = st.opt_int(7).value_or(0);
    c.family = st.opt_int(8).value_or(0);
    if (!st.is_null(9)) c.connect = Span{st.real(9), st.real(10)};
    if (!st.is_null(21)) {  // `verified` is set whenever a TLS handshake was made
      TlsInfo t;
      t.version = st.text(11);
      t.cipher = st.text(12);
      t.alpn = st.text(13);
      t.subject = st.text(14);
      t.issuer = st.text(15);
      t.sans = from_json_list(st.text(16));
      t.not_before = st.text(17);
      t.not_after = st.text(18);
      t.verify_result = static_cast<long>(st.int64(19));
      t.verify_message = st.text(20);
      t.verified = st.integer(21) != 0;
      c.tls = std::move(t);
    }
    c.requests = st.integer(22);
    c.proxy = st.text(23);
    c.retry_reason = st.text(24);
    c.tls_round_trips = st.opt_int(25);
    if (auto offered = st.opt_int(26)) c.tls_session_offered = *offered != 0;
    if (auto resumed = st.opt_int(27)) c.tls_resumed = *resumed != 0;
    if (!st.is_null(28))
      c.closed = ConnectionClose{st.real(28), closed_by_from_name(st.text(29)).value_or(ClosedBy::kPageload),
                                 close_reason_from_name(st.text(30)).value_or(CloseReason::kOther)};
    index[st.int64(0)] = c.id;
    run.connections.push_back(std::move(c));
  });
  if (!s.ok()) return s;
  s = query_run(db, kSelectAttempts, run.id, [&](const Statement& st) {
    ConnectAttempt a{st.text(1), st.opt_int(2).value_or(0), st.opt_int(3).value_or(0), st.text(4)};
    if (!st.is_null(5) && !st.is_null(6)) a.span = Span{st.real(5), st.real(6)};
    a.after_fallback_delay = st.opt_int(7).value_or(0) != 0;
    run.connections[index.at(st.int64(0))].attempts.push_back(std::move(a));
  });
  if (!s.ok()) return s;
  return query_run(db, kSelectTlsSteps, run.id, [&](const Statement& st) {
    TlsStep step;
    step.direction = st.text(1) == "sent" ? TlsStep::Direction::kSent : TlsStep::Direction::kReceived;
    step.message = st.text(2);
    step.bytes = st.int64(3);
    step.at_ms = st.real(4);
    step.alert = st.text(5);
    step.fatal = st.opt_int(6).value_or(0) != 0;
    step.after_handshake = st.integer(7) != 0;
    run.connections[index.at(st.int64(0))].tls_steps.push_back(std::move(step));
  });
}

Request request_from_row(const Statement& st) {
  Request r;
  r.seq = st.integer(1);
  r.redirect_from = st.opt_int(2);
  r.method = st.text(3);
  r.url = st.text(4);
  r.scheme = st.text(5);
  r.host = st.text(6);
  r.port = st.opt_int(7).value_or(0);
  r.reused = st.integer(9) != 0;
  r.span = {st.real(11), st.real(12)};
  r.http_version = st.text(13);
  r.status = st.opt_int(14);
  r.reason = st.text(15);
  r.location = st.text(16);
  r.redirect_url = st.text(17);
  r.header_bytes = st.opt_int64(18);
  r.body_bytes = st.opt_int64(19);
  r.body_decoded = st.opt_int64(20);
  r.content_type = st.text(21);
  if (!st.is_null(22)) r.error_phase = phase_from_name(st.text(22));
  r.failure = failure_at(st, 23, 24);
  r.warnings = from_json_list(st.text(25));
  r.resource_type = resource_type_from_name(st.text(26)).value_or(ResourceType::kOther);
  r.discovered_ms = st.opt_real(28);
  if (!st.is_null(29)) r.priority = priority_from_name(st.text(29));
  r.found_by = st.text(30);
  r.note = st.text(31);
  r.cache_lifetime_s = st.opt_real(32);
  r.cache_reason = st.text(33);
  r.cache_lookup = st.text(34);
  r.from_cache = st.integer(35) != 0;
  r.bytes_saved = st.opt_int64(36);
  return r;
}

Status read_requests(SqliteDb& db, Run& run, const IndexOf& connection_index, const IndexOf& lookup_index) {
  IndexOf index;
  Status s = query_run(db, kSelectRequests, run.id, [&](const Statement& st) {
    Request r = request_from_row(st);
    r.id = static_cast<int>(run.requests.size());
    r.connection = index_of(connection_index, st.opt_int64(8));
    r.dns_lookup = index_of(lookup_index, st.opt_int64(10));
    r.initiator = index_of(index, st.opt_int64(27));  // written before: found by a response before
    index[st.int64(0)] = r.id;
    run.requests.push_back(std::move(r));
  });
  if (!s.ok()) return s;
  s = query_run(db, kSelectPhases, run.id, [&](const Statement& st) {
    auto phase = phase_from_name(st.text(1));
    if (!phase) return;  // the CHECK constraint makes this unreachable
    PhaseRecord p{*phase, Span{st.real(2), st.real(3)}, failure_at(st, 4, 5)};
    run.requests[index.at(st.int64(0))].phases.push_back(std::move(p));
  });
  if (!s.ok()) return s;
  for (Request& r : run.requests)
    std::sort(r.phases.begin(), r.phases.end(),
              [](const PhaseRecord& a, const PhaseRecord& b) { return a.phase < b.phase; });
  return query_run(db, kSelectHeaders, run.id, [&](const Statement& st) {
    Request& r = run.requests[index.at(st.int64(0))];
    const std::string direction = st.text(1);
    auto& list = direction == "request"    ? r.request_headers
                 : direction == "trailer" ? r.response_trailers
                                          : r.response_headers;
    list.emplace_back(st.text(2), st.text(3));
  });
}

}  // namespace

StatusOr<Run> read_run(SqliteDb& db, int64_t id) {
  Run run;
  run.id = id;
  bool found = false;
  Status s = query_run(db, kSelectRun, id, [&](const Statement& st) {
    found = true;
    run.started_at = st.text(0);
    run.url = st.text(1);
    run.final_url = st.text(2);
    run.final_status = st.opt_int(3);
    run.outcome = outcome_from_name(st.text(4)).value_or(Outcome::kFailed);
    run.failure = failure_at(st, 5, 6);
    run.total_ms = st.opt_real(7);
    run.label = st.text(8);
    run.options_json = st.text(9);
    run.tool_version = st.text(10);
    run.library_versions = st.text(11);
    run.document_ms = st.opt_real(12);
    run.load_ms = st.opt_real(13);
    run.warnings = from_json_list(st.text(14));
    run.proxy = st.text(15);
    run.source = st.text(16);
    run.producer = st.text(17);
    run.group_id = st.opt_int64(18);
    run.view = run_view_from_name(st.text(19));
    run.run_number = st.opt_int(20);
  });
  if (!s.ok()) return s;
  if (!found) return Status(Code::kUsage, "no run " + std::to_string(id) + " in " + db.path());

  IndexOf connection_index, lookup_index;
  if (s = read_lookups(db, run, lookup_index); !s.ok()) return s;
  if (s = read_connections(db, run, connection_index); !s.ok()) return s;
  if (s = read_requests(db, run, connection_index, lookup_index); !s.ok()) return s;
  return run;
}

StatusOr<std::vector<RunSummary>> read_summaries(SqliteDb& db, int limit, const std::optional<std::string>& label) {
  auto st = db.prepare(kSelectSummaries);
  if (!st.ok()) return st.status();
  (*st)->bind_all(limit > 0 ? limit : -1, label);
  std::vector<RunSummary> out;
  Status s = for_each_row(**st, [&](const Statement& row) {
    RunSummary r;
    r.id = row.int64(0);
    r.started_at = row.text(1);
    r.url = row.text(2);
    r.final_url = row.text(3);
    r.label = row.text(4);
    r.outcome = row.text(5);
    r.error_class = row.text(6);
    r.final_status = row.opt_int(7);
    r.total_ms = row.opt_real(8);
    r.requests = row.opt_int(9).value_or(0);
    r.failed = row.opt_int(10);
    r.load_ms = row.opt_real(11);
    r.unverified_connections = row.opt_int(12).value_or(0);
    r.unverified_why = row.text(13);
    r.source = row.text(14);
    r.producer = row.text(15);
    r.group_id = row.opt_int64(16);
    r.view = run_view_from_name(row.text(17));
    r.run_number = row.opt_int(18);
    out.push_back(std::move(r));
  });
  (*st)->reset();
  if (!s.ok()) return s;
  return out;
}

StatusOr<int64_t> read_latest_id(SqliteDb& db) {
  auto st = db.prepare(kSelectLatest);
  if (!st.ok()) return st.status();
  auto row = (*st)->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status(Code::kUsage, "no runs in " + db.path());
  int64_t id = (*st)->int64(0);
  (*st)->reset();
  return id;
}

StatusOr<DatabaseIdentity> read_identity(SqliteDb& db) {
  auto st = db.prepare(kSelectIdentity);
  if (!st.ok()) return st.status();
  auto row = (*st)->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status(Code::kDatabase, "database '" + db.path() + "' has no database_info row (its id)");
  DatabaseIdentity identity;
  identity.id = (*st)->text(0);
  identity.older_than_ids = !(*st)->is_null(1);
  (*st)->reset();
  return identity;
}

StatusOr<GroupRuns> read_run_group(SqliteDb& db, int64_t id) {
  GroupRuns out;
  out.group.id = id;
  bool found = false;
  Status s = query_run(db, kSelectGroup, id, [&](const Statement& st) {
    found = true;
    out.group.created_at = st.text(0);
    out.group.url = st.text(1);
    out.group.label = st.text(2);
    out.group.runs = st.integer(3);
    out.group.repeat_view = st.integer(4) != 0;
  });
  if (!s.ok()) return s;
  if (!found) return Status(Code::kUsage, "no run group " + std::to_string(id) + " in " + db.path());
  s = query_run(db, kSelectGroupRuns, id, [&](const Statement& st) { out.run_ids.push_back(st.int64(0)); });
  if (!s.ok()) return s;
  return out;
}

}  // namespace pageload::store::detail
