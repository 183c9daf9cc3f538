#include "store/migrations.h"

#include <array>
#include <string>

namespace pageload::embedded {
extern const char schema_sql[];
extern const std::size_t schema_sql_size;
}  // namespace pageload::embedded

namespace pageload::store::detail {

namespace {

// Version 2: which DNS server answered each query, and every message a query sent.
constexpr char kToVersion2[] = R"sql(
ALTER TABLE dns_queries ADD COLUMN server TEXT;
-- Every message a query sent, in order: the first try, retransmits, and the moves to the
-- next server after a timeout or an error.
CREATE TABLE IF NOT EXISTS dns_attempts (
  lookup_id   INTEGER NOT NULL,
  query_seq   INTEGER NOT NULL,       -- dns_queries.seq
  seq         INTEGER NOT NULL,
  server      TEXT NOT NULL,          -- "ADDR:PORT" sent to
  start_ms    REAL NOT NULL,          -- sent
  end_ms      REAL,                   -- the reply or error came, or the resolver gave up;
                                      -- NULL: nothing came before another server's reply
  duration_ms REAL GENERATED ALWAYS AS (end_ms - start_ms) STORED,
  -- The reply's: NOERROR, NODATA, NXDOMAIN, SERVFAIL, REFUSED, FORMERR, NOTIMP, RCODE<n>,
  -- BADREPLY, TRUNCATED (asked again over TCP). No reply: TIMEOUT, UNREACHABLE (ICMP:
  -- nothing listens there), ERROR (another socket error). NULL together with end_ms.
  outcome     TEXT,
  PRIMARY KEY (lookup_id, query_seq, seq),
  FOREIGN KEY (lookup_id, query_seq) REFERENCES dns_queries(lookup_id, seq) ON DELETE CASCADE
) WITHOUT ROWID;
)sql";

// Version 3:
//  - page loads: what each request fetched, who asked for it, its priority and queueing,
//    and the page's own figures; `phases` is rebuilt because its CHECK gains 'blocked';
//  - DNS TTLs as the unsigned 32-bit values servers send (a TTL of 2^31 or more was stored
//    negative: c-ares hands TTLs over as int);
//  - the proxy a run and a connection went through, why curl gave a connection up and
//    retried, how each connection ended (when, who closed first, why), and trailer fields
//    as a header direction of their own (`headers` is rebuilt for its CHECK; nothing refers
//    to it);
//  - the TLS handshake step by step (tls_steps), its round trips and resumption.
//  - every step of a walk from the root (--dns-trace): dns_steps.
// New columns are added in the order schema.sql lists them, so a migrated file matches a
// fresh one. Views and indexes are not here: schema.sql, run again after the migrations,
// recreates them.
constexpr char kToVersion3[] = R"sql(
ALTER TABLE runs ADD COLUMN document_ms REAL;
ALTER TABLE runs ADD COLUMN load_ms REAL;
ALTER TABLE runs ADD COLUMN failed_count INTEGER;
ALTER TABLE runs ADD COLUMN transfer_bytes INTEGER;
ALTER TABLE runs ADD COLUMN decoded_bytes INTEGER;
ALTER TABLE runs ADD COLUMN warnings TEXT;
ALTER TABLE runs ADD COLUMN proxy TEXT;
ALTER TABLE connections ADD COLUMN proxy TEXT;
ALTER TABLE connections ADD COLUMN retry_reason TEXT;
ALTER TABLE requests ADD COLUMN resource_type TEXT CHECK (resource_type IN ('document', 'stylesheet',
  'script', 'image', 'font', 'media', 'other'));
ALTER TABLE requests ADD COLUMN initiator_id INTEGER REFERENCES requests(id);
ALTER TABLE requests ADD COLUMN discovered_ms REAL;
ALTER TABLE requests ADD COLUMN priority TEXT CHECK (priority IN ('highest', 'high', 'medium', 'low', 'lowest'));
ALTER TABLE requests ADD COLUMN found_by TEXT;
ALTER TABLE requests ADD COLUMN note TEXT;
ALTER TABLE requests ADD COLUMN blocked_ms REAL;
-- Every earlier run loaded one document's redirect chain: each hop fetched a document and
-- was named by the hop before it.
UPDATE requests SET resource_type = 'document', found_by = CASE WHEN redirect_from IS NULL
  THEN NULL ELSE 'redirect' END,
  initiator_id = (SELECT p.id FROM requests p WHERE p.run_id = requests.run_id
                  AND p.seq = requests.redirect_from);
UPDATE runs SET document_ms = total_ms, load_ms = total_ms WHERE outcome <> 'running';
CREATE TABLE phases_v3 (
  request_id  INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
  name        TEXT NOT NULL CHECK (name IN ('blocked', 'dns', 'connect', 'tls', 'send', 'wait',
                                        'receive')),
  start_ms    REAL NOT NULL,
  end_ms      REAL NOT NULL,
  duration_ms REAL GENERATED ALWAYS AS (end_ms - start_ms) STORED,
  ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),  -- 0: the request failed in this phase
  error_class TEXT,
  error       TEXT,
  PRIMARY KEY (request_id, name)
) WITHOUT ROWID;
INSERT INTO phases_v3 (request_id, name, start_ms, end_ms, ok, error_class, error)
  SELECT request_id, name, start_ms, end_ms, ok, error_class, error FROM phases;
DROP TABLE phases;
ALTER TABLE phases_v3 RENAME TO phases;
UPDATE dns_answers SET ttl = ttl + 4294967296 WHERE ttl < 0;
CREATE TABLE headers_v3 (
  request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
  direction  TEXT NOT NULL CHECK (direction IN ('request', 'response', 'trailer')),
  seq        INTEGER NOT NULL,
  name       TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (request_id, direction, seq)
) WITHOUT ROWID;
INSERT INTO headers_v3 (request_id, direction, seq, name, value)
  SELECT request_id, direction, seq, name, value FROM headers;
DROP TABLE headers;
ALTER TABLE headers_v3 RENAME TO headers;
-- The TLS handshake step by step: every message of each connection's handshake, its round
-- trips and whether it resumed an earlier session.
ALTER TABLE connections ADD COLUMN tls_round_trips INTEGER;
ALTER TABLE connections ADD COLUMN tls_session_offered INTEGER CHECK (tls_session_offered IN (0, 1));
ALTER TABLE connections ADD COLUMN tls_resumed INTEGER CHECK (tls_resumed IN (0, 1));
-- How each connection ended: when, who closed first (TIME_WAIT), why.
ALTER TABLE connections ADD COLUMN closed_ms REAL;
ALTER TABLE connections ADD COLUMN closed_by TEXT CHECK (closed_by IN ('server', 'pageload'));
ALTER TABLE connections ADD COLUMN close_reason TEXT CHECK (close_reason IN ('connection_close',
  'server_closed', 'reset', 'end_of_page', 'no_keepalive', 'other'));
CREATE TABLE IF NOT EXISTS tls_steps (
  connection_id   INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
  message         TEXT NOT NULL,
  bytes           INTEGER NOT NULL,
  at_ms           REAL NOT NULL,
  alert           TEXT,
  fatal           INTEGER CHECK (fatal IN (0, 1)),
  after_handshake INTEGER NOT NULL CHECK (after_handshake IN (0, 1)),
  PRIMARY KEY (connection_id, seq)
) WITHOUT ROWID;

-- Every query of a walk from the root (--dns-trace: dns_lookups.source = 'trace'), in
-- the order sent: the A and AAAA walks, and the walks finding name servers' addresses. A
-- step the walk could not use (lame, silent, unreachable, a referral back up, a bound
-- reached) is kind 'error' or 'timeout' with its error_class; a check that sent nothing
-- (a name server only findable through its own zone) has no server.
CREATE TABLE IF NOT EXISTS dns_steps (
  lookup_id     INTEGER NOT NULL,
  seq           INTEGER NOT NULL,
  query_seq     INTEGER NOT NULL,       -- dns_queries.seq: the walk (A or AAAA) it served
  depth         INTEGER NOT NULL,       -- 0: the host's own walk; 1 and up: finding the
                                        -- address of a name server given without glue
  server        TEXT,                   -- "ADDR:PORT" asked; NULL: a check that sent nothing
  server_name   TEXT,                   -- the NS name of that address; NULL for a --dns-root
  zone          TEXT NOT NULL,          -- the zone the server was asked as: '.', 'test', ...
  qname         TEXT NOT NULL,
  qtype         TEXT NOT NULL,          -- 'A' or 'AAAA'
  start_ms      REAL NOT NULL,          -- sent
  end_ms        REAL NOT NULL,          -- the reply, or when the walk stopped waiting
  duration_ms   REAL GENERATED ALWAYS AS (end_ms - start_ms) STORED,
  rcode         TEXT,                   -- the reply's: NOERROR, NXDOMAIN, REFUSED...; NULL: none
  aa            INTEGER CHECK (aa IN (0, 1)),  -- the reply's AA bit (authoritative); NULL: none
  kind          TEXT NOT NULL CHECK (kind IN ('referral', 'answer', 'cname', 'nxdomain', 'nodata',
                                              'error', 'timeout')),
  referral_zone TEXT,                   -- a referral's: the zone it hands the walk to,
  ns            TEXT,                   -- its NS names (JSON array)
  glue          TEXT,                   -- and their addresses it gave (JSON [{type, name, value, ttl}])
  records       TEXT,                   -- an answer's or cname's records used (JSON, as glue)
  error_class   TEXT,                   -- why the walk could not use it: dns_lame_delegation,
                                        -- dns_unreachable, dns_timeout, dns_referral_loop, ...
  error         TEXT,
  PRIMARY KEY (lookup_id, seq),
  FOREIGN KEY (lookup_id, query_seq) REFERENCES dns_queries(lookup_id, seq) ON DELETE CASCADE
) WITHOUT ROWID;
)sql";

// ---- Version 4, part "report10" (views only) ----
// run_summary gains http_version, http_versions, http11, connections and decoded_bytes;
// run_hosts groups by origin (scheme, host, port) and gains origin, label, http_versions,
// header_bytes and body_bytes; run_types gains label, header_bytes and body_bytes; the new
// run_phases gives each phase's busy (union) and summed time. No table changes: schema.sql,
// run after the migrations, recreates the views. Other branches' v4 pieces go beside this.
constexpr char kToVersion4[] = R"sql(
-- report10: views only (see schema.sql: run_summary, run_hosts, run_types, run_phases)
)sql";
// ---- end of version 4, part "report10" ----

}  // namespace

std::span<const Migration> migrations() {
  // To change the schema: edit schema.sql (the whole current schema, for fresh files),
  // bump kSchemaVersion, and add {N, "ALTER TABLE ...; ..."} taking version N-1 to N.
  static const std::array<Migration, 3> kMigrations{{
      {2, kToVersion2},
      {3, kToVersion3},
      {4, kToVersion4},
  }};
  static_assert(kSchemaVersion == 4, "add a migration for the new schema version");
  return kMigrations;
}

StatusOr<int> schema_version(SqliteDb& db) {
  auto v = db.query_int("PRAGMA user_version");
  if (!v.ok()) return v.status();
  return static_cast<int>(*v);
}

Status check_not_newer(int version) {
  if (version <= kSchemaVersion) return Status::Ok();
  return db_error("database schema version " + std::to_string(version) +
                  " is newer than this pageload (" + std::to_string(kSchemaVersion) + ")");
}

Status migrate(SqliteDb& db) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  auto version = schema_version(db);
  if (!version.ok()) return version.status();
  if (Status s = check_not_newer(*version); !s.ok()) return s;
  if (*version == kSchemaVersion) return Status::Ok();  // someone else got here first

  if (*version == 0) {
    if (Status s = db.exec(pageload::embedded::schema_sql); !s.ok())
      return db_error("creating the schema in database '" + db.path() + "': " + s.message());
  }
  if (*version > 0) {
    for (const Migration& m : migrations()) {
      if (m.version <= *version) continue;
      if (Status s = db.exec(m.sql); !s.ok()) {
        return db_error("migrating database '" + db.path() + "' to schema version " +
                        std::to_string(m.version) + ": " + s.message());
      }
    }
    // The migrations change tables; schema.sql (idempotent) brings the views, indexes and
    // reference rows to this version.
    if (Status s = db.exec(pageload::embedded::schema_sql); !s.ok())
      return db_error("updating the schema of database '" + db.path() + "': " + s.message());
  }
  // PRAGMA takes no bound parameters; the value is our own compile-time constant.
  const std::string set_version = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
  if (Status s = db.exec(set_version.c_str()); !s.ok()) return s;
  return tx.commit();
}

}  // namespace pageload::store::detail
