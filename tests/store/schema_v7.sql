-- pageload database schema, version 7: the one source of the schema.
--
-- This file is embedded into the binary and applied by the store (src/store) when a
-- database is created or is older than this version; PRAGMA user_version carries the
-- version and is set by the store, not here. The script is idempotent (IF NOT EXISTS,
-- INSERT OR REPLACE), so `sqlite3 my.db < schema.sql` is also a valid way to create one.
--
-- Conventions, part of the public interface:
--   * Times: `*_ms` are milliseconds from the run's start on one monotonic clock;
--     `started_at` and certificate dates are UTC ISO-8601 text. Durations are rounded to
--     the clock's microsecond: ROUND(end_ms - start_ms, 3) (v4).
--   * NULL means "did not happen / not known", never 0: a phase that did not happen has
--     no row in `phases` and a NULL column in `timeline`; an unknown port is NULL.
--   * Lists (certificate SANs, DNS servers, warnings) are JSON arrays: use json_each().
--   * error_class holds a stable code name (e.g. 'dns_nxdomain'); error the human text.
--   * Deleting a runs row deletes everything recorded for it (ON DELETE CASCADE).

-- The database itself (v7): one row, written when the file is made (or migrated to v7).
-- `id` is random: what tells this database from another whatever its path. Reports carry a
-- hash of it, so that a database moved or renamed keeps its reports and a new one made at
-- the same path (rm pageload.db) never takes the old one's. A copy of the file keeps it.
CREATE TABLE IF NOT EXISTS database_info (
  id            TEXT NOT NULL,   -- 32 random hex digits
  created_at    TEXT NOT NULL,   -- UTC ISO-8601, when the row was written
  migrated_from INTEGER          -- the schema version the file had when the row was
                                 -- written (6: it is older than ids); NULL: made with one
);
INSERT INTO database_info (id, created_at)
  SELECT lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE NOT EXISTS (SELECT 1 FROM database_info);

-- One load of one page (or, with --document-only, of one document's redirect chain).
CREATE TABLE IF NOT EXISTS runs (
  id               INTEGER PRIMARY KEY,
  started_at       TEXT NOT NULL,      -- UTC ISO-8601 with microseconds
  url              TEXT NOT NULL,      -- as given
  final_url        TEXT,               -- URL of the last hop
  final_status     INTEGER,            -- HTTP status of the last hop; NULL if none arrived
  outcome          TEXT NOT NULL DEFAULT 'running'
                   CHECK (outcome IN ('ok', 'http_error', 'failed', 'running')),
  error_class      TEXT,               -- why the run failed (stable code name)
  error            TEXT,
  total_ms         REAL,
  label            TEXT,               -- --label, for comparing runs with GROUP BY
  options          TEXT,               -- JSON of the options, secrets redacted
  tool_version     TEXT,
  library_versions TEXT,
  request_count    INTEGER,            -- NULL while running
  redirect_count   INTEGER,            -- NULL while running
  -- The page (v3). document_ms: the document's final response complete; load_ms: every
  -- request done (WebPageTest's "fully loaded"). NULL while running, or when the document
  -- never completed.
  document_ms      REAL,
  load_ms          REAL,
  failed_count     INTEGER,            -- requests that failed or got a status >= 400
  transfer_bytes   INTEGER,            -- headers and bodies as received, all requests
  decoded_bytes    INTEGER,            -- bodies after content decoding, all requests
  warnings         TEXT,               -- JSON array about the run as a whole; NULL when none
  proxy            TEXT,               -- proxies the requests went through (from the
                                       -- environment; credentials redacted); NULL: none (v3)
  -- Where the run comes from (v4): 'pageload' measured it; 'har' was imported from a HAR
  -- file (pageload import), whose producer (log.creator: name and version) is `producer`.
  source           TEXT NOT NULL DEFAULT 'pageload' CHECK (source IN ('pageload', 'har')),
  producer         TEXT,
  -- The run's place in a group (v5): the runs of one `pageload run -n N` or
  -- `--repeat-view` form one group. NULL for a run made alone.
  group_id         INTEGER REFERENCES run_groups(id) ON DELETE SET NULL,
  view             TEXT CHECK (view IN ('first', 'repeat')),  -- first view or repeat view
  run_number       INTEGER CHECK (run_number >= 1)            -- 1..N within the group
);
CREATE INDEX IF NOT EXISTS runs_started_at ON runs(started_at);
CREATE INDEX IF NOT EXISTS runs_label ON runs(label, started_at);
CREATE INDEX IF NOT EXISTS runs_group ON runs(group_id, run_number);

-- The runs of one invocation asked for together (v5): `-n/--runs N` loads the page N
-- times, `--repeat-view` loads it again as a returning visitor. Compare groups through
-- runs.group_id.
CREATE TABLE IF NOT EXISTS run_groups (
  id          INTEGER PRIMARY KEY,
  created_at  TEXT NOT NULL,                     -- UTC ISO-8601 with microseconds
  url         TEXT NOT NULL,                     -- as given
  label       TEXT,                              -- --label
  runs        INTEGER NOT NULL CHECK (runs >= 1),  -- first views asked for (-n)
  repeat_view INTEGER NOT NULL DEFAULT 0 CHECK (repeat_view IN (0, 1))
);

-- Resolving one host name. A run's lookups are numbered by seq from 0.
CREATE TABLE IF NOT EXISTS dns_lookups (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  host        TEXT NOT NULL,
  source      TEXT NOT NULL,          -- 'dns' (servers asked), 'trace' (walked from the root:
                                      -- dns_steps), 'cache' (run's cache), 'hosts'
                                      -- (localhost: loopback addresses, no query)
  servers     TEXT,                   -- JSON array of "ADDR:PORT" (for 'trace': the roots);
                                      -- NULL when none configured
  family      INTEGER,                -- 4 or 6 when restricted (-4/-6); NULL: any
  start_ms    REAL NOT NULL,
  end_ms      REAL NOT NULL,
  duration_ms REAL GENERATED ALWAYS AS (ROUND(end_ms - start_ms, 3)) STORED,
  -- NOERROR, NXDOMAIN, SERVFAIL, NODATA, REFUSED, TIMEOUT, BADREPLY (a reply that does not
  -- parse), ERROR (anything else: local or network); a trace also LAME, UNREACHABLE, LOOP,
  -- TOODEEP
  outcome     TEXT,
  ares_status TEXT,                   -- c-ares status name, e.g. ARES_ENOTFOUND; NULL: none
                                      -- (--max-time ended the lookup first)
  error_class TEXT,
  error       TEXT,
  UNIQUE (run_id, seq)
);

-- One query (A or AAAA) of a lookup.
CREATE TABLE IF NOT EXISTS dns_queries (
  lookup_id   INTEGER NOT NULL REFERENCES dns_lookups(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  type        TEXT NOT NULL,          -- 'A' or 'AAAA'
  outcome     TEXT,                   -- as dns_lookups.outcome, for this query
  ares_status TEXT,
  start_ms    REAL NOT NULL,
  end_ms      REAL NOT NULL,
  duration_ms REAL GENERATED ALWAYS AS (ROUND(end_ms - start_ms, 3)) STORED,
  server      TEXT,                   -- "ADDR:PORT" whose reply decided it; NULL: none did (v2)
  PRIMARY KEY (lookup_id, seq)
) WITHOUT ROWID;

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
  duration_ms REAL GENERATED ALWAYS AS (ROUND(end_ms - start_ms, 3)) STORED,
  -- The reply's: NOERROR, NODATA, NXDOMAIN, SERVFAIL, REFUSED, FORMERR, NOTIMP, RCODE<n>,
  -- BADREPLY, TRUNCATED (asked again over TCP). No reply: TIMEOUT, UNREACHABLE (ICMP:
  -- nothing listens there), ERROR (another socket error). NULL together with end_ms.
  outcome     TEXT,
  PRIMARY KEY (lookup_id, query_seq, seq),
  FOREIGN KEY (lookup_id, query_seq) REFERENCES dns_queries(lookup_id, seq) ON DELETE CASCADE
) WITHOUT ROWID;

-- The records of a lookup's answer: CNAME chain first, then addresses.
CREATE TABLE IF NOT EXISTS dns_answers (
  lookup_id INTEGER NOT NULL REFERENCES dns_lookups(id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  type      TEXT NOT NULL,            -- 'A', 'AAAA' or 'CNAME'
  name      TEXT NOT NULL,            -- owner name
  value     TEXT NOT NULL,            -- address, or CNAME target
  ttl       INTEGER NOT NULL,         -- seconds, as sent: 0 to 4294967295 (RFC 2181 8: 2^31
                                      -- and more count as 0, so such an answer is not cached)
  PRIMARY KEY (lookup_id, seq)
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
  duration_ms   REAL GENERATED ALWAYS AS (ROUND(end_ms - start_ms, 3)) STORED,
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

-- One TCP (+TLS) connection. A run's connections are numbered by seq from 0.
-- The tls_* and cert_* columns are NULL when no TLS handshake was made; `verified` and
-- `verify_result` are set whenever one was. The certificate is verified against the same
-- CAs with or without -k (which only keeps a failure from stopping the load):
-- verify_result is OpenSSL's first error for the chain and the host name (62 for a name
-- mismatch), and verified = 1 exactly when both passed.
CREATE TABLE IF NOT EXISTS connections (
  id               INTEGER PRIMARY KEY,
  run_id           INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq              INTEGER NOT NULL,
  scheme           TEXT NOT NULL,
  host             TEXT NOT NULL,
  port             INTEGER,
  remote_ip        TEXT,
  remote_port      INTEGER,
  local_ip         TEXT,
  local_port       INTEGER,
  family           INTEGER,           -- 4 or 6
  connect_start_ms REAL,              -- TCP connect span
  connect_end_ms   REAL,
  tls_version      TEXT,              -- 'TLSv1.3'
  tls_cipher       TEXT,
  alpn             TEXT,              -- 'http/1.1', 'h2'
  cert_subject     TEXT,
  cert_issuer      TEXT,
  cert_sans        TEXT,              -- JSON array
  cert_not_before  TEXT,              -- UTC ISO-8601
  cert_not_after   TEXT,
  verify_result    INTEGER,           -- X509_V_OK (0) or an X509_V_ERR_* code
  verify_message   TEXT,
  verified         INTEGER CHECK (verified IN (0, 1)),  -- 1: chain and host name passed (also under -k)
  request_count    INTEGER NOT NULL DEFAULT 0,
  proxy            TEXT,              -- the proxy it went through (credentials redacted); its
                                      -- remote_ip and connect span are the proxy's. NULL: direct (v3)
  retry_reason     TEXT,              -- why curl gave it up and retried the request on a new
                                      -- connection (HTTP/2 REFUSED_STREAM, closed by the server) (v3)
  -- The TLS handshake (v3; NULL: no handshake began). Round trips: the server's flights
  -- the client waited for (2 for a full TLS 1.2 handshake, 1 for TLS 1.3 or a resumed
  -- 1.2 session). Offered: the client had a session from an earlier connection to this
  -- host and port (curl's session cache) and offered it; resumed: the server accepted it.
  tls_round_trips     INTEGER,
  tls_session_offered INTEGER CHECK (tls_session_offered IN (0, 1)),
  tls_resumed         INTEGER CHECK (tls_resumed IN (0, 1)),
  -- How it ended (curl's close-socket callback), NULL while it was still open when the run
  -- ended (a pool shared with later runs). closed_ms: when pageload's end was closed;
  -- closed_by: who closed first, so who holds TCP's TIME_WAIT ('server': its FIN or reset
  -- had arrived); close_reason: what made it close. (v3)
  closed_ms        REAL,
  closed_by        TEXT CHECK (closed_by IN ('server', 'pageload')),
  close_reason     TEXT CHECK (close_reason IN ('connection_close', 'server_closed', 'reset',
                                                'end_of_page', 'no_keepalive', 'other')),
  UNIQUE (run_id, seq)
);

-- Every address tried while connecting, in order; error is NULL for the one that connected.
-- start_ms .. end_ms (v4): from curl opening the socket to the connect, the failure, or curl
-- giving the attempt up because another connected (NULL in runs stored before v4).
-- after_fallback_delay (v4): 1 when curl started it because its happy-eyeballs delay (200 ms
-- after the first attempt) ran out, not because the attempt before it had ended.
CREATE TABLE IF NOT EXISTS connect_attempts (
  connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  address       TEXT NOT NULL,
  port          INTEGER,
  family        INTEGER,
  error         TEXT,
  start_ms      REAL,
  end_ms        REAL,
  after_fallback_delay INTEGER CHECK (after_fallback_delay IN (0, 1)),
  PRIMARY KEY (connection_id, seq)
) WITHOUT ROWID;

-- Every message of a connection's TLS handshake, in order (v3): handshake messages (TLS
-- 1.3's encrypted ones as decrypted), ChangeCipherSpec and alerts, as OpenSSL wrote or read
-- them, and what came once the handshake was done (TLS 1.3 session tickets, KeyUpdate).
CREATE TABLE IF NOT EXISTS tls_steps (
  connection_id   INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
  message         TEXT NOT NULL,      -- 'ClientHello', 'ServerHello', 'HelloRetryRequest',
                                      -- 'EncryptedExtensions', 'Certificate', 'CertificateRequest',
                                      -- 'CertificateVerify', 'ServerKeyExchange', 'ServerHelloDone',
                                      -- 'ClientKeyExchange', 'ChangeCipherSpec', 'Finished',
                                      -- 'NewSessionTicket', 'KeyUpdate', 'Alert', 'Handshake(N)'
  bytes           INTEGER NOT NULL,   -- the message with its 4-byte header; 1 for
                                      -- ChangeCipherSpec, 2 for an alert (no record framing)
  at_ms           REAL NOT NULL,      -- when OpenSSL wrote it, or read it from what came in
  alert           TEXT,               -- an Alert's description: 'handshake_failure',
                                      -- 'protocol_version', ...; NULL for other messages
  fatal           INTEGER CHECK (fatal IN (0, 1)),  -- an Alert's level; NULL for other messages
  after_handshake INTEGER NOT NULL CHECK (after_handshake IN (0, 1)),
  PRIMARY KEY (connection_id, seq)
) WITHOUT ROWID;

-- One request of the page, numbered by seq from 0 in the order they were found: the
-- document and each hop of its redirect chain, then every subresource (and its hops).
CREATE TABLE IF NOT EXISTS requests (
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
CREATE INDEX IF NOT EXISTS requests_host ON requests(host);
CREATE INDEX IF NOT EXISTS requests_initiator ON requests(initiator_id);
CREATE INDEX IF NOT EXISTS requests_connection ON requests(connection_id);
CREATE INDEX IF NOT EXISTS requests_dns_lookup ON requests(dns_lookup_id);

-- The phases of a request that happened. No row: the phase did not happen.
CREATE TABLE IF NOT EXISTS phases (
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
CREATE INDEX IF NOT EXISTS phases_name ON phases(name);

-- Headers as sent and received, in order; secret values arrive redacted by the loader.
-- 'trailer': a trailer field sent after a chunked body (never read as a header) (v3).
CREATE TABLE IF NOT EXISTS headers (
  request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
  direction  TEXT NOT NULL CHECK (direction IN ('request', 'response', 'trailer')),
  seq        INTEGER NOT NULL,
  name       TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (request_id, direction, seq)
) WITHOUT ROWID;

-- Reference: HTTP status codes (join on requests.status or runs.final_status).
CREATE TABLE IF NOT EXISTS status_codes (
  code       INTEGER PRIMARY KEY,
  class      TEXT NOT NULL,    -- '1xx' .. '5xx'
  class_name TEXT NOT NULL,    -- Informational, Successful, Redirection, Client Error, Server Error
  phrase     TEXT NOT NULL,
  meaning    TEXT NOT NULL,
  rfc        TEXT NOT NULL
);

INSERT OR REPLACE INTO status_codes (code, class, class_name, phrase, meaning, rfc) VALUES
  (100, '1xx', 'Informational', 'Continue', 'The request headers were received; the client may send the body.', 'RFC 9110'),
  (101, '1xx', 'Informational', 'Switching Protocols', 'The server switches to the protocol named in Upgrade.', 'RFC 9110'),
  (103, '1xx', 'Informational', 'Early Hints', 'Headers the final response is likely to carry, sent ahead of it.', 'RFC 8297'),
  (200, '2xx', 'Successful', 'OK', 'The request succeeded.', 'RFC 9110'),
  (201, '2xx', 'Successful', 'Created', 'The request succeeded and created a new resource.', 'RFC 9110'),
  (202, '2xx', 'Successful', 'Accepted', 'The request was accepted for processing that has not completed.', 'RFC 9110'),
  (203, '2xx', 'Successful', 'Non-Authoritative Information', 'The content was modified by a transforming proxy.', 'RFC 9110'),
  (204, '2xx', 'Successful', 'No Content', 'The request succeeded and there is no content to send.', 'RFC 9110'),
  (205, '2xx', 'Successful', 'Reset Content', 'The request succeeded; the client should reset its document view.', 'RFC 9110'),
  (206, '2xx', 'Successful', 'Partial Content', 'The server sent the requested ranges of the resource.', 'RFC 9110'),
  (207, '2xx', 'Successful', 'Multi-Status', 'The body holds the statuses of several independent operations.', 'RFC 4918'),
  (208, '2xx', 'Successful', 'Already Reported', 'The members of this binding were already listed in a previous part of the response.', 'RFC 5842'),
  (226, '2xx', 'Successful', 'IM Used', 'The response is the result of instance manipulations applied to the resource.', 'RFC 3229'),
  (300, '3xx', 'Redirection', 'Multiple Choices', 'The resource has several representations to choose from.', 'RFC 9110'),
  (301, '3xx', 'Redirection', 'Moved Permanently', 'The resource moved permanently to the Location URL.', 'RFC 9110'),
  (302, '3xx', 'Redirection', 'Found', 'The resource is temporarily at the Location URL.', 'RFC 9110'),
  (303, '3xx', 'Redirection', 'See Other', 'The result is at the Location URL, to be fetched with GET.', 'RFC 9110'),
  (304, '3xx', 'Redirection', 'Not Modified', 'The cached representation is still valid.', 'RFC 9110'),
  (305, '3xx', 'Redirection', 'Use Proxy', 'Deprecated: the resource was to be accessed through a proxy.', 'RFC 9110'),
  (306, '3xx', 'Redirection', '(Unused)', 'Reserved: used in an earlier draft, no longer used.', 'RFC 9110'),
  (307, '3xx', 'Redirection', 'Temporary Redirect', 'The resource is temporarily at the Location URL; the method is kept.', 'RFC 9110'),
  (308, '3xx', 'Redirection', 'Permanent Redirect', 'The resource moved permanently to the Location URL; the method is kept.', 'RFC 9110'),
  (400, '4xx', 'Client Error', 'Bad Request', 'The server cannot process the request because it is malformed.', 'RFC 9110'),
  (401, '4xx', 'Client Error', 'Unauthorized', 'The request lacks valid authentication credentials.', 'RFC 9110'),
  (402, '4xx', 'Client Error', 'Payment Required', 'Reserved for future use.', 'RFC 9110'),
  (403, '4xx', 'Client Error', 'Forbidden', 'The server understood the request but refuses to fulfil it.', 'RFC 9110'),
  (404, '4xx', 'Client Error', 'Not Found', 'The server has no current representation for the target resource.', 'RFC 9110'),
  (405, '4xx', 'Client Error', 'Method Not Allowed', 'The method is not supported by the target resource.', 'RFC 9110'),
  (406, '4xx', 'Client Error', 'Not Acceptable', 'No representation matches the request''s proactive negotiation headers.', 'RFC 9110'),
  (407, '4xx', 'Client Error', 'Proxy Authentication Required', 'The client must authenticate with the proxy.', 'RFC 9110'),
  (408, '4xx', 'Client Error', 'Request Timeout', 'The server did not receive a complete request in time.', 'RFC 9110'),
  (409, '4xx', 'Client Error', 'Conflict', 'The request conflicts with the current state of the resource.', 'RFC 9110'),
  (410, '4xx', 'Client Error', 'Gone', 'The resource is permanently gone from the server.', 'RFC 9110'),
  (411, '4xx', 'Client Error', 'Length Required', 'The server requires a Content-Length.', 'RFC 9110'),
  (412, '4xx', 'Client Error', 'Precondition Failed', 'A precondition in the request headers evaluated to false.', 'RFC 9110'),
  (413, '4xx', 'Client Error', 'Content Too Large', 'The request content is larger than the server will process.', 'RFC 9110'),
  (414, '4xx', 'Client Error', 'URI Too Long', 'The target URI is longer than the server will interpret.', 'RFC 9110'),
  (415, '4xx', 'Client Error', 'Unsupported Media Type', 'The content is in a format the resource does not support.', 'RFC 9110'),
  (416, '4xx', 'Client Error', 'Range Not Satisfiable', 'None of the requested ranges overlap the representation.', 'RFC 9110'),
  (417, '4xx', 'Client Error', 'Expectation Failed', 'The Expect header could not be met.', 'RFC 9110'),
  (418, '4xx', 'Client Error', '(Unused)', 'Reserved: unused since the HTCPCP joke; not assignable.', 'RFC 9110'),
  (421, '4xx', 'Client Error', 'Misdirected Request', 'The request reached a server that cannot answer for this URI.', 'RFC 9110'),
  (422, '4xx', 'Client Error', 'Unprocessable Content', 'The content is well-formed but its instructions cannot be processed.', 'RFC 9110'),
  (423, '4xx', 'Client Error', 'Locked', 'The resource is locked.', 'RFC 4918'),
  (424, '4xx', 'Client Error', 'Failed Dependency', 'The method failed because an action it depended on failed.', 'RFC 4918'),
  (425, '4xx', 'Client Error', 'Too Early', 'The server will not process a request that might be replayed (TLS early data).', 'RFC 8470'),
  (426, '4xx', 'Client Error', 'Upgrade Required', 'The client must switch to the protocol named in Upgrade.', 'RFC 9110'),
  (428, '4xx', 'Client Error', 'Precondition Required', 'The server requires the request to be conditional.', 'RFC 6585'),
  (429, '4xx', 'Client Error', 'Too Many Requests', 'The client sent too many requests in a given time (rate limited).', 'RFC 6585'),
  (431, '4xx', 'Client Error', 'Request Header Fields Too Large', 'The request headers are too large to process.', 'RFC 6585'),
  (451, '4xx', 'Client Error', 'Unavailable For Legal Reasons', 'The resource is withheld because of a legal demand.', 'RFC 7725'),
  (500, '5xx', 'Server Error', 'Internal Server Error', 'The server met an unexpected condition.', 'RFC 9110'),
  (501, '5xx', 'Server Error', 'Not Implemented', 'The server does not support the functionality required.', 'RFC 9110'),
  (502, '5xx', 'Server Error', 'Bad Gateway', 'A gateway or proxy got an invalid response from upstream.', 'RFC 9110'),
  (503, '5xx', 'Server Error', 'Service Unavailable', 'The server is temporarily unable to handle the request.', 'RFC 9110'),
  (504, '5xx', 'Server Error', 'Gateway Timeout', 'A gateway or proxy got no timely response from upstream.', 'RFC 9110'),
  (505, '5xx', 'Server Error', 'HTTP Version Not Supported', 'The server does not support the HTTP version of the request.', 'RFC 9110'),
  (506, '5xx', 'Server Error', 'Variant Also Negotiates', 'The server''s content negotiation is misconfigured into a loop.', 'RFC 2295'),
  (507, '5xx', 'Server Error', 'Insufficient Storage', 'The server cannot store what is needed to complete the request.', 'RFC 4918'),
  (508, '5xx', 'Server Error', 'Loop Detected', 'The server found an infinite loop while processing the request.', 'RFC 5842'),
  (510, '5xx', 'Server Error', 'Not Extended', 'Further extensions to the request are required.', 'RFC 2774'),
  (511, '5xx', 'Server Error', 'Network Authentication Required', 'The client must authenticate to gain network access (captive portal).', 'RFC 6585');

-- One row per request with each phase's duration as a column (NULL: the phase did not
-- happen), what it fetched, plus the run's label and start time, for GROUP BY comparisons
-- across runs. Column names follow kPhases (include/pageload/phase.h).
DROP VIEW IF EXISTS timeline;
CREATE VIEW timeline AS
SELECT
  r.run_id,
  r.id                  AS request_id,
  r.seq,
  r.url,
  r.host,
  r.method,
  r.status,
  r.resource_type,
  r.priority,
  r.http_version,
  r.reused,
  r.blocked_ms,
  r.dns_ms,
  r.connect_ms,
  r.tunnel_ms,
  r.tls_ms,
  r.send_ms,
  r.wait_ms,
  r.receive_ms,
  ROUND(r.end_ms - r.start_ms, 3) AS total_ms,
  r.discovered_ms,
  r.start_ms,
  r.end_ms,
  r.error_phase,
  r.error_class,
  runs.label,
  runs.started_at
FROM requests AS r
JOIN runs ON runs.id = r.run_id;

-- A page by origin: one row per run and origin (scheme, host and port: http and https, or
-- two ports of one host, are apart). `first_start_ms` to `last_end_ms` is the time the page
-- spent on that origin; `connections` counts the connections opened to it. Bytes: as
-- received (`transfer_bytes`: headers and bodies), and apart, so they compare like with
-- like: `header_bytes` (the header text; over HTTP/2 the decoded text, not the HPACK
-- frames on the wire), `body_bytes` (bodies as received, compressed if they were) and
-- `decoded_bytes` (bodies after content decoding): body_bytes / decoded_bytes is the
-- compression. v4: origin, label, http_versions, header_bytes and body_bytes.
DROP VIEW IF EXISTS run_hosts;
CREATE VIEW run_hosts AS
SELECT
  r.run_id,
  r.host,
  COUNT(*)                                                        AS requests,
  SUM(r.error_class IS NOT NULL OR r.status >= 400)               AS failed,
  SUM(COALESCE(r.header_bytes, 0) + COALESCE(r.body_bytes, 0))    AS transfer_bytes,
  SUM(COALESCE(r.body_decoded_bytes, r.body_bytes, 0))            AS decoded_bytes,
  COUNT(DISTINCT r.connection_id) FILTER (WHERE r.reused = 0)     AS connections,
  MAX(r.dns_ms)                                                   AS dns_ms,
  MIN(r.start_ms)                                                 AS first_start_ms,
  MAX(r.end_ms)                                                   AS last_end_ms,
  r.scheme || '://' ||
    CASE WHEN instr(r.host, ':') > 0 THEN '[' || r.host || ']' ELSE r.host END ||
    CASE WHEN r.port IS NULL OR (r.scheme = 'http' AND r.port = 80) OR (r.scheme = 'https' AND r.port = 443)
         THEN '' ELSE ':' || r.port END                           AS origin,
  runs.label,
  GROUP_CONCAT(DISTINCT r.http_version)                           AS http_versions,
  SUM(COALESCE(r.header_bytes, 0))                                AS header_bytes,
  SUM(COALESCE(r.body_bytes, 0))                                  AS body_bytes
FROM requests AS r
JOIN runs ON runs.id = r.run_id
GROUP BY r.run_id, r.scheme, r.host, r.port;

-- A page by resource type: one row per run and type (v3), bytes as in run_hosts.
-- v4: label, header_bytes and body_bytes.
DROP VIEW IF EXISTS run_types;
CREATE VIEW run_types AS
SELECT
  r.run_id,
  r.resource_type,
  COUNT(*)                                                        AS requests,
  SUM(r.error_class IS NOT NULL OR r.status >= 400)               AS failed,
  SUM(COALESCE(r.header_bytes, 0) + COALESCE(r.body_bytes, 0))    AS transfer_bytes,
  SUM(COALESCE(r.body_decoded_bytes, r.body_bytes, 0))            AS decoded_bytes,
  MIN(r.start_ms)                                                 AS first_start_ms,
  MAX(r.end_ms)                                                   AS last_end_ms,
  runs.label,
  SUM(COALESCE(r.header_bytes, 0))                                AS header_bytes,
  SUM(COALESCE(r.body_bytes, 0))                                  AS body_bytes
FROM requests AS r
JOIN runs ON runs.id = r.run_id
GROUP BY r.run_id, r.resource_type;

-- One row per run: the run's columns and each phase's time SUMMED over its requests
-- (`blocked_ms` .. `receive_ms`, as HAR totals add up: NULL when that phase happened in
-- none of them). Requests overlap, so a sum can exceed the load (30 images queued at once
-- add up 30 queues): the time the page spent in a phase, overlaps counted once, is
-- `run_phases.busy_ms`. v4: http_version (the document's: 'HTTP/1.1', 'HTTP/2'),
-- http_versions (every version the run's requests used, sorted, space-separated),
-- http11 (1 when --http1.1 forced HTTP/1.1), connections (opened) and decoded_bytes,
-- so an HTTP/1.1 and HTTP/2 comparison is a plain GROUP BY.
DROP VIEW IF EXISTS run_summary;
CREATE VIEW run_summary AS
SELECT
  runs.id AS run_id,
  runs.started_at,
  runs.label,
  runs.url,
  runs.final_url,
  runs.final_status,
  runs.outcome,
  runs.error_class,
  runs.total_ms,
  runs.request_count,
  runs.redirect_count,
  runs.document_ms,
  runs.load_ms,
  runs.failed_count,
  runs.transfer_bytes,
  SUM(r.blocked_ms) AS blocked_ms,
  SUM(r.dns_ms)     AS dns_ms,
  SUM(r.connect_ms) AS connect_ms,
  SUM(r.tunnel_ms)  AS tunnel_ms,
  SUM(r.tls_ms)     AS tls_ms,
  SUM(r.send_ms)    AS send_ms,
  SUM(r.wait_ms)    AS wait_ms,
  SUM(r.receive_ms) AS receive_ms,
  (SELECT d.http_version FROM requests AS d
    WHERE d.run_id = runs.id AND d.url = runs.final_url AND d.resource_type = 'document'
    ORDER BY d.seq LIMIT 1)                                       AS http_version,
  (SELECT GROUP_CONCAT(v, ' ') FROM (SELECT DISTINCT q.http_version AS v FROM requests AS q
    WHERE q.run_id = runs.id AND q.http_version IS NOT NULL ORDER BY v)) AS http_versions,
  json_extract(runs.options, '$.http11')                          AS http11,
  (SELECT COUNT(*) FROM connections AS c WHERE c.run_id = runs.id) AS connections,
  runs.decoded_bytes
FROM runs
LEFT JOIN requests AS r ON r.run_id = runs.id
GROUP BY runs.id;

-- Each phase of a run (v4): `busy_ms`, the time on the run's clock during which at least
-- one request was in that phase (overlapping requests counted once: the report's "Busy",
-- at most the load), `summed_ms`, every request's own time in it added up (the report's
-- "Summed", run_summary's columns), and `requests` that had it. One row per run and phase
-- that happened. The union is the classic gaps-and-islands over `phases` spans.
DROP VIEW IF EXISTS run_phases;
CREATE VIEW run_phases AS
WITH spans AS (
  SELECT r.run_id, p.name, p.start_ms, p.end_ms
  FROM phases AS p JOIN requests AS r ON r.id = p.request_id
),
reach AS (
  SELECT run_id, name, start_ms, end_ms,
         MAX(end_ms) OVER (PARTITION BY run_id, name ORDER BY start_ms, end_ms
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered_to
  FROM spans
),
islands AS (
  SELECT run_id, name, start_ms, end_ms,
         SUM(covered_to IS NULL OR start_ms > covered_to)
           OVER (PARTITION BY run_id, name ORDER BY start_ms, end_ms ROWS UNBOUNDED PRECEDING) AS island
  FROM reach
),
merged AS (
  SELECT run_id, name, MAX(end_ms) - MIN(start_ms) AS ms
  FROM islands GROUP BY run_id, name, island
)
SELECT s.run_id, s.name AS phase, b.busy_ms, s.summed_ms, s.requests
FROM (SELECT run_id, name, ROUND(SUM(end_ms - start_ms), 3) AS summed_ms, COUNT(*) AS requests
      FROM spans GROUP BY run_id, name) AS s
JOIN (SELECT run_id, name, ROUND(SUM(MAX(ms, 0)), 3) AS busy_ms FROM merged GROUP BY run_id, name) AS b
  ON b.run_id = s.run_id AND b.name = s.name;

-- The HTTP cache (v5, issue 12): per response, how long a browser may keep it fresh, the
-- header that decided (cache_reason, and that header's value), and a grade with
-- WebPageTest's and Lighthouse's thresholds: 'good' from 7 days, 'fair' from 1 hour,
-- 'poor' below (no-cache, an Expires in the past), 'none' when it is not kept or nothing
-- says how long (no-store, no caching headers). cache_lookup says what the cache did in
-- a load that had one (--repeat-view, --cache).
DROP VIEW IF EXISTS cache_report;
CREATE VIEW cache_report AS
SELECT r.run_id, r.seq, r.url, r.resource_type, r.status, r.cache_lifetime_s, r.cache_reason,
       (SELECT h.value FROM headers AS h
        WHERE h.request_id = r.id AND h.direction = 'response'
          AND lower(h.name) = CASE r.cache_reason WHEN 'max-age' THEN 'cache-control'
                                                  WHEN 'no-cache' THEN
                                                    -- Pragma: no-cache decided when Cache-Control did not say it (v6)
                                                    CASE WHEN EXISTS (SELECT 1 FROM headers AS c
                                                                      WHERE c.request_id = r.id AND c.direction = 'response'
                                                                        AND lower(c.name) = 'cache-control'
                                                                        AND lower(c.value) LIKE '%no-cache%')
                                                         THEN 'cache-control' ELSE 'pragma' END
                                                  WHEN 'no-store' THEN 'cache-control'
                                                  WHEN 'must-revalidate' THEN 'cache-control'
                                                  WHEN 'expires' THEN 'expires'
                                                  WHEN 'last-modified' THEN 'last-modified' END
        ORDER BY h.seq LIMIT 1) AS cache_header,
       CASE WHEN r.cache_reason IN ('no-store', 'none', 'not-storable') THEN 'none'
            WHEN r.cache_lifetime_s >= 604800 THEN 'good'
            WHEN r.cache_lifetime_s >= 3600 THEN 'fair'
            ELSE 'poor' END AS grade,
       r.cache_lookup, r.from_cache, r.bytes_saved
FROM requests AS r
WHERE r.cache_reason IS NOT NULL;

-- v5 (issue 12, -n): a group's median run per view, as WebPageTest picks it
-- (TestResults::getMedianRunNumber; report/spread.h is the same rule in C++): among the
-- group's runs of one view that succeeded and have the figure (all runs with it when none
-- succeeded), sorted by load_ms (document_ms for runs made with --document-only), ties by
-- run_number, the one at 0-based index floor(n / 2): the middle run, or for an even n the
-- slower of the two middle ones.
DROP VIEW IF EXISTS group_medians;
CREATE VIEW group_medians AS
WITH measured AS (
  SELECT id AS run_id, group_id, view, run_number, outcome,
    CASE WHEN json_extract(options, '$.document_only') THEN 'document' ELSE 'load' END AS median_by,
    CASE WHEN json_extract(options, '$.document_only') THEN document_ms ELSE load_ms END AS median_ms
  FROM runs WHERE group_id IS NOT NULL),
candidates AS (
  SELECT m.* FROM measured AS m
  WHERE m.median_ms IS NOT NULL AND (m.outcome = 'ok' OR NOT EXISTS (
    SELECT 1 FROM measured AS o WHERE o.group_id = m.group_id AND o.view IS m.view AND o.outcome = 'ok'
      AND o.median_ms IS NOT NULL))),
ranked AS (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY group_id, view ORDER BY median_ms, run_number, run_id) AS rank,
    COUNT(*) OVER (PARTITION BY group_id, view) AS runs
  FROM candidates)
SELECT group_id, view, run_id, run_number, median_by, median_ms, runs FROM ranked WHERE rank = runs / 2 + 1;
