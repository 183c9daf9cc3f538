#include "store/migrations.h"

#include <array>
#include <regex>
#include <string>
#include <utility>
#include <vector>

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


// Version 4, one migration for three branches:
//  - issue 11 (proxies, address attempts): an https request's CONNECT tunnel through a proxy
//    is a phase of its own ('tunnel'): `requests` is rebuilt for its error_phase CHECK and a
//    tunnel_ms column at its end (the views that read it are dropped first, as a rename
//    checks them, and schema.sql recreates them); connect_attempts gets when each address
//    was tried, for how long, and whether curl's happy-eyeballs delay started it;
//  - issue 11 (batches and reports): every generated duration_ms is ROUND(end_ms -
//    start_ms, 3), the clock's microsecond (it showed binary fraction error such as
//    0.023999999999999966): a generated column cannot be altered, so the five tables that
//    have one are rebuilt (create, copy, drop, rename), `phases` with the tunnel's CHECK;
//  - issue 10 (views only): run_summary says each run's HTTP version(s) and connections, run_hosts
//    groups by origin with the label, run_types has the label, run_phases is new; the views
//    are dropped here and schema.sql, run after the migrations, recreates them;
//  - issue 13: where a run comes from (measured, or imported from a HAR file) and its producer.
// migrate() runs this with foreign keys off, as SQLite's rebuild procedure asks (a dropped
// parent would otherwise cascade into its children), and checks them before it commits.
constexpr char kToVersion4[] = R"sql(
DROP VIEW IF EXISTS timeline;
DROP VIEW IF EXISTS run_hosts;
DROP VIEW IF EXISTS run_types;
DROP VIEW IF EXISTS run_summary;
CREATE TABLE requests_v4 (
  id                 INTEGER PRIMARY KEY,
  run_id             INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq                INTEGER NOT NULL,
  redirect_from      INTEGER,          -- seq of the hop that led here; NULL for the first
  method             TEXT NOT NULL,
  url                TEXT NOT NULL,
  scheme             TEXT,
  host               TEXT,
  port               INTEGER,
  connection_id      INTEGER REFERENCES connections(id),  -- NULL if no connection was made
  reused             INTEGER NOT NULL CHECK (reused IN (0, 1)),
  dns_lookup_id      INTEGER REFERENCES dns_lookups(id),  -- NULL if no lookup was made
  start_ms           REAL NOT NULL,
  end_ms             REAL NOT NULL,
  -- Each phase's duration, NULL when the phase did not happen: copies of
  -- phases.duration_ms written in the same transaction, so that `timeline` is a plain
  -- scan of this table (six index seeks per request made a GROUP BY over 100,000 runs
  -- three times slower). `phases` stays the full record (spans, ok, errors).
  dns_ms             REAL,
  connect_ms         REAL,
  tls_ms             REAL,
  send_ms            REAL,
  wait_ms            REAL,
  receive_ms         REAL,
  http_version       TEXT,             -- 'HTTP/1.1', 'HTTP/2'
  status             INTEGER,          -- NULL when no response arrived
  reason             TEXT,
  location           TEXT,             -- raw Location header
  redirect_url       TEXT,             -- Location resolved against url
  header_bytes       INTEGER,
  body_bytes         INTEGER,          -- on the wire
  body_decoded_bytes INTEGER,          -- after content decoding
  content_type       TEXT,
  error_phase        TEXT CHECK (error_phase IN ('dns', 'connect', 'tunnel', 'tls', 'send', 'wait',
                                                 'receive')),
  error_class        TEXT,
  error              TEXT,
  warnings           TEXT,             -- JSON array; NULL when none
  -- The page (v3): what was fetched, who asked for it, when it was found and how urgent.
  resource_type      TEXT CHECK (resource_type IN ('document', 'stylesheet', 'script', 'image',
                                                   'font', 'media', 'other')),
  initiator_id       INTEGER REFERENCES requests(id),  -- the request whose response named this
                                                       -- one; NULL only for the page's first
  discovered_ms      REAL,             -- when the page found it
  priority           TEXT CHECK (priority IN ('highest', 'high', 'medium', 'low', 'lowest')),
  found_by           TEXT,             -- 'link rel=stylesheet', 'css @import', 'redirect', ...
  note               TEXT,             -- a caveat of how it was found
  blocked_ms         REAL,             -- queued for a connection or stream (HAR's blocked)
  tunnel_ms          REAL,             -- an https request's CONNECT through a proxy (v4)
  UNIQUE (run_id, seq)
);
INSERT INTO requests_v4 (id, run_id, seq, redirect_from, method, url, scheme, host, port,
    connection_id, reused, dns_lookup_id, start_ms, end_ms, dns_ms, connect_ms, tls_ms,
    send_ms, wait_ms, receive_ms, http_version, status, reason, location, redirect_url,
    header_bytes, body_bytes, body_decoded_bytes, content_type, error_phase, error_class,
    error, warnings, resource_type, initiator_id, discovered_ms, priority, found_by, note,
    blocked_ms)
  SELECT id, run_id, seq, redirect_from, method, url, scheme, host, port, connection_id,
    reused, dns_lookup_id, start_ms, end_ms, dns_ms, connect_ms, tls_ms, send_ms, wait_ms,
    receive_ms, http_version, status, reason, location, redirect_url, header_bytes, body_bytes,
    body_decoded_bytes, content_type, error_phase, error_class, error, warnings, resource_type,
    initiator_id, discovered_ms, priority, found_by, note, blocked_ms FROM requests;
DROP TABLE requests;
ALTER TABLE requests_v4 RENAME TO requests;
CREATE TABLE dns_lookups_v4 (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  host        TEXT NOT NULL,
  source      TEXT NOT NULL,
  servers     TEXT,
  family      INTEGER,
  start_ms    REAL NOT NULL,
  end_ms      REAL NOT NULL,
  duration_ms REAL GENERATED ALWAYS AS (ROUND(end_ms - start_ms, 3)) STORED,
  outcome     TEXT,
  ares_status TEXT,
  error_class TEXT,
  error       TEXT,
  UNIQUE (run_id, seq)
);
INSERT INTO dns_lookups_v4 (id, run_id, seq, host, source, servers, family, start_ms, end_ms, outcome, ares_status, error_class, error)
  SELECT id, run_id, seq, host, source, servers, family, start_ms, end_ms, outcome, ares_status, error_class, error FROM dns_lookups;
CREATE TABLE dns_queries_v4 (
  lookup_id   INTEGER NOT NULL REFERENCES dns_lookups(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  type        TEXT NOT NULL,
  outcome     TEXT,
  ares_status TEXT,
  start_ms    REAL NOT NULL,
  end_ms      REAL NOT NULL,
  duration_ms REAL GENERATED ALWAYS AS (ROUND(end_ms - start_ms, 3)) STORED,
  server      TEXT,
  PRIMARY KEY (lookup_id, seq)
) WITHOUT ROWID;
INSERT INTO dns_queries_v4 (lookup_id, seq, type, outcome, ares_status, start_ms, end_ms, server)
  SELECT lookup_id, seq, type, outcome, ares_status, start_ms, end_ms, server FROM dns_queries;
CREATE TABLE dns_attempts_v4 (
  lookup_id   INTEGER NOT NULL,
  query_seq   INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  server      TEXT NOT NULL,
  start_ms    REAL NOT NULL,
  end_ms      REAL,
  duration_ms REAL GENERATED ALWAYS AS (ROUND(end_ms - start_ms, 3)) STORED,
  outcome     TEXT,
  PRIMARY KEY (lookup_id, query_seq, seq),
  FOREIGN KEY (lookup_id, query_seq) REFERENCES dns_queries(lookup_id, seq) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO dns_attempts_v4 (lookup_id, query_seq, seq, server, start_ms, end_ms, outcome)
  SELECT lookup_id, query_seq, seq, server, start_ms, end_ms, outcome FROM dns_attempts;
CREATE TABLE dns_steps_v4 (
  lookup_id     INTEGER NOT NULL,
  seq           INTEGER NOT NULL,
  query_seq     INTEGER NOT NULL,
  depth         INTEGER NOT NULL,
  server        TEXT,
  server_name   TEXT,
  zone          TEXT NOT NULL,
  qname         TEXT NOT NULL,
  qtype         TEXT NOT NULL,
  start_ms      REAL NOT NULL,
  end_ms        REAL NOT NULL,
  duration_ms   REAL GENERATED ALWAYS AS (ROUND(end_ms - start_ms, 3)) STORED,
  rcode         TEXT,
  aa            INTEGER CHECK (aa IN (0, 1)),
  kind          TEXT NOT NULL CHECK (kind IN ('referral', 'answer', 'cname', 'nxdomain', 'nodata',
                                              'error', 'timeout')),
  referral_zone TEXT,
  ns            TEXT,
  glue          TEXT,
  records       TEXT,
  error_class   TEXT,
  error         TEXT,
  PRIMARY KEY (lookup_id, seq),
  FOREIGN KEY (lookup_id, query_seq) REFERENCES dns_queries(lookup_id, seq) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO dns_steps_v4 (lookup_id, seq, query_seq, depth, server, server_name, zone, qname, qtype, start_ms, end_ms, rcode, aa, kind, referral_zone, ns, glue, records, error_class, error)
  SELECT lookup_id, seq, query_seq, depth, server, server_name, zone, qname, qtype, start_ms, end_ms, rcode, aa, kind, referral_zone, ns, glue, records, error_class, error FROM dns_steps;
CREATE TABLE phases_v4 (
  request_id  INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
  name        TEXT NOT NULL CHECK (name IN ('blocked', 'dns', 'connect', 'tunnel', 'tls', 'send',
                                        'wait', 'receive')),
  start_ms    REAL NOT NULL,
  end_ms      REAL NOT NULL,
  duration_ms REAL GENERATED ALWAYS AS (ROUND(end_ms - start_ms, 3)) STORED,
  ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),  -- 0: the request failed in this phase
  error_class TEXT,
  error       TEXT,
  PRIMARY KEY (request_id, name)
) WITHOUT ROWID;
INSERT INTO phases_v4 (request_id, name, start_ms, end_ms, ok, error_class, error)
  SELECT request_id, name, start_ms, end_ms, ok, error_class, error FROM phases;
DROP TABLE dns_attempts;
DROP TABLE dns_steps;
DROP TABLE phases;
DROP TABLE dns_queries;
DROP TABLE dns_lookups;
ALTER TABLE dns_lookups_v4 RENAME TO dns_lookups;
ALTER TABLE dns_queries_v4 RENAME TO dns_queries;
ALTER TABLE dns_attempts_v4 RENAME TO dns_attempts;
ALTER TABLE dns_steps_v4 RENAME TO dns_steps;
ALTER TABLE phases_v4 RENAME TO phases;
ALTER TABLE connect_attempts ADD COLUMN start_ms REAL;
ALTER TABLE connect_attempts ADD COLUMN end_ms REAL;
ALTER TABLE connect_attempts ADD COLUMN after_fallback_delay INTEGER CHECK (after_fallback_delay IN (0, 1));
-- Where a run comes from (issue 13): measured, or imported from a HAR file, and its producer.
ALTER TABLE runs ADD COLUMN source TEXT NOT NULL DEFAULT 'pageload' CHECK (source IN ('pageload', 'har'));
ALTER TABLE runs ADD COLUMN producer TEXT;
)sql";

// Version 5 (issue 12).
// -- Run groups: the runs of one invocation (-n/--runs, --repeat-view).
constexpr char kToVersion5[] = R"sql(
CREATE TABLE IF NOT EXISTS run_groups (
  id          INTEGER PRIMARY KEY,
  created_at  TEXT NOT NULL,
  url         TEXT NOT NULL,
  label       TEXT,
  runs        INTEGER NOT NULL CHECK (runs >= 1),
  repeat_view INTEGER NOT NULL DEFAULT 0 CHECK (repeat_view IN (0, 1))
);
ALTER TABLE runs ADD COLUMN group_id INTEGER REFERENCES run_groups(id) ON DELETE SET NULL;
ALTER TABLE runs ADD COLUMN view TEXT CHECK (view IN ('first', 'repeat'));
ALTER TABLE runs ADD COLUMN run_number INTEGER CHECK (run_number >= 1);
CREATE INDEX IF NOT EXISTS runs_group ON runs(group_id, run_number);
-- -- end of run groups
-- -- The HTTP cache (branch wt-cache12): what each response's headers allow a browser's
-- -- cache, and what the cache did in a load that had one (--repeat-view, --cache DIR);
-- -- the view cache_report is made by schema.sql.
ALTER TABLE requests ADD COLUMN cache_lifetime_s REAL;
ALTER TABLE requests ADD COLUMN cache_reason TEXT CHECK (cache_reason IN ('max-age', 'expires', 'last-modified', 'permanent',
                                                  'no-cache', 'no-store', 'none', 'not-storable'));
ALTER TABLE requests ADD COLUMN cache_lookup TEXT CHECK (cache_lookup IN ('fresh', 'revalidated', 'changed', 'miss'));
ALTER TABLE requests ADD COLUMN from_cache INTEGER NOT NULL DEFAULT 0 CHECK (from_cache IN (0, 1));
ALTER TABLE requests ADD COLUMN bytes_saved INTEGER;
-- -- end of the HTTP cache
-- -- group_medians (issue 12, -n/--runs; branch wt-runs12): a view, so schema.sql brings it
-- -- end of group_medians
)sql";

// Version 6 (issue 9): a request cut while it was queued (blocked) failed in that phase:
// requests.error_phase's CHECK is widened to 'blocked' (version 5 stored NULL there, the
// phase row kept ok = 0), and cache_reason to 'must-revalidate' (a response whose
// must-revalidate turned Chromium's heuristic freshness off). A CHECK cannot be altered:
// `requests` is rebuilt (create, copy, drop, rename) with the views that read it dropped
// first; schema.sql recreates them and the indexes.
constexpr char kToVersion6[] = R"sql(
DROP VIEW IF EXISTS timeline;
DROP VIEW IF EXISTS run_hosts;
DROP VIEW IF EXISTS run_types;
DROP VIEW IF EXISTS run_summary;
DROP VIEW IF EXISTS run_phases;
DROP VIEW IF EXISTS cache_report;
DROP VIEW IF EXISTS group_medians;
CREATE TABLE requests_v6 (
  id                 INTEGER PRIMARY KEY,
  run_id             INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq                INTEGER NOT NULL,
  redirect_from      INTEGER,          -- seq of the hop that led here; NULL for the first
  method             TEXT NOT NULL,
  url                TEXT NOT NULL,
  scheme             TEXT,
  host               TEXT,
  port               INTEGER,
  connection_id      INTEGER REFERENCES connections(id),  -- NULL if no connection was made
  reused             INTEGER NOT NULL CHECK (reused IN (0, 1)),
  dns_lookup_id      INTEGER REFERENCES dns_lookups(id),  -- NULL if no lookup was made
  start_ms           REAL NOT NULL,
  end_ms             REAL NOT NULL,
  -- Each phase's duration, NULL when the phase did not happen: copies of
  -- phases.duration_ms written in the same transaction, so that `timeline` is a plain
  -- scan of this table (six index seeks per request made a GROUP BY over 100,000 runs
  -- three times slower). `phases` stays the full record (spans, ok, errors).
  dns_ms             REAL,
  connect_ms         REAL,
  tls_ms             REAL,
  send_ms            REAL,
  wait_ms            REAL,
  receive_ms         REAL,
  http_version       TEXT,             -- 'HTTP/1.1', 'HTTP/2'
  status             INTEGER,          -- NULL when no response arrived
  reason             TEXT,
  location           TEXT,             -- raw Location header
  redirect_url       TEXT,             -- Location resolved against url
  header_bytes       INTEGER,
  body_bytes         INTEGER,          -- on the wire
  body_decoded_bytes INTEGER,          -- after content decoding
  content_type       TEXT,
  error_phase        TEXT CHECK (error_phase IN ('blocked', 'dns', 'connect', 'tunnel', 'tls', 'send',
                                                 'wait', 'receive')),  -- 'blocked': cut while queued (v6)
  error_class        TEXT,
  error              TEXT,
  warnings           TEXT,             -- JSON array; NULL when none
  -- The page (v3): what was fetched, who asked for it, when it was found and how urgent.
  resource_type      TEXT CHECK (resource_type IN ('document', 'stylesheet', 'script', 'image',
                                                   'font', 'media', 'other')),
  initiator_id       INTEGER REFERENCES requests(id),  -- the request whose response named this
                                                       -- one; NULL only for the page's first
  discovered_ms      REAL,             -- when the page found it
  priority           TEXT CHECK (priority IN ('highest', 'high', 'medium', 'low', 'lowest')),
  found_by           TEXT,             -- 'link rel=stylesheet', 'css @import', 'redirect', ...
  note               TEXT,             -- a caveat of how it was found
  blocked_ms         REAL,             -- queued for a connection or stream (HAR's blocked)
  tunnel_ms          REAL,             -- an https request's CONNECT through a proxy (v4)
  -- The HTTP cache (v5, issue 12): what the response's headers allow a browser's cache and
  -- the header that decided; what the cache did when the load had one.
  cache_lifetime_s   REAL,             -- freshness lifetime; NULL without a response
  cache_reason       TEXT CHECK (cache_reason IN ('max-age', 'expires', 'last-modified', 'permanent',
                                                  'no-cache', 'no-store', 'none', 'not-storable',
                                                  'must-revalidate')),  -- v6
  cache_lookup       TEXT CHECK (cache_lookup IN ('fresh', 'revalidated', 'changed', 'miss')),
                                       -- NULL: the load had no cache
  from_cache         INTEGER NOT NULL DEFAULT 0 CHECK (from_cache IN (0, 1)),  -- no network at all
  bytes_saved        INTEGER,          -- body bytes the cache spared (fresh, revalidated)
  UNIQUE (run_id, seq)
);
INSERT INTO requests_v6 (id, run_id, seq, redirect_from, method, url, scheme, host, port, connection_id, reused,
    dns_lookup_id, start_ms, end_ms, dns_ms, connect_ms, tls_ms, send_ms, wait_ms, receive_ms,
    http_version, status, reason, location, redirect_url, header_bytes, body_bytes,
    body_decoded_bytes, content_type, error_phase, error_class, error, warnings, resource_type,
    initiator_id, discovered_ms, priority, found_by, note, blocked_ms, tunnel_ms,
    cache_lifetime_s, cache_reason, cache_lookup, from_cache, bytes_saved)
  SELECT id, run_id, seq, redirect_from, method, url, scheme, host, port, connection_id, reused,
    dns_lookup_id, start_ms, end_ms, dns_ms, connect_ms, tls_ms, send_ms, wait_ms, receive_ms,
    http_version, status, reason, location, redirect_url, header_bytes, body_bytes,
    body_decoded_bytes, content_type, error_phase, error_class, error, warnings, resource_type,
    initiator_id, discovered_ms, priority, found_by, note, blocked_ms, tunnel_ms,
    cache_lifetime_s, cache_reason, cache_lookup, from_cache, bytes_saved FROM requests;
DROP TABLE requests;
ALTER TABLE requests_v6 RENAME TO requests;
UPDATE requests SET error_phase = 'blocked'
  WHERE error_phase IS NULL AND error_class IS NOT NULL
    AND EXISTS (SELECT 1 FROM phases p WHERE p.request_id = requests.id AND p.name = 'blocked' AND p.ok = 0);
)sql";

// Version 7: the database's own row (its random id, what reports are marked with),
// written here with migrated_from = 6: the file is older than ids, and its reports carry
// the mark of its path (report/html.h, legacy_database_marker).
constexpr char kToVersion7[] = R"sql(
CREATE TABLE IF NOT EXISTS database_info (
  id            TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  migrated_from INTEGER
);
INSERT INTO database_info (id, created_at, migrated_from)
  SELECT lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 6
  WHERE NOT EXISTS (SELECT 1 FROM database_info);
)sql";

// Version 8: every CHECK that named three or more values with IN names them with OR
// (checks_as_or_chains). SQLite 3.40 codes a CHECK without its once-per-statement cache, so
// an IN list of three or more constants became a temporary index built and dropped for
// every row written: 14% of the instructions of a 37-request page load, for the lists of
// requests, phases and headers. The two forms accept the same values, so each table's
// CREATE statement is edited in place, by the procedure SQLite documents for changing a
// CHECK constraint ("making other kinds of table schema changes": writable_schema, then a
// new schema_version): no row is copied, and a file of any size migrates at once.
Status edit_checks_in_place(SqliteDb& db) {
  std::vector<std::pair<std::string, std::string>> edits;  // table, its new CREATE statement
  {
    auto tables = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql IS NOT NULL");
    if (!tables.ok()) return tables.status();
    while (true) {
      auto row = (*tables)->step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const std::string sql = (*tables)->text(1);
      if (std::string edited = checks_as_or_chains(sql); edited != sql) edits.emplace_back((*tables)->text(0), edited);
    }
  }
  if (edits.empty()) return Status::Ok();
  auto version = db.query_int("PRAGMA schema_version");
  if (!version.ok()) return version.status();
  if (Status s = db.exec("PRAGMA writable_schema = ON"); !s.ok()) return s;
  Status result = Status::Ok();
  for (const auto& [table, sql] : edits) {
    auto update = db.prepare("UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = ?2");
    if (!update.ok()) { result = update.status(); break; }
    if (Status s = (*update)->bind_all(sql, table).run(); !s.ok()) { result = s; break; }
  }
  // A new schema_version makes every connection read the edited statements again.
  const std::string bump = "PRAGMA schema_version = " + std::to_string(*version + 1);
  if (result.ok()) result = db.exec(bump.c_str());
  if (Status s = db.exec("PRAGMA writable_schema = OFF"); result.ok()) result = s;
  return result;
}

}  // namespace

std::string checks_as_or_chains(std::string_view create_table) {
  static const std::regex kInList(R"(CHECK\s*\(\s*(\w+)\s+IN\s*\(((?:\s*'(?:[^']|'')*'\s*,)+\s*'(?:[^']|'')*'\s*)\)\s*\))",
                                  std::regex::icase);
  static const std::regex kValue(R"('(?:[^']|'')*')");
  std::string out;
  auto from = create_table.begin();
  for (std::regex_iterator<std::string_view::const_iterator> it(create_table.begin(), create_table.end(), kInList), end;
       it != end; ++it) {
    const auto& m = *it;
    const std::string list = m[2].str();
    std::vector<std::string> values;
    for (std::sregex_iterator v(list.begin(), list.end(), kValue), none; v != none; ++v) values.push_back(v->str());
    if (values.size() < 3) continue;  // one or two values: SQLite compares them one by one
    out.append(from, m[0].first);
    std::string chain;
    for (const std::string& v : values) chain += (chain.empty() ? "" : " OR ") + m[1].str() + " = " + v;
    out += "CHECK (" + chain + ")";
    from = m[0].second;
  }
  out.append(from, create_table.end());
  return out;
}

std::span<const Migration> migrations() {
  // To change the schema: edit schema.sql (the whole current schema, for fresh files),
  // bump kSchemaVersion, and add {N, "ALTER TABLE ...; ..."} taking version N-1 to N.
  static const std::array<Migration, 7> kMigrations{{
      {2, kToVersion2},
      {3, kToVersion3},
      {4, kToVersion4},
      {5, kToVersion5},
      {6, kToVersion6},
      {7, kToVersion7},
      {8, nullptr, &edit_checks_in_place},
  }};
  static_assert(kSchemaVersion == 8, "add a migration for the new schema version");
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

namespace {

// Foreign keys off for a migration's table rebuilds (SQLite's "making other kinds of
// table schema changes": PRAGMA foreign_keys is a no-op inside a transaction, so it is
// set around it), back as they were after. migrate() checks them before it commits.
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(SqliteDb& db) : db_(db) {
    auto on = db_.query_int("PRAGMA foreign_keys");
    was_on_ = on.ok() && *on == 1;
    if (was_on_) (void)db_.exec("PRAGMA foreign_keys = OFF");
  }
  ~ForeignKeysOff() {
    if (was_on_) (void)db_.exec("PRAGMA foreign_keys = ON");
  }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

 private:
  SqliteDb& db_;
  bool was_on_ = false;
};

}  // namespace

Status migrate(SqliteDb& db) {
  ForeignKeysOff keys_off(db);
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
      Status s = m.sql ? db.exec(m.sql) : Status::Ok();
      if (s.ok() && m.step) s = m.step(db);
      if (!s.ok()) {
        return db_error("migrating database '" + db.path() + "' to schema version " +
                        std::to_string(m.version) + ": " + s.message());
      }
    }
    // The migrations change tables; schema.sql (idempotent) brings the views, indexes and
    // reference rows to this version.
    if (Status s = db.exec(pageload::embedded::schema_sql); !s.ok())
      return db_error("updating the schema of database '" + db.path() + "': " + s.message());
    // The rebuilds ran with foreign keys off: every reference must still hold.
    auto broken = db.query_int("SELECT COUNT(*) FROM pragma_foreign_key_check");
    if (!broken.ok()) return broken.status();
    if (*broken > 0)
      return db_error("migrating database '" + db.path() + "': " + std::to_string(*broken) +
                      " rows would break their foreign keys");
  }
  // PRAGMA takes no bound parameters; the value is our own compile-time constant.
  const std::string set_version = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
  if (Status s = db.exec(set_version.c_str()); !s.ok()) return s;
  return tx.commit();
}

}  // namespace pageload::store::detail
