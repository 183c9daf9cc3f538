// One run: a page as a set of fetches. The document's fetch starts it; what its response
// names (src/page finds it) becomes more fetches, each with its own redirect chain, its
// Chromium priority and a place in Chromium's scheduler; one DNS lookup per host serves
// them all; the run is done when every fetch is. With --document-only the document's
// redirect chain is the whole run, as a curl -L would load it.
//
// A PageLoad lives on the loader's event loop. It never calls into curl from inside a curl
// callback: what a callback learns (bytes of a document, references found in them) is
// queued and acted on from step(), which the loop calls after every round.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "dns/cache.h"
#include "dns/lookup_source.h"
#include "loader/fetch.h"
#include "loader/scheduler.h"
#include "page/discovery.h"
#include "pageload/options.h"
#include "pageload/result.h"
#include "transfer/transfer.h"

namespace pageload::page {
class DocumentDiscovery;
struct Reference;
}  // namespace pageload::page

namespace pageload::loader {

// The most of a stylesheet's text kept to be scanned (page::Limits scans up to this too).
inline constexpr std::size_t kMaxStylesheetBytes = 4u << 20;
// The most of a module script's text kept to be read for its static imports.
inline constexpr std::size_t kMaxModuleBytes = 4u << 20;

// Renumbers a run's connections in the order they were opened (connect start), keeping
// every request's link to its connection.
void number_connections_by_open_time(Run& run);

// What a connection of a pool shared by a batch's runs is, by its two ends.
using SharedConnections = std::map<transfer::ConnectionId, Connection>;

class PageLoad {
 public:
  using DoneHook = std::function<void(Run&)>;

  // `driver`, `resolver` and `pool` outlive the load; `run` has its url, label, options
  // and versions filled in. Call begin() once the run's clock is set. Requests without
  // credentials go on a pool of their own: `anonymous_pool` when given (shared, as `pool`
  // is with --share-connections), else one the page opens when it first needs it and,
  // when it owns `pool`, closes with it.
  // With --share-connections, `shared` holds what each connection of the shared pools is
  // (its proxy, TLS and certificate), kept by the run that opened it, so a later run that
  // reuses it records it as it is; null otherwise.
  PageLoad(LoadOptions options, Url url, transfer::Driver& driver, dns::LookupSource& resolver,
           transfer::PoolId pool, bool owns_pool, Run run, DoneHook done,
           std::optional<transfer::PoolId> anonymous_pool = std::nullopt, SharedConnections* shared = nullptr);
  ~PageLoad();
  PageLoad(const PageLoad&) = delete;
  PageLoad& operator=(const PageLoad&) = delete;

  // Queues the document's fetch on `clock` (the run's time origin); step() starts it.
  void begin(RunClock clock);
  // Acts on what the last round of the loop brought: references found, deadlines passed,
  // fetches the scheduler may now start; finishes the run when nothing is left.
  void step();
  // Interrupting (Ctrl-C) is two steps around Driver::cancel_all: stop() first, so the
  // exchanges cancel_all delivers start nothing new (no redirect, no reference); then
  // interrupt() ends what waits on the page itself (the scheduler, DNS) as failed with
  // Code::kInterrupted and `message`. The run is done (its hook has run) when it returns.
  void stop(const std::string& message);
  void interrupt(const std::string& message);

  bool finished() const { return finished_; }
  // The run being filled in: the one object the done hook receives.
  Run& run() { return run_; }
  // How long the loop may sleep before step() has something to do (a deadline); nullopt:
  // nothing timed.
  std::optional<long> timeout_ms() const;
  // True while a DNS lookup of this page is pending (the loop must serve the resolver).
  bool waiting_for_dns() const;

 private:
  struct Document;
  struct HostDns;

  // The life of a fetch, in order.
  int discover(Fetch fetch);
  void discover_reference(const page::Reference& ref, int initiator, int document);
  void raise_laid_out_images(int document);
  void learned_http2(const Fetch& f);
  void release(int seq);
  void resolve(int seq, bool may_reuse = true);
  void on_lookup(const std::string& host, DnsLookup lookup);
  void hand_to_curl(int seq, std::vector<std::string> addresses);
  void start_exchange(int seq, std::vector<std::string> addresses);
  bool may_multiplex(const Fetch& f) const;
  // The pool a fetch goes on: the page's, or the one for requests without credentials
  // (opened on first use).
  transfer::PoolId pool_for(const Fetch& f);
  // Its HTTP/2 connection's key: the origin, and whether it carries credentials.
  static std::string stream_key(const Fetch& f);
  // The origin of the document a fetch belongs to (what "same-origin" credentials compare with).
  std::string document_origin(int document) const;
  // Sets f.without_credentials from its mode, URL and document; notes it on its request.
  void decide_credentials(Fetch& f) const;
  void stream_ended(Fetch& f);
  void start_held_streams();
  void on_exchange(int seq, transfer::ExchangeResult result);
  void follow_redirect(int seq, const std::string& location);
  void chain_finished(int seq);
  void fail_unsent(int seq, Failure failure, std::optional<Phase> phase);
  void set_state(Fetch& f, FetchState to);
  // The headers a fetch is sent with (the user's and Chromium's), before curl adds its own.
  std::vector<Header> request_headers_for(const Fetch& f) const;

  // The HTTP cache (options_.http_cache). A fresh stored response answers the fetch with
  // no network at all (true: it is done); a stale one is marked to be revalidated.
  bool answered_from_cache(int seq);
  // The Cookie header curl will send to `url` (the run's jar and -b), for Vary: Cookie.
  std::string cookies_for(const Url& url) const;
  // A stored body as the page reads it: discovery, -o.
  void deliver_stored_body(int seq, const CachedResponse& stored);
  // What the response allows a cache (every response), and what the cache did and keeps.
  void record_cache(int seq);

  // The page: what responses mean for it.
  // `links`: its Link header values, joined (a document acts on them).
  void on_response_head(int seq, int status, const std::string& content_type, std::string links, bool nosniff);
  // A document with no usable Content-Type: HTML or not, from its first bytes.
  void decide_sniff(int document);
  // Its discovery, once it is known to be HTML; `links`: its Link header values.
  void start_discovery(int document, const std::string& content_type, std::string links);
  void on_body(int seq, std::string_view bytes);
  // Scans the bytes of `document` that arrived since the last call (from step(), after
  // curl has read what was there, and before the document's end is handled).
  void scan_arrived(int document);
  void document_complete(int seq);
  void stylesheet_complete(int seq);
  // A module script is done: its static imports are fetched (when its graph is wanted).
  void module_complete(int seq);
  // A module script or import named a URL a module fetch of the page already has.
  void module_named_again(const std::string& cache_entry);
  void take_references(std::vector<page::Reference> refs, int initiator, int document);
  // A frame's renderer leaves tight mode when its parser has inserted <body>.
  void body_progress(int document);
  // The scheduler's finished(), and what it means for the frames' <body>.
  void scheduler_finished(int chain);

  Request& request(int seq) { return run_.requests[static_cast<std::size_t>(seq)]; }
  void record_retries(transfer::ExchangeResult& result);
  void record_connection(Request& req, transfer::ExchangeResult& result);
  // Whether a request to `to`'s origin, on the same pool as `to`, is in curl's hands.
  bool in_flight_to(const Fetch& to) const;
  // A run warning, once per host and port, that a --connect-to entry sent `f` elsewhere.
  void note_connect_to(const Fetch& f, const ConnectToEntry& entry);
  void check_deadline(double now_ms);
  std::string stop_message(Code code) const;
  void mark_cut_short();
  void expire(Code code, const std::string& message);
  void maybe_finish();
  void finish();

  LoadOptions options_;
  Url first_url_;
  std::string first_origin_;  // where the user's credentials may go
  transfer::Driver& driver_;
  dns::LookupSource& resolver_;  // the recursive Resolver, or the Tracer under --dns-trace
  transfer::PoolId pool_;
  bool owns_pool_;
  // Requests without credentials: their own pool, shared (given) or opened on first use.
  std::optional<transfer::PoolId> anonymous_pool_;
  bool owns_anonymous_pool_ = false;
  SharedConnections* shared_connections_ = nullptr;  // --share-connections: what each shared connection is
  DoneHook done_;
  RunClock clock_;
  Run run_;
  std::optional<double> deadline_ms_;  // --max-time, on clock_
  transfer::CookieJar cookies_;  // the run's, as a browser profile's for one page

  std::vector<Fetch> fetches_;  // by seq, as run_.requests
  Scheduler scheduler_;
  std::set<std::string> seen_urls_;  // the page's memory cache: each URL fetched once
  std::map<std::string, int> applied_sheets_;  // a stylesheet given to discovery: URL -> seq
  std::size_t not_fetched_ = 0;      // references beyond --max-requests
  std::size_t frames_too_deep_ = 0;  // iframes beyond --max-frame-depth
  std::size_t srcdocs_past_flag_ = 0;   // <iframe srcdoc> documents beyond --max-frame-depth
  std::size_t srcdocs_past_bound_ = 0;  // ... beyond page::Limits::max_srcdoc_depth
  std::size_t imports_too_deep_ = 0;  // @imports beyond page::Limits::max_import_depth
  // Module fetches: memory cache entry -> chain, and chain -> its last hop once done.
  std::map<std::string, int> module_chains_;
  std::map<int, int> module_ends_;
  // The page's icon (<link rel=icon>, or the default /favicon.ico): Chromium's browser
  // process asks for it after the load event, once the page's other fetches are over, so
  // over HTTP/1.1 it takes a connection they left idle instead of opening another.
  struct AfterLoad {
    page::Reference ref;
    int initiator;
    int document;
  };
  std::vector<AfterLoad> after_load_;
  bool loaded_ = false;  // every fetch but the icon's finished: the icon may go
  // An exchange was handed to curl since the last step(): the loop must let curl start it
  // before it waits (with nothing else in flight, curl_multi_poll slept its whole timeout
  // on a handle just added: a second after the icon of a page over HTTP/2).
  bool handed_ = false;
  // HTTP/2 is one connection per origin: a request beyond the streams curl puts on one
  // connection (transfer::kMaxStreamsPerConnection) would make curl open another, so the
  // loader holds it, queued (its time is `blocked`), until a stream of the origin ends.
  std::map<std::string, int> streams_in_curl_;  // by stream_key
  struct HeldStream {
    int seq;
    std::vector<std::string> addresses;
  };
  std::map<std::string, std::deque<HeldStream>> held_streams_;  // by stream_key, in order
  std::vector<std::unique_ptr<Document>> documents_;
  std::map<std::string, std::unique_ptr<HostDns>> hosts_;  // by lower-case host
  dns::DnsCache dns_cache_;
  std::map<transfer::ConnectionId, int> connection_index_;  // -> run_.connections
  std::set<int> borrowed_;  // connections used but not (yet) known to be opened by this run
  int document_chain_end_ = 0;  // seq of the last hop of the page's document chain
  // Set once --max-time passed or an interrupt began: nothing new starts, and what still
  // waits fails with it.
  std::optional<Failure> stop_failure_;
  bool finished_ = false;
};

}  // namespace pageload::loader
