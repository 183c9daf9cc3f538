// Writing runs. Every row of a finished run is written in one IMMEDIATE transaction by
// cached statements; in-memory indexes (Request::connection, Request::dns_lookup) become
// the row ids just inserted.
#include "store/writer.h"

#include <string>
#include <vector>

#include "core/clock.h"
#include "store/json_list.h"

namespace pageload::store::detail {
namespace {

constexpr char kInsertRun[] =
    "INSERT INTO runs (started_at, url, label, options, tool_version, library_versions, outcome, source, producer,"
    " group_id, view, run_number) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7, ?8, ?9, ?10, ?11)";

constexpr char kCompleteRun[] =
    "UPDATE runs SET started_at = ?2, url = ?3, final_url = ?4, final_status = ?5, outcome = ?6,"
    " error_class = ?7, error = ?8, total_ms = ?9, label = ?10, options = ?11, tool_version = ?12,"
    " library_versions = ?13, request_count = ?14, redirect_count = ?15, document_ms = ?16,"
    " load_ms = ?17, failed_count = ?18, transfer_bytes = ?19, decoded_bytes = ?20, warnings = ?21,"
    " proxy = ?22, source = ?23, producer = ?24, group_id = ?25, view = ?26, run_number = ?27 WHERE id = ?1";

constexpr char kInsertGroup[] =
    "INSERT INTO run_groups (created_at, url, label, runs, repeat_view) VALUES (?1, ?2, ?3, ?4, ?5)";

// Children go first: requests reference connections and lookups.
constexpr char kDeleteRequests[] = "DELETE FROM requests WHERE run_id = ?1";
constexpr char kDeleteConnections[] = "DELETE FROM connections WHERE run_id = ?1";
constexpr char kDeleteLookups[] = "DELETE FROM dns_lookups WHERE run_id = ?1";

constexpr char kInsertLookup[] =
    "INSERT INTO dns_lookups (run_id, seq, host, source, servers, family, start_ms, end_ms, outcome,"
    " ares_status, error_class, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
constexpr char kInsertQuery[] =
    "INSERT INTO dns_queries (lookup_id, seq, type, outcome, ares_status, server, start_ms, end_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr char kInsertDnsAttempt[] =
    "INSERT INTO dns_attempts (lookup_id, query_seq, seq, server, start_ms, end_ms, outcome)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kInsertStep[] =
    "INSERT INTO dns_steps (lookup_id, seq, query_seq, depth, server, server_name, zone, qname, qtype,"
    " start_ms, end_ms, rcode, aa, kind, referral_zone, ns, glue, records, error_class, error)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";
constexpr char kInsertAnswer[] =
    "INSERT INTO dns_answers (lookup_id, seq, type, name, value, ttl) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

constexpr char kInsertConnection[] =
    "INSERT INTO connections (run_id, seq, scheme, host, port, remote_ip, remote_port, local_ip,"
    " local_port, family, connect_start_ms, connect_end_ms, tls_version, tls_cipher, alpn,"
    " cert_subject, cert_issuer, cert_sans, cert_not_before, cert_not_after, verify_result,"
    " verify_message, verified, request_count, proxy, retry_reason, tls_round_trips,"
    " tls_session_offered, tls_resumed, closed_ms, closed_by, close_reason) VALUES (?1, ?2, ?3,"
    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"
    " ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)";
constexpr char kInsertTlsStep[] =
    "INSERT INTO tls_steps (connection_id, seq, direction, message, bytes, at_ms, alert, fatal,"
    " after_handshake) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr char kInsertAttempt[] =
    "INSERT INTO connect_attempts (connection_id, seq, address, port, family, error, start_ms, end_ms,"
    " after_fallback_delay) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

constexpr char kInsertRequest[] =
    "INSERT INTO requests (run_id, seq, redirect_from, method, url, scheme, host, port,"
    " connection_id, reused, dns_lookup_id, start_ms, end_ms, http_version, status, reason,"
    " location, redirect_url, header_bytes, body_bytes, body_decoded_bytes, content_type,"
    " error_phase, error_class, error, warnings, dns_ms, connect_ms, tls_ms, send_ms, wait_ms,"
    " receive_ms, resource_type, initiator_id, discovered_ms, priority, found_by, note, blocked_ms,"
    " tunnel_ms, cache_lifetime_s, cache_reason, cache_lookup, from_cache, bytes_saved)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
    " ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38,"
    " ?39, ?40, ?41, ?42, ?43, ?44, ?45)";
constexpr char kInsertPhase[] =
    "INSERT INTO phases (request_id, name, start_ms, end_ms, ok, error_class, error)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kInsertHeader[] =
    "INSERT INTO headers (request_id, direction, seq, name, value) VALUES (?1, ?2, ?3, ?4, ?5)";

// 0 stands for "not known" in the in-memory types for ports and families; NULL in SQL.
std::optional<int> nonzero(int v) { return v ? std::optional<int>(v) : std::nullopt; }

std::optional<std::string> error_class(const std::optional<Failure>& f) {
  if (!f) return std::nullopt;
  return std::string(code_name(f->code));
}
std::optional<std::string> error_text(const std::optional<Failure>& f) {
  if (!f) return std::nullopt;
  return f->message;
}

// Runs a cached statement to completion with `args` bound.
template <typename... Args>
Status execute(SqliteDb& db, const char* sql, const Args&... args) {
  auto stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->bind_all(args...).run();
}

// As execute, for an INSERT into a rowid table: the new row's id.
template <typename... Args>
StatusOr<int64_t> insert(SqliteDb& db, const char* sql, const Args&... args) {
  if (Status s = execute(db, sql, args...); !s.ok()) return s;
  return db.last_insert_rowid();
}

Status write_lookup(SqliteDb& db, int64_t run_id, int seq, const DnsLookup& l, int64_t& row_id) {
  auto id = insert(db, kInsertLookup, run_id, seq, l.host, l.source, or_null(to_json_list(l.servers)),
                   nonzero(l.family), l.span.start_ms, l.span.end_ms, or_null(l.outcome),
                   or_null(l.ares_status), error_class(l.failure), error_text(l.failure));
  if (!id.ok()) return id.status();
  row_id = *id;
  for (size_t i = 0; i < l.queries.size(); ++i) {
    const DnsQuery& q = l.queries[i];
    Status s = execute(db, kInsertQuery, row_id, i, q.type, or_null(q.outcome), or_null(q.ares_status),
                       or_null(q.server), q.span.start_ms, q.span.end_ms);
    if (!s.ok()) return s;
    for (size_t k = 0; k < q.attempts.size(); ++k) {
      const DnsAttempt& a = q.attempts[k];
      s = execute(db, kInsertDnsAttempt, row_id, i, k, a.server, a.start_ms, a.end_ms, or_null(a.outcome));
      if (!s.ok()) return s;
    }
  }
  for (size_t i = 0; i < l.steps.size(); ++i) {
    const DnsStep& t = l.steps[i];
    const bool replied = !t.rcode.empty();
    Status s = execute(db, kInsertStep, row_id, i, t.query, t.depth, or_null(t.server), or_null(t.server_name), t.zone,
                       t.qname, t.qtype, t.span.start_ms, t.span.end_ms, or_null(t.rcode),
                       replied ? std::optional<bool>(t.authoritative) : std::nullopt, t.kind, or_null(t.referral_zone),
                       or_null(to_json_list(t.ns)), or_null(to_json_records(t.glue)),
                       or_null(to_json_records(t.records)), error_class(t.failure), error_text(t.failure));
    if (!s.ok()) return s;
  }
  for (size_t i = 0; i < l.answers.size(); ++i) {
    const DnsAnswer& a = l.answers[i];
    Status s = execute(db, kInsertAnswer, row_id, i, a.type, a.name, a.value, a.ttl);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status write_connection(SqliteDb& db, int64_t run_id, int seq, const Connection& c, int64_t& row_id) {
  const TlsInfo none;
  const TlsInfo& t = c.tls ? *c.tls : none;
  const bool tls = c.tls.has_value();
  auto id = insert(
      db, kInsertConnection, run_id, seq, c.scheme, c.host, nonzero(c.port), or_null(c.remote_ip),
      nonzero(c.remote_port), or_null(c.local_ip), nonzero(c.local_port), nonzero(c.family),
      c.connect ? std::optional<double>(c.connect->start_ms) : std::nullopt,
      c.connect ? std::optional<double>(c.connect->end_ms) : std::nullopt, or_null(t.version),
      or_null(t.cipher), or_null(t.alpn), or_null(t.subject), or_null(t.issuer),
      or_null(to_json_list(t.sans)), or_null(t.not_before), or_null(t.not_after),
      tls ? std::optional<int64_t>(t.verify_result) : std::nullopt, or_null(t.verify_message),
      tls ? std::optional<bool>(t.verified) : std::nullopt, c.requests, or_null(c.proxy), or_null(c.retry_reason),
      c.tls_round_trips, c.tls_session_offered, c.tls_resumed,
      c.closed ? std::optional<double>(c.closed->at_ms) : std::nullopt,
      c.closed ? std::optional<std::string>(closed_by_name(c.closed->by)) : std::nullopt,
      c.closed ? std::optional<std::string>(close_reason_name(c.closed->reason)) : std::nullopt);
  if (!id.ok()) return id.status();
  row_id = *id;
  for (size_t i = 0; i < c.tls_steps.size(); ++i) {
    const TlsStep& step = c.tls_steps[i];
    const bool alert = step.message == "Alert";
    Status s = execute(db, kInsertTlsStep, row_id, i, step.sent() ? "sent" : "received", step.message, step.bytes,
                       step.at_ms, alert ? std::optional<std::string>(step.alert) : std::nullopt,
                       alert ? std::optional<bool>(step.fatal) : std::nullopt, step.after_handshake);
    if (!s.ok()) return s;
  }
  for (size_t i = 0; i < c.attempts.size(); ++i) {
    const ConnectAttempt& a = c.attempts[i];
    Status s = execute(db, kInsertAttempt, row_id, i, a.address, nonzero(a.port), nonzero(a.family),
                       or_null(a.error), a.span ? std::optional<double>(a.span->start_ms) : std::nullopt,
                       a.span ? std::optional<double>(a.span->end_ms) : std::nullopt,
                       a.span ? std::optional<bool>(a.after_fallback_delay) : std::nullopt);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// Maps an in-memory index to the row id written for it.
StatusOr<std::optional<int64_t>> row_of(const std::optional<int>& index, const std::vector<int64_t>& rows,
                                        const char* what, int seq) {
  if (!index) return std::optional<int64_t>();
  if (*index < 0 || static_cast<size_t>(*index) >= rows.size()) {
    return Status(Code::kInternal, "request " + std::to_string(seq) + " refers to " + what + " " +
                                       std::to_string(*index) + " of " + std::to_string(rows.size()));
  }
  return std::optional<int64_t>(rows[*index]);
}

Status write_headers(SqliteDb& db, int64_t request_id, const char* direction, const std::vector<Header>& headers) {
  for (size_t i = 0; i < headers.size(); ++i) {
    Status s = execute(db, kInsertHeader, request_id, direction, i, headers[i].first, headers[i].second);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

static_assert(kPhaseCount == 8, "requests has one *_ms column per phase: add the new one");

// The duration of phase `p` of `r`, absent when the phase did not happen.
std::optional<double> duration(const Request& r, Phase p) {
  const PhaseRecord* record = r.phase(p);
  if (!record) return std::nullopt;
  return record->span.duration_ms();
}

// Writes `r`; `request_rows` holds the rows of the requests written before it, where its
// initiator must be (a request is named by a response that came before it was found).
Status write_request(SqliteDb& db, int64_t run_id, const Request& r, const std::vector<int64_t>& connection_rows,
                     const std::vector<int64_t>& lookup_rows, std::vector<int64_t>& request_rows) {
  auto connection_id = row_of(r.connection, connection_rows, "connection", r.seq);
  if (!connection_id.ok()) return connection_id.status();
  auto lookup_id = row_of(r.dns_lookup, lookup_rows, "DNS lookup", r.seq);
  if (!lookup_id.ok()) return lookup_id.status();
  auto initiator_id = row_of(r.initiator, request_rows, "initiator request", r.seq);
  if (!initiator_id.ok()) return initiator_id.status();
  std::optional<std::string> priority;
  if (r.priority) priority = std::string(priority_name(*r.priority));
  std::optional<std::string> error_phase;
  if (r.error_phase) error_phase = std::string(phase_name(*r.error_phase));

  auto id = insert(db, kInsertRequest, run_id, r.seq, r.redirect_from, r.method, r.url, or_null(r.scheme),
                   or_null(r.host), nonzero(r.port), *connection_id, r.reused, *lookup_id, r.span.start_ms,
                   r.span.end_ms, or_null(r.http_version), r.status, or_null(r.reason), or_null(r.location),
                   or_null(r.redirect_url), r.header_bytes, r.body_bytes, r.body_decoded,
                   or_null(r.content_type), error_phase, error_class(r.failure), error_text(r.failure),
                   or_null(to_json_list(r.warnings)), duration(r, Phase::kDns), duration(r, Phase::kConnect),
                   duration(r, Phase::kTls), duration(r, Phase::kSend), duration(r, Phase::kWait),
                   duration(r, Phase::kReceive), resource_type_name(r.resource_type), *initiator_id,
                   r.discovered_ms, priority, or_null(r.found_by), or_null(r.note),
                   duration(r, Phase::kBlocked), duration(r, Phase::kTunnel), r.cache_lifetime_s,
                   or_null(r.cache_reason), or_null(r.cache_lookup), r.from_cache, r.bytes_saved);
  if (!id.ok()) return id.status();
  request_rows.push_back(*id);
  for (const PhaseRecord& p : r.phases) {
    Status s = execute(db, kInsertPhase, *id, phase_name(p.phase), p.span.start_ms, p.span.end_ms, p.ok(),
                       error_class(p.failure), error_text(p.failure));
    if (!s.ok()) return s;
  }
  if (Status s = write_headers(db, *id, "request", r.request_headers); !s.ok()) return s;
  if (Status s = write_headers(db, *id, "response", r.response_headers); !s.ok()) return s;
  return write_headers(db, *id, "trailer", r.response_trailers);
}

// runs.view: NULL for a run made alone.
TextOrNull view_or_null(const std::optional<RunView>& v) { return or_null(v ? run_view_name(*v) : std::string_view()); }

Status insert_run_row(SqliteDb& db, Run& run) {
  if (run.started_at.empty()) run.started_at = utc_now_iso8601();
  auto id = insert(db, kInsertRun, run.started_at, run.url, or_null(run.label), or_null(run.options_json),
                   or_null(run.tool_version), or_null(run.library_versions), run.source, or_null(run.producer),
                   run.group_id, view_or_null(run.view), run.run_number);
  if (!id.ok()) return id.status();
  run.id = *id;
  return Status::Ok();
}

Status complete_run_row(SqliteDb& db, const Run& run) {
  const Run::Figures f = run.figures();
  Status s = execute(db, kCompleteRun, run.id, run.started_at, run.url, or_null(run.final_url), run.final_status,
                     outcome_name(run.outcome), error_class(run.failure), error_text(run.failure), run.total_ms,
                     or_null(run.label), or_null(run.options_json), or_null(run.tool_version),
                     or_null(run.library_versions), f.requests, f.redirects, run.document_ms, run.load_ms,
                     f.failed, f.transfer_bytes, f.decoded_bytes, or_null(to_json_list(run.warnings)), or_null(run.proxy),
                     run.source, or_null(run.producer), run.group_id, view_or_null(run.view), run.run_number);
  if (!s.ok()) return s;
  if (sqlite3_changes(db.raw()) != 1) {
    return Status(Code::kUsage, "no run " + std::to_string(run.id) + " in " + db.path());
  }
  return Status::Ok();
}

// The body of write_finish, inside its transaction.
Status write_children_and_complete(SqliteDb& db, Run& run, bool insert_run) {
  if (insert_run) {
    if (Status s = insert_run_row(db, run); !s.ok()) return s;
  } else {
    for (const char* sql : {kDeleteRequests, kDeleteConnections, kDeleteLookups})
      if (Status s = execute(db, sql, run.id); !s.ok()) return s;
  }
  std::vector<int64_t> lookup_rows(run.dns_lookups.size());
  for (size_t i = 0; i < run.dns_lookups.size(); ++i)
    if (Status s = write_lookup(db, run.id, static_cast<int>(i), run.dns_lookups[i], lookup_rows[i]); !s.ok())
      return s;
  std::vector<int64_t> connection_rows(run.connections.size());
  for (size_t i = 0; i < run.connections.size(); ++i)
    if (Status s = write_connection(db, run.id, static_cast<int>(i), run.connections[i], connection_rows[i]);
        !s.ok())
      return s;
  std::vector<int64_t> request_rows;
  request_rows.reserve(run.requests.size());
  for (const Request& r : run.requests)
    if (Status s = write_request(db, run.id, r, connection_rows, lookup_rows, request_rows); !s.ok()) return s;
  return complete_run_row(db, run);
}

}  // namespace

Status write_begin(SqliteDb& db, Run& run) { return insert_run_row(db, run); }

Status write_finish(SqliteDb& db, Run& run) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  const bool inserted = run.id == 0;
  Status s = write_children_and_complete(db, run, inserted);
  if (s.ok()) s = tx.commit();
  if (!s.ok() && inserted) run.id = 0;  // the row was rolled back with everything else
  return s;
}

Status write_run_group(SqliteDb& db, RunGroup& group) {
  if (group.runs < 1) return Status(Code::kUsage, "a run group holds at least one run");
  if (group.created_at.empty()) group.created_at = utc_now_iso8601();
  auto id = insert(db, kInsertGroup, group.created_at, group.url, or_null(group.label), group.runs, group.repeat_view);
  if (!id.ok()) return id.status();
  group.id = *id;
  return Status::Ok();
}

}  // namespace pageload::store::detail
