#include "loader/page_load.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <memory>
#include <utility>

#include "cache/http_cache.h"
#include "core/header_removal.h"
#include "core/page_notes.h"
#include "page/mime_sniff.h"
#include "core/redact.h"
#include "loader/host_rules.h"
#include "loader/priority.h"
#include "loader/redirect.h"
#include "page/discovery.h"
#include "page/module_imports.h"
#include "transfer/proxy.h"

namespace pageload::loader {
namespace {

// Between a request's addresses and its connection, pageload and curl do their own work
// (a tenth of a millisecond or so): a wait shorter than this is that work, not a queue.
// Waiting for another request's DNS lookup is a queue however short.
constexpr double kMinBlockedMs = 1.0;
constexpr double kMinWaitedMs = 0.05;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The media type of a Content-Type value, lower case, parameters dropped.
std::string media_type(const std::string& content_type) {
  std::string t = lower(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.erase(0, 1);
  return t;
}

bool is_html(const std::string& content_type) {
  const std::string t = media_type(content_type);
  return t == "text/html" || t == "application/xhtml+xml";
}

// What Chromium's Accept header says for each kind of request.
std::string accept_for(ResourceType type) {
  switch (type) {
    case ResourceType::kDocument:
      return "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8";
    case ResourceType::kStylesheet: return "text/css,*/*;q=0.1";
    case ResourceType::kImage: return "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
    default: return "*/*";
  }
}

// The Referer Chromium sends under its default policy, strict-origin-when-cross-origin:
// the whole URL (without fragment) to the same origin, the origin alone to another one
// over the same or a safer scheme, nothing from https to http.
std::string referrer_for(const Url& from, const Url& to) {
  if (from.scheme == "https" && to.scheme == "http") return {};
  if (from.origin() == to.origin()) return from.full.substr(0, from.full.find('#'));
  std::string origin = from.scheme + "://" + (from.host.find(':') != std::string::npos ? "[" + from.host + "]" : from.host);
  const bool default_port = (from.scheme == "http" && from.port == 80) || (from.scheme == "https" && from.port == 443);
  if (!default_port) origin += ":" + std::to_string(from.port);
  return origin + "/";
}

// A URL without its user, password and fragment: what curl's automatic Referer on a
// redirect (-e ';auto') names, and the HTTP cache's key (as Chromium's: credentials are not
// part of what was fetched, and a cache file must not keep them).
std::string without_credentials(const Url& from) {
  std::string url = from.full.substr(0, from.full.find('#'));
  const auto authority = url.find("://");
  if (authority == std::string::npos) return url;
  const auto end = url.find_first_of("/?", authority + 3);
  const auto at = url.rfind('@', end == std::string::npos ? std::string::npos : end);
  if (at != std::string::npos && at > authority) url.erase(authority + 3, at - authority - 2);
  return url;
}

// How long a lookup's addresses may still be used: its smallest TTL (the cache hands out
// copies whose TTLs have counted down).
std::optional<double> remaining_ttl_s(const DnsLookup& lookup) {
  std::optional<double> ttl;
  for (const auto& a : lookup.answers) ttl = std::min(ttl.value_or(1e18), static_cast<double>(a.ttl));
  return ttl;
}

// The HTTP cache's key for a URL (a GET of it).
std::string cache_key(const Url& url) { return without_credentials(url); }

// What keeps a page's requests with and without credentials apart: the connection pool,
// HTTP/2 streams and the scheduler's per-host count go by the origin and this.
std::string pool_key(const std::string& origin, bool without_credentials) {
  return origin + (without_credentials ? " without credentials" : "");
}

// The page's memory cache entry of a URL fetched with or without credentials.
std::string memory_cache_key(const std::string& url, bool without_credentials) {
  return url + (without_credentials ? "\n without credentials" : "");
}

// "scheme://host:port" of a URL the page module handed out, "" when it does not parse.
std::string origin_of(const std::string& url) {
  auto parsed = parse_url(url);
  return parsed.ok() ? parsed.value().origin() : std::string();
}

// The Content-Type a browser goes by, "" when none is usable: Chromium's
// HttpResponseHeaders::GetMimeTypeAndCharset reads every Content-Type field and every
// comma-separated value in them, and the last valid one wins; a value without a type and
// subtype (empty, "garbage") or "*/*" is skipped (HttpUtil::ParseContentType).
std::string browser_content_type(const std::vector<Header>& fields) {
  std::string chosen;
  for (const auto& [n, v] : fields) {
    if (!iequals(n, "content-type")) continue;
    std::size_t from = 0;
    while (from <= v.size()) {
      std::size_t comma = from, quote = std::string::npos;
      for (; comma < v.size(); ++comma) {  // a comma inside a quoted parameter is not one
        if (v[comma] == '"') quote = quote == std::string::npos ? comma : std::string::npos;
        else if (v[comma] == ',' && quote == std::string::npos) break;
      }
      std::string value = v.substr(from, comma - from);
      const std::string type = media_type(value);
      const std::size_t slash = type.find('/');
      if (slash != std::string::npos && slash > 0 && slash + 1 < type.size() && type != "*/*" &&
          type.find_first_of(" \t") == std::string::npos) {
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
        chosen = value;
      }
      from = comma + 1;
    }
  }
  return chosen;
}

// Whether the response forbids sniffing its type (Fetch's "determine nosniff": the first
// value of X-Content-Type-Options is "nosniff").
bool says_nosniff(const std::vector<Header>& fields) {
  for (const auto& [n, v] : fields) {
    if (!iequals(n, "x-content-type-options")) continue;
    std::string first = v.substr(0, v.find(','));
    while (!first.empty() && (first.front() == ' ' || first.front() == '\t')) first.erase(0, 1);
    while (!first.empty() && (first.back() == ' ' || first.back() == '\t')) first.pop_back();
    return iequals(first, "nosniff");
  }
  return false;
}

// Every Link field's value, joined as one field (RFC 9110 5.3).
std::string link_values(const std::vector<Header>& fields) {
  std::string links;
  for (const auto& [n, v] : fields)
    if (iequals(n, "link")) links += (links.empty() ? "" : ", ") + v;
  return links;
}

// HTML's JavaScript MIME type essences: what a module script must be served as.
bool is_javascript(const std::string& content_type) {
  static constexpr std::string_view kTypes[] = {
      "application/ecmascript", "application/javascript", "application/x-ecmascript", "application/x-javascript",
      "text/ecmascript", "text/javascript", "text/javascript1.0", "text/javascript1.1", "text/javascript1.2",
      "text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "text/jscript", "text/livescript",
      "text/x-ecmascript", "text/x-javascript"};
  const std::string t = media_type(content_type);
  return std::find(std::begin(kTypes), std::end(kTypes), t) != std::end(kTypes);
}

// "2 iframe srcdoc documents not read: nested deeper than --max-frame-depth 1 allows"
std::string srcdoc_depth_warning(std::size_t n, const std::string& bound) {
  return std::to_string(n) + (n == 1 ? " iframe srcdoc document" : " iframe srcdoc documents") +
         " not read: nested deeper than " + bound + " allows";
}

bool keeps_body(ResourceType type) { return type == ResourceType::kDocument || type == ResourceType::kStylesheet; }

PriorityHints hints_for(const page::Reference& ref) {
  PriorityHints h;
  h.type = ref.type;
  // Chromium fetches a module script (and a modulepreload) at High, async or not: only a
  // classic script's async or defer is its kLazyLoad (found by the browser comparison).
  h.lazy = !ref.module && (ref.async || ref.defer);
  h.preload = ref.preload;
  h.late_in_document = ref.after_image;
  h.media_mismatch = ref.lazy || ref.prefetch;
  h.prefetch = ref.prefetch;
  h.icon = ref.browser_fetch || ref.found_by == "link rel=icon";
  return h;
}

}  // namespace

// A document of the page: the page's own, or an iframe's.
struct PageLoad::Document {
  std::unique_ptr<page::DocumentDiscovery> discovery;  // null until an HTML response arrives
  int fetch = -1;        // the fetch whose response this document is
  int frame_depth = 0;   // 0: the page
  bool main = false;
  ImageBoost image_boost;  // its first images fetched at medium
  // Chromium's parser inserts <body> only once the parser-blocking scripts of <head> have
  // run, and each of those waits for the stylesheets named before it: the chains of those
  // still on the network (the renderer stays in tight mode until they are done).
  std::set<int> body_blockers;
  std::vector<int> head_sheets;  // stylesheets of <head> still on the network (chains)
  bool body_seen = false;        // the scan reached <body>, or the document ended
  bool complete = false;         // the document ended
  // Layout has run: the document is complete and no render-blocking stylesheet is still
  // loading. Blink then raises the images it laid out to high (see raise_laid_out_images).
  bool laid_out = false;
  // Render-blocking stylesheets (of <head>, and what they or a <style> of <head> @import)
  // still on the network, and the url()s and fonts of CSS rules held until there are none:
  // Chromium computes style, and so asks for them, once they are all in.
  std::set<int> render_blocking;
  std::set<int> render_blocking_ever;
  struct Held {
    page::Reference ref;
    int initiator;
  };
  std::vector<Held> held;
  // Bytes of the document that arrived and are not yet scanned (scan_arrived), or not yet
  // sniffed.
  std::string unscanned;
  // Its response had no usable Content-Type: its first bytes decide whether it is HTML
  // (decide_sniff), once page::kMaxSniffBytes have arrived or the body ended.
  bool sniffing = false;
  // Its response's Link header values, joined, not yet acted on (scan_arrived).
  std::string link_header;
};

// One host's addresses for this page: one lookup, however many requests wait for it.
struct PageLoad::HostDns {
  bool resolving = false;
  int owner = -1;                        // the fetch that asked (it has the dns phase)
  dns::LookupSource::LookupId lookup_id = 0;
  std::vector<int> waiters;              // fetches waiting for the answer
  std::optional<int> lookup_index;       // its row in run_.dns_lookups once answered
  std::optional<Failure> failure;        // the answer was a failure: later requests fail too
  std::vector<std::string> last_addresses;  // from the last answer, even past its TTL
};

PageLoad::PageLoad(LoadOptions options, Url url, transfer::Driver& driver, dns::LookupSource& resolver,
                   transfer::PoolId pool, bool owns_pool, Run run, DoneHook done,
                   std::optional<transfer::PoolId> anonymous_pool, SharedConnections* shared)
    : options_(std::move(options)),
      first_url_(std::move(url)),
      first_origin_(first_url_.origin()),
      driver_(driver),
      resolver_(resolver),
      pool_(pool),
      owns_pool_(owns_pool),
      anonymous_pool_(anonymous_pool),
      shared_connections_(shared),
      done_(std::move(done)),
      run_(std::move(run)),
      cookies_(options_.cookies) {}

PageLoad::~PageLoad() = default;

void PageLoad::begin(RunClock clock) {
  // The loop's first step() releases the document: done never runs from inside begin().
  clock_ = clock;
  if (options_.max_time_ms > 0) deadline_ms_ = static_cast<double>(options_.max_time_ms);
  auto main = std::make_unique<Document>();
  main->main = true;
  documents_.push_back(std::move(main));
  Fetch f;
  f.url = first_url_;
  f.method = options_.method.empty() ? (options_.data ? "POST" : "GET") : options_.method;
  f.body = options_.data;
  f.type = ResourceType::kDocument;
  PriorityHints hints;
  hints.type = ResourceType::kDocument;
  hints.main_document = true;
  f.priority = chromium_priority(hints);
  f.discovered_ms = 0;
  f.document = 0;
  seen_urls_.insert(memory_cache_key(first_url_.full, false));
  discover(std::move(f));
}

void PageLoad::set_state(Fetch& f, FetchState to) {
  assert(legal_transition(f.state, to));
  f.state = to;
}

int PageLoad::discover(Fetch f) {
  f.seq = static_cast<int>(fetches_.size());
  const bool redirect_hop = f.redirect_from.has_value();
  if (!redirect_hop) f.chain = f.seq;
  Request r;
  r.id = r.seq = f.seq;
  r.redirect_from = f.redirect_from;
  r.initiator = f.initiator;
  r.method = f.method;
  r.url = f.url.full;  // the run is redacted once, when it ends (finish)
  r.scheme = f.url.scheme;
  r.host = f.url.host;
  r.port = f.url.port;
  r.resource_type = f.type;
  r.priority = f.priority;
  r.discovered_ms = f.discovered_ms;
  r.found_by = f.found_by;
  r.note = f.note;
  if (f.without_credentials) r.note += (r.note.empty() ? "" : "; ") + std::string(kWithoutCredentialsNote);
  r.span = {f.discovered_ms, f.discovered_ms};
  run_.requests.push_back(std::move(r));
  if (!redirect_hop) {
    // A frame's renderer asks for its subresources; a document is a navigation and the
    // icon the browser's own fetch, which no renderer holds back.
    const bool browser = f.type == ResourceType::kDocument || f.browser_fetch || f.found_by == "link rel=icon";
    // Per pool: over HTTP/1.1 Chromium keeps 6 requests in flight to a host on the
    // connections with credentials and 6 more on those without (measured: 12 images of
    // one host at once, half of them crossorigin).
    scheduler_.add(f.chain, f.priority, stream_key(f), browser ? Scheduler::kBrowser : f.document);
  }
  fetches_.push_back(std::move(f));
  return fetches_.back().seq;
}

void PageLoad::discover_reference(const page::Reference& ref, int initiator, int document) {
  if (options_.document_only || finished_ || stop_failure_) return;
  // The page's memory cache: one request per URL and credentials mode (Blink reuses a
  // resource only for a request of the same credentials: a font preloaded without
  // crossorigin, or an image also used with crossorigin, is fetched a second time).
  const bool anonymous = ref.cors_anonymous && origin_of(ref.url) != document_origin(document);
  const std::string cache_entry = memory_cache_key(ref.url, anonymous);
  if (seen_urls_.count(cache_entry)) {
    if (ref.module && !ref.preload) module_named_again(cache_entry);
    return;
  }
  if (Document& doc = *documents_.at(static_cast<std::size_t>(document)); ref.css_rule && !doc.render_blocking.empty()) {
    doc.held.push_back({ref, initiator});
    return;
  }
  if (!loaded_ && (ref.browser_fetch || ref.found_by == "link rel=icon")) {
    after_load_.push_back({ref, initiator, document});
    return;
  }
  auto url = parse_url(ref.url);
  if (!url.ok()) return;  // the page module hands out only http(s) URLs that parse
  const Document& parent = *documents_.at(static_cast<std::size_t>(document));
  // A frame inside an <iframe srcdoc> sits one frame deeper per srcdoc around it.
  const int depth = parent.frame_depth + ref.srcdoc_depth + 1;
  if (ref.type == ResourceType::kDocument && depth > options_.max_frame_depth) {
    ++frames_too_deep_;
    return;
  }
  if (static_cast<int>(fetches_.size()) >= options_.max_requests) {
    ++not_fetched_;
    return;
  }
  seen_urls_.insert(cache_entry);
  Fetch f;
  f.url = std::move(url).value();
  f.type = ref.type;
  PriorityHints hints = hints_for(ref);
  const bool explicit_priority = !ref.fetch_priority.empty() && ref.fetch_priority != "auto";
  hints.boosted_image = documents_.at(static_cast<std::size_t>(document))
                            ->image_boost.take(ref.markup_image, ref.small_image, explicit_priority);
  f.priority = chromium_priority(hints);
  f.initiator = initiator;
  f.found_by = ref.found_by;
  f.note = ref.note;
  f.discovered_ms = clock_.now_ms();
  f.import_depth = ref.import_depth;
  f.browser_fetch = ref.browser_fetch;
  f.markup_image = ref.markup_image && ref.type == ResourceType::kImage;
  f.document = document;
  f.cors_anonymous = ref.cors_anonymous;
  f.module = ref.module && ref.type == ResourceType::kScript;
  f.module_graph = f.module && !ref.preload;
  decide_credentials(f);
  if (ref.type == ResourceType::kDocument) {  // an iframe: a document of its own
    auto frame = std::make_unique<Document>();
    frame->frame_depth = depth;
    f.frame_depth = frame->frame_depth;
    f.document = static_cast<int>(documents_.size());
    documents_.push_back(std::move(frame));
  }
  const int document_index = f.document;
  const bool module = f.module;
  const bool raised = f.markup_image && documents_.at(static_cast<std::size_t>(document))->laid_out;
  const int seq = discover(std::move(f));
  if (module) module_chains_.emplace(cache_entry, seq);
  if (raised) scheduler_.raise(seq, Priority::kHigh);  // found after layout: laid out at the next
  Document& finder = *documents_.at(static_cast<std::size_t>(document_index));
  const bool applied_sheet = ref.type == ResourceType::kStylesheet && !ref.preload && !ref.lazy && !ref.prefetch;
  const bool imported_by_blocking = ref.import_depth > 0 &&
      (finder.render_blocking_ever.count(initiator) || (initiator == finder.fetch && !finder.body_seen));
  if (applied_sheet && (ref.in_head || imported_by_blocking)) {
    finder.render_blocking.insert(seq);
    finder.render_blocking_ever.insert(seq);
  }
  if (applied_sheet && ref.in_head) {
    finder.head_sheets.push_back(seq);
  } else if (ref.in_head && ref.parser_blocking) {
    Document& doc = *documents_.at(static_cast<std::size_t>(document_index));
    doc.body_blockers.insert(seq);
    doc.body_blockers.insert(doc.head_sheets.begin(), doc.head_sheets.end());
  }
}

void PageLoad::body_progress(int document) {
  Document& doc = *documents_.at(static_cast<std::size_t>(document));
  if (doc.body_seen && doc.body_blockers.empty()) scheduler_.body_reached(document);
}

void PageLoad::scheduler_finished(int chain) {
  scheduler_.finished(chain);
  for (std::size_t d = 0; d < documents_.size(); ++d) {
    Document& doc = *documents_[d];
    std::erase(doc.head_sheets, chain);
    if (doc.body_blockers.erase(chain)) body_progress(static_cast<int>(d));
    doc.render_blocking.erase(chain);  // what it held goes at the next step(), after what
                                       // the sheet itself names (its @imports block too)
  }
}

void PageLoad::take_references(std::vector<page::Reference> refs, int initiator, int document) {
  for (const page::Reference& ref : refs) {
    // A url() or font names its stylesheet as initiator, as Chromium does, also when the
    // sheet arrived before its document ended and its rules waited for the whole DOM.
    auto sheet = ref.stylesheet.empty() ? applied_sheets_.end() : applied_sheets_.find(ref.stylesheet);
    discover_reference(ref, sheet != applied_sheets_.end() ? sheet->second : initiator, document);
  }
}

void PageLoad::step() {
  if (finished_) return;
  handed_ = false;
  const double now = clock_.now_ms();
  check_deadline(now);
  if (finished_) return;
  for (std::size_t d = 0; d < documents_.size(); ++d) scan_arrived(static_cast<int>(d));
  for (std::size_t d = 0; d < documents_.size(); ++d) {
    Document& doc = *documents_[d];
    if (!doc.render_blocking.empty()) continue;
    for (const auto& h : std::exchange(doc.held, {})) discover_reference(h.ref, h.initiator, static_cast<int>(d));
    if (doc.complete && !doc.laid_out) raise_laid_out_images(static_cast<int>(d));
  }
  if (!stop_failure_) {
    start_held_streams();
    for (Scheduler::Id chain : scheduler_.start()) release(chain);
  }
  maybe_finish();
}

// Blink lays a document out once it is complete and its render-blocking stylesheets are in,
// and raises the images it laid out to high (ImageResourceContent's priority by
// visibility; DevTools shows resourceChangedPriority Low -> High at that moment): over
// HTTP/1.1 they then leave the page's cap of 10 delayable requests. Without a layout of its
// own pageload raises every image its markup names (one far below the viewport stays low
// in Chromium); the recorded priority stays the one it was found with, as DevTools'
// initialPriority.
void PageLoad::raise_laid_out_images(int document) {
  Document& doc = *documents_.at(static_cast<std::size_t>(document));
  doc.laid_out = true;
  for (const Fetch& f : fetches_)
    if (f.document == document && f.markup_image && f.seq == f.chain) scheduler_.raise(f.chain, Priority::kHigh);
}

// Whether a server speaks HTTP/2 is the server's (Chromium's HttpServerProperties), so both
// of its pools' requests stop being delayable.
void PageLoad::learned_http2(const Fetch& f) {
  for (bool without : {false, true}) scheduler_.origin_multiplexes(pool_key(f.url.origin(), without));
}

void PageLoad::release(int seq) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  f.released_ms = clock_.now_ms();
  if (seq == 0) {
    // The page's first request waits for nothing: it is found when the loop first turns.
    // Time before that is pageload starting up (the run's clock starts just before), not
    // a queue, so it is no `blocked` phase; the request starts later than 0 instead.
    f.discovered_ms = *f.released_ms;
    request(seq).discovered_ms = f.discovered_ms;
  }
  request(seq).span.start_ms = *f.released_ms;
  if (answered_from_cache(seq)) return;
  resolve(seq);
}

std::string PageLoad::cookies_for(const Url& url) const {
  // The jar's cookies of the host, as NAME=VALUE in the jar's order, and -b's string; by
  // domain and Secure only (a cookie of another path counts too): for Vary: Cookie this can
  // only make a stored response less often fresh than a browser would, never wrongly fresh.
  std::string out;
  auto add = [&out](std::string_view cookie) {
    if (!out.empty()) out += "; ";
    out += cookie;
  };
  for (const std::string& line : cookies_.lines()) {
    std::vector<std::string_view> f;
    std::string_view rest = line;
    for (std::size_t tab; (tab = rest.find('\t')) != std::string_view::npos; rest.remove_prefix(tab + 1))
      f.push_back(rest.substr(0, tab));
    f.push_back(rest);
    if (f.size() < 7) continue;
    std::string_view domain = f[0];
    if (domain.rfind("#HttpOnly_", 0) == 0) domain.remove_prefix(10);
    if (!domain.empty() && domain.front() == '.') domain.remove_prefix(1);
    const std::string host = lower(url.host);
    const std::string dom = lower(std::string(domain));
    const bool subdomains = f[1] == "TRUE";
    const bool matches = host == dom || (subdomains && host.size() > dom.size() &&
                                         host.compare(host.size() - dom.size(), dom.size(), dom) == 0 &&
                                         host[host.size() - dom.size() - 1] == '.');
    if (!matches || (f[3] == "TRUE" && url.scheme != "https")) continue;
    add(std::string(f[5]) + "=" + std::string(f[6]));
  }
  if (url.host == first_url_.host && !options_.cookie.empty()) add(options_.cookie);
  return out;
}

bool PageLoad::answered_from_cache(int seq) {
  cache::HttpCache* cache = options_.http_cache;
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  if (!cache || f.method != "GET" || f.body) return false;
  f.cache_request_headers = request_headers_for(f);
  std::erase_if(f.cache_request_headers, is_removed_header);  // not sent: not there for Vary
  if (!options_.user_agent.empty()) f.cache_request_headers.push_back({"User-Agent", options_.user_agent});
  // The cookies curl will add (the run's jar, -b NAME=VALUE): for `Vary: Cookie`.
  if (auto cookie = f.without_credentials ? std::string() : cookies_for(f.url); !cookie.empty())
    f.cache_request_headers.push_back({"Cookie", cookie});
  auto hit = cache->lookup(cache_key(f.url), f.cache_request_headers);
  if (!hit || hit->decision.use == cache::Use::kUnusable) return false;
  if (hit->decision.use == cache::Use::kRevalidate) {
    f.revalidating = *hit->stored;  // start_exchange sends its validators
    return false;
  }
  const CachedResponse stored = *hit->stored;
  // Done inside step(): the loop must step again before it waits, to release what the
  // stored body names (nothing of this fetch is on the network to wake it).
  handed_ = true;
  Request& req = request(seq);
  req.span.end_ms = clock_.now_ms();
  req.http_version = stored.http_version;
  req.status = stored.status;
  req.response_headers = stored.response_headers;
  req.content_type = stored.content_type;
  req.location = cache::header_value(stored.response_headers, "location").value_or("");
  req.body_bytes = 0;  // nothing on the wire
  req.body_decoded = stored.body_decoded;
  req.from_cache = true;
  req.cache_lookup = "fresh";
  req.bytes_saved = stored.body_bytes;
  const cache::Freshness fresh = cache::freshness(stored.status, stored.response_headers, stored.response_time_s);
  req.cache_lifetime_s = fresh.lifetime_s;
  req.cache_reason = std::string(cache::reason_name(fresh.reason));
  set_state(f, FetchState::kDone);
  const std::string location = req.location;
  deliver_stored_body(seq, stored);
  if (is_redirect_status(stored.status)) follow_redirect(seq, location);
  else chain_finished(seq);
  return true;
}

void PageLoad::deliver_stored_body(int seq, const CachedResponse& stored) {
  const Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  const bool parsed = !options_.document_only && (keeps_body(f.type) || f.module);
  const std::string body = stored.body.value_or(std::string());
  if (options_.on_document_body && f.type == ResourceType::kDocument && f.frame_depth == 0 &&
      !is_redirect_status(stored.status) && !(options_.document_body_fails_on_error && stored.status >= 400)) {
    options_.on_document_body(seq, {});
    options_.on_document_body(seq, body);
  }
  if (!parsed) return;
  on_response_head(seq, stored.status, stored.content_type, link_values(stored.response_headers),
                   says_nosniff(stored.response_headers));
  on_body(seq, body);
}

void PageLoad::record_cache(int seq) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  Request& req = request(seq);
  cache::HttpCache* cache = options_.http_cache;
  const int64_t now_s = cache ? cache->now_s() : cache::system_wall_clock()();
  const bool revalidated = cache && f.revalidating && *req.status == 304;
  // What the response allows a cache (for a 304, the stored response it renewed).
  const int status = revalidated ? f.revalidating->status : *req.status;
  const std::vector<Header> headers =
      revalidated ? cache::merge_304_headers(f.revalidating->response_headers, req.response_headers) : req.response_headers;
  cache::Freshness fresh = cache::freshness(status, headers, now_s);
  if (auto no = cache::not_storable(req.method, status, headers)) fresh = {0, *no};
  req.cache_lifetime_s = fresh.lifetime_s;
  req.cache_reason = std::string(cache::reason_name(fresh.reason));
  if (!cache || f.method != "GET" || f.body) return;
  const std::string key = cache_key(f.url);
  if (revalidated) {
    cache->revalidated(key, req.response_headers, f.sent_wall_s, now_s);
    req.cache_lookup = "revalidated";
    req.bytes_saved = f.revalidating->body_bytes;
    // The page used the stored body: its decoded size and type are the stored response's
    // (a 304 carries no body and seldom a Content-Type), as DevTools shows a 304's
    // resource size and MIME type; body_bytes stays what came on the wire.
    req.body_decoded = f.revalidating->body_decoded;
    if (req.content_type.empty()) req.content_type = f.revalidating->content_type;
    return;
  }
  req.cache_lookup = f.revalidating ? "changed" : "miss";
  // A document, stylesheet or module script is kept with its body, which a later load
  // reads again (a module's for its imports); one whose body was not read
  // (--document-only) is not kept at all.
  if (keeps_body(f.type) && options_.document_only) return;
  CachedResponse c;
  c.url = key;
  c.status = *req.status;
  c.http_version = req.http_version;
  c.response_headers = req.response_headers;
  c.request_headers = f.cache_request_headers;
  c.request_time_s = f.sent_wall_s;
  c.response_time_s = now_s;
  if (f.type == ResourceType::kDocument) c.body = std::move(f.document_text);
  if (f.type == ResourceType::kStylesheet) c.body = f.stylesheet_text;
  if (f.module) c.body = f.module_text;  // module_complete() reads it after this
  c.body_bytes = req.body_bytes.value_or(0);
  c.body_decoded = req.body_decoded.value_or(c.body_bytes);
  c.content_type = req.content_type;
  cache->store(f.method, std::move(c));
}

void PageLoad::resolve(int seq, bool may_reuse) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  const double now = clock_.now_ms();
  f.proxy = transfer::proxy_for(f.url, options_.proxy_env, options_.noproxy, options_.proxy);
  // Through a proxy that resolves the target, the name to look up is the proxy's own.
  const bool proxied = f.proxy && !f.proxy->resolves_locally;
  Url target = f.url;
  f.connect_to.reset();
  if (auto dial = connect_to_for(f.url, options_)) {
    // As curl: through a proxy, an https request's tunnel is asked for the other host and
    // port; an http:// one goes to the proxy as it is, so the entry changes nothing.
    if (proxied && f.url.scheme != "https") {
      request(seq).warnings.push_back("--connect-to " + dial->entry->text + " not applied: an http:// request goes to the proxy " +
                                      f.proxy->shown + " as it is");
    } else {
      f.connect_to = transfer::ExchangeSpec::ConnectTo{dial->host, dial->port, dial->host_is_ip};
      note_connect_to(f, *dial->entry);
      if (!proxied) {
        target.host = dial->host;
        target.port = dial->port;
        target.host_is_ip = dial->host_is_ip;
      }
    }
  }
  if (proxied) {
    if (const ResolveEntry* r = resolve_entry_for(f.url, options_))
      request(seq).warnings.push_back("--resolve " + r->host + ":" + std::to_string(r->port) +
                                      " not applied: the proxy " + f.proxy->shown + " resolves the host");
    if (f.proxy->host_is_ip || f.proxy->host.empty()) return hand_to_curl(seq, {});
    target.host = f.proxy->host;
    target.port = f.proxy->port;
    target.host_is_ip = false;
  }
  f.dns_host = target.host;
  if (auto fixed = fixed_addresses(target, options_)) {
    // localhost is answered as a system's hosts file would: recorded, with no query.
    if (auto hosts = hosts_lookup(target, options_, now)) f.lookup = std::move(hosts);
    return hand_to_curl(seq, std::move(*fixed));
  }

  auto& slot = hosts_[lower(target.host)];
  if (!slot) slot = std::make_unique<HostDns>();
  HostDns& host = *slot;
  if (host.failure) {
    // The page already learnt this name does not resolve (a browser's negative cache).
    f.addresses_ms = now;
    request(seq).dns_lookup = host.lookup_index;
    return fail_unsent(seq, *host.failure, Phase::kDns);
  }
  if (host.resolving) {
    host.waiters.push_back(seq);
    f.waited_for_lookup = true;
    return set_state(f, FetchState::kWaitingDns);
  }
  if (auto cached = dns_cache_.get(target.host, options_.ip_version, now)) {
    f.lookup = std::move(cached);
    return hand_to_curl(seq, f.lookup->addresses());
  }
  // Past its TTL. A browser resolves again before it opens a new connection; a request
  // that will reuse an open, idle one needs no addresses (nothing else to this origin is
  // on the network to hold it). Should curl find that connection gone after all, the
  // exchange comes back needing addresses and this runs again with may_reuse false.
  // An HTTP/2 connection takes the request as one more stream however many are in flight
  // (a page's later requests, or another run's with --share-connections).
  if (const transfer::PoolId pool = pool_for(f);
      may_reuse && !proxied && options_.keepalive && driver_.has_live_connection(pool, f.url) &&
      (!in_flight_to(f) || driver_.has_live_connection(pool, f.url, /*multiplexed_only=*/true)))
    return hand_to_curl(seq, {});

  host.resolving = true;
  host.owner = seq;
  f.asked_dns = true;
  set_state(f, FetchState::kWaitingDns);
  const std::string key = lower(target.host);
  host.lookup_id = resolver_.resolve(target.host, options_.ip_version, clock_, [this, key](DnsLookup lookup) {
    on_lookup(key, std::move(lookup));
  });
}

void PageLoad::note_connect_to(const Fetch& f, const ConnectToEntry& entry) {
  auto authority = [](const std::string& host, int port) {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  };
  const std::string to = authority(f.connect_to->host, f.connect_to->port);
  const std::string line =
      "requests for " + authority(f.url.host, f.url.port) +
      (f.proxy ? " are tunnelled to " + to + " through the proxy " + f.proxy->shown : " go to " + to) +
      " (--connect-to " + entry.text + ")";
  if (std::find(run_.warnings.begin(), run_.warnings.end(), line) == run_.warnings.end()) run_.warnings.push_back(line);
}

bool PageLoad::in_flight_to(const Fetch& to) const {
  const std::string origin = to.url.origin();
  for (const Fetch& f : fetches_)
    if ((f.state == FetchState::kQueued || f.state == FetchState::kSending || f.state == FetchState::kWaiting ||
         f.state == FetchState::kReceiving) && f.url.origin() == origin && f.without_credentials == to.without_credentials)
      return true;
  return false;
}

void PageLoad::on_lookup(const std::string& key, DnsLookup lookup) {
  if (finished_) return;
  HostDns& host = *hosts_.at(key);
  host.resolving = false;
  lookup.id = static_cast<int>(run_.dns_lookups.size());
  host.lookup_index = lookup.id;
  run_.dns_lookups.push_back(lookup);
  const double end = lookup.span.end_ms;
  std::vector<int> waiting = std::move(host.waiters);
  host.waiters.clear();
  Fetch& owner = fetches_[static_cast<std::size_t>(host.owner)];
  owner.lookup = lookup;
  owner.addresses_ms = end;
  if (lookup.failure) {
    host.failure = lookup.failure;
    fail_unsent(host.owner, *lookup.failure, Phase::kDns);
    for (int seq : waiting) {
      fetches_[static_cast<std::size_t>(seq)].addresses_ms = end;
      request(seq).dns_lookup = host.lookup_index;
      fail_unsent(seq, *lookup.failure, Phase::kDns);
    }
    return;
  }
  dns_cache_.put(lookup, end);
  host.last_addresses = lookup.addresses();
  if (stop_failure_) {
    fail_unsent(host.owner, *stop_failure_, std::nullopt);
    for (int seq : waiting) fail_unsent(seq, *stop_failure_, std::nullopt);
  } else {
    hand_to_curl(host.owner, host.last_addresses);
    for (int seq : waiting) {
      fetches_[static_cast<std::size_t>(seq)].addresses_ms = end;
      request(seq).dns_lookup = host.lookup_index;
      hand_to_curl(seq, host.last_addresses);
    }
  }
}

std::string PageLoad::document_origin(int document) const {
  const Document& doc = *documents_.at(static_cast<std::size_t>(document));
  return doc.fetch >= 0 ? fetches_[static_cast<std::size_t>(doc.fetch)].url.origin() : first_origin_;
}

void PageLoad::decide_credentials(Fetch& f) const {
  f.without_credentials = f.cors_anonymous && (f.tainted || f.url.origin() != document_origin(f.document));
}

transfer::PoolId PageLoad::pool_for(const Fetch& f) {
  if (!f.without_credentials) return pool_;
  if (!anonymous_pool_) {
    anonymous_pool_ = driver_.open_pool();
    owns_anonymous_pool_ = true;
  }
  return *anonymous_pool_;
}

std::string PageLoad::stream_key(const Fetch& f) { return pool_key(f.url.origin(), f.without_credentials); }

bool PageLoad::may_multiplex(const Fetch& f) const {
  return f.url.scheme == "https" && !options_.http11;
}

void PageLoad::hand_to_curl(int seq, std::vector<std::string> addresses) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  if (!f.addresses_ms) f.addresses_ms = clock_.now_ms();
  if (may_multiplex(f)) {
    const std::string key = stream_key(f);
    if (streams_in_curl_[key] >= transfer::kMaxStreamsPerConnection) {
      set_state(f, FetchState::kQueued);
      held_streams_[key].push_back({seq, std::move(addresses)});
      return;
    }
    ++streams_in_curl_[key];
    f.holds_stream = true;
  }
  start_exchange(seq, std::move(addresses));
}

void PageLoad::stream_ended(Fetch& f) {
  if (!f.holds_stream) return;
  f.holds_stream = false;
  --streams_in_curl_[stream_key(f)];
}

// From step(), not from inside an exchange's end: what a stream freed goes to the
// oldest request held for its connection (origin, with or without credentials).
void PageLoad::start_held_streams() {
  for (auto& [key, held] : held_streams_) {
    while (!held.empty() && streams_in_curl_[key] < transfer::kMaxStreamsPerConnection) {
      HeldStream next = std::move(held.front());
      held.pop_front();
      ++streams_in_curl_[key];
      fetches_[static_cast<std::size_t>(next.seq)].holds_stream = true;
      start_exchange(next.seq, std::move(next.addresses));
    }
  }
}

void PageLoad::start_exchange(int seq, std::vector<std::string> addresses) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  handed_ = true;
  const double now = clock_.now_ms();
  const LoadOptions& o = options_;
  transfer::ExchangeSpec spec;
  spec.pool = pool_for(f);
  spec.url = f.url;
  // Without credentials: no user and password of the URL either (Fetch sends them only
  // with credentials).
  if (f.without_credentials) spec.url.full = without_credentials(f.url);
  spec.method = f.method;
  spec.body = f.body;
  spec.headers = request_headers_for(f);
  if (o.http_cache) {
    f.sent_wall_s = o.http_cache->now_s();
    if (f.revalidating) {
      auto validators = cache::evaluate(*f.revalidating, f.cache_request_headers, f.sent_wall_s).validators.headers();
      spec.headers.insert(spec.headers.end(), validators.begin(), validators.end());
    }
  }
  spec.user_agent = o.user_agent;
  // A request without credentials neither sends the jar's cookies nor stores what its
  // response sets (Fetch: cookies go both ways only with credentials).
  if (!f.without_credentials) spec.cookies = &cookies_;
  // -b 'NAME=VALUE': as the user's own Cookie header, only to the host they sent the load
  // to (any scheme or port of it, as curl sends it on an http -> https redirect), never to
  // another host.
  if (f.url.host == first_url_.host && !f.without_credentials) spec.cookie = o.cookie;
  spec.proxy = f.proxy;
  spec.proxy_user = o.proxy_user;
  spec.connect_to = f.connect_to;
  if (f.proxy && !f.proxy->resolves_locally) {
    spec.proxy_addresses = std::move(addresses);  // the proxy's own host: the target is its to resolve
  } else {
    // A hosts answer (localhost) holds for as long as the pool lives, as --resolve's do.
    if (f.lookup && f.lookup->source != "hosts" && !addresses.empty()) spec.addresses_ttl_s = remaining_ttl_s(*f.lookup);
    spec.addresses = std::move(addresses);
  }
  spec.insecure = o.insecure;
  spec.cacert = o.cacert;
  spec.ip_version = o.ip_version;
  spec.keepalive = o.keepalive;
  spec.connect_timeout_ms = o.connect_timeout_ms;
  spec.max_filesize = o.max_filesize;
  spec.compressed = o.compressed;
  spec.http_version = o.http11 ? transfer::HttpVersion::kHttp11 : transfer::HttpVersion::kNegotiate;
  spec.tls_min = o.tls_min;
  spec.tls_max = o.tls_max;
  spec.tls_sessions = o.tls_sessions;
  spec.stream_weight = http2_weight(f.priority);
  if (deadline_ms_) spec.timeout_ms = std::max(1L, static_cast<long>(*deadline_ms_ - now));
  const bool parsed = !o.document_only && (keeps_body(f.type) || f.module);
  if (parsed) {
    spec.on_head = [this, seq](int status, const std::vector<Header>& fields) {
      on_response_head(seq, status, browser_content_type(fields), link_values(fields), says_nosniff(fields));
    };
    spec.on_body = [this, seq](std::string_view bytes) { on_body(seq, bytes); };
  }
  if (o.on_document_body && f.type == ResourceType::kDocument && f.frame_depth == 0) {
    // -o: the page's own document, each answer's body (the CLI keeps the last one's), but
    // never a redirect's, which is not kept (as curl -L): a chain that fails after a 3xx
    // leaves the file as it was, not holding "302 Found".
    auto head = std::move(spec.on_head);
    auto body = std::move(spec.on_body);
    auto redirect = std::make_shared<bool>(false);
    spec.on_head = [this, seq, head, redirect](int status, const std::vector<Header>& fields) {
      // (with -f, an error page is not kept either)
      *redirect = is_redirect_status(status) || (options_.document_body_fails_on_error && status >= 400);
      if (!*redirect) options_.on_document_body(seq, {});
      if (head) head(status, fields);
    };
    spec.on_body = [this, seq, body, redirect](std::string_view bytes) {
      if (!*redirect) options_.on_document_body(seq, bytes);
      if (body) body(bytes);
    };
  }
  spec.on_stage = [this, seq](transfer::ExchangeSpec::Stage stage) {
    Fetch& fetch = fetches_[static_cast<std::size_t>(seq)];
    if (stage == transfer::ExchangeSpec::Stage::kSending && fetch.state == FetchState::kQueued)
      set_state(fetch, FetchState::kSending);
    if (stage == transfer::ExchangeSpec::Stage::kReceiving) {
      if (fetch.state == FetchState::kSending) set_state(fetch, FetchState::kWaiting);
      if (fetch.state == FetchState::kWaiting) set_state(fetch, FetchState::kReceiving);
    }
  };
  // Chromium learns that a server speaks HTTP/2 when its connection is set up (ALPN), not
  // when a response ends: from then on none of the origin's requests is delayable.
  spec.on_http2 = [this, seq] { learned_http2(fetches_[static_cast<std::size_t>(seq)]); };
  if (f.state != FetchState::kQueued) set_state(f, FetchState::kQueued);
  Status started = driver_.start(spec, clock_, [this, seq](transfer::ExchangeResult result) {
    on_exchange(seq, std::move(result));
  });
  if (started.ok()) return;
  // Nothing started: the request fails where it stands, in connect, without a response.
  Request& req = request(seq);
  req.phases.push_back(PhaseRecord{Phase::kConnect, {now, now}, Failure{started.code(), started.message()}});
  req.error_phase = Phase::kConnect;
  fail_unsent(seq, Failure{started.code(), started.message()}, std::nullopt);
}

std::vector<Header> PageLoad::request_headers_for(const Fetch& f) const {
  const LoadOptions& o = options_;
  std::vector<Header> headers = headers_for_hop(o.headers, first_origin_, f.url.origin(), f.body.has_value());
  // -u (an Authorization header) and -H 'Cookie: ...' are credentials.
  if (f.without_credentials)
    std::erase_if(headers, [](const Header& h) { return iequals(h.first, "authorization") || iequals(h.first, "cookie"); });
  // Chromium's Accept for the kind of request, the document's on every hop of its chain
  // (a server that negotiates answers each hop alike); a user's -H 'Accept: ...' replaces
  // it on every request, as curl's replaces its own.
  // (-H 'Name:', a header left out, counts: pageload adds none of its own then either.)
  auto user_gave = [&o](std::string_view name) {
    return std::any_of(o.headers.begin(), o.headers.end(), [name](const Header& h) { return iequals(h.first, name); });
  };
  if (!user_gave("accept")) headers.insert(headers.begin(), {"Accept", accept_for(f.type)});
  if (f.type != ResourceType::kDocument || f.frame_depth > 0 || f.redirect_from) {
    // The Referer Chromium sends by default policy with a request the page made.
    if (f.initiator) {
      const Fetch& by = fetches_[static_cast<std::size_t>(*f.initiator)];
      if (std::string referrer = referrer_for(by.url, f.url);
          !referrer.empty() && f.type != ResourceType::kDocument && !user_gave("referer"))
        headers.push_back({"Referer", referrer});
    }
  }
  if (f.type == ResourceType::kDocument && f.frame_depth == 0) {
    // -e URL;auto: the previous hop's URL on a redirect hop, as curl sends it.
    if (o.referer_auto && f.redirect_from)
      headers.push_back({"Referer", without_credentials(fetches_[static_cast<std::size_t>(*f.redirect_from)].url)});
    else if (!o.referer.empty())
      headers.push_back({"Referer", o.referer});
  }
  return headers;
}

void PageLoad::on_response_head(int seq, int status, const std::string& content_type, std::string links,
                                bool nosniff) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  if (f.type != ResourceType::kDocument || is_redirect_status(status)) return;
  Document& doc = *documents_.at(static_cast<std::size_t>(f.document));
  doc.fetch = seq;
  // A browser renders only what it can: a document served as anything but HTML (say
  // application/octet-stream) is downloaded, not parsed, and names nothing. One with no
  // usable type is sniffed from its first bytes, as Chromium's network service does,
  // unless it says nosniff (decide_sniff).
  if (!is_html(content_type)) {
    if (page::is_unknown_media_type(media_type(content_type))) {
      if (!nosniff) {
        doc.sniffing = true;
        doc.link_header = std::move(links);
      } else {
        request(seq).note += (request(seq).note.empty() ? "" : "; ") + std::string(kNosniffNote);
      }
    }
    return;
  }
  start_discovery(f.document, content_type, std::move(links));
}

void PageLoad::decide_sniff(int document) {
  Document& doc = *documents_.at(static_cast<std::size_t>(document));
  doc.sniffing = false;
  Request& req = request(doc.fetch);
  const bool html = page::sniffs_as_html(doc.unscanned);
  req.note += (req.note.empty() ? "" : "; ") + std::string(html ? kSniffedAsHtmlNote : kSniffedNotHtmlNote);
  if (!html) {
    doc.unscanned.clear();
    doc.link_header.clear();
    return;
  }
  start_discovery(document, "text/html", std::exchange(doc.link_header, {}));
}

void PageLoad::start_discovery(int document, const std::string& content_type, std::string links) {
  Document& doc = *documents_.at(static_cast<std::size_t>(document));
  const Fetch& f = fetches_[static_cast<std::size_t>(doc.fetch)];
  page::Limits limits;
  limits.default_favicon = doc.main;  // the browser asks for the page's icon, not a frame's
  // An <iframe srcdoc> is a frame too: --max-frame-depth bounds it as it bounds <iframe src>.
  limits.max_srcdoc_depth = std::max(0, std::min(limits.max_srcdoc_depth, options_.max_frame_depth - doc.frame_depth));
  doc.discovery = std::make_unique<page::DocumentDiscovery>(f.url.full, limits, page::Screen{}, content_type);
  // Its Link header's preloads go as the response arrives, before what its body names
  // (scan_arrived, from step(): nothing is discovered inside curl's callback).
  doc.link_header = std::move(links);
}

void PageLoad::on_body(int seq, std::string_view bytes) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  if (options_.http_cache && f.type == ResourceType::kDocument && !request(seq).from_cache) {
    const std::size_t room = cache::kMaxKeptBodyBytes - std::min(cache::kMaxKeptBodyBytes, f.document_text.size());
    f.document_text.append(bytes.substr(0, room));
  }
  if (f.module) {
    const std::size_t room = kMaxModuleBytes - std::min(kMaxModuleBytes, f.module_text.size());
    f.module_text.append(bytes.substr(0, room));
    return;
  }
  if (f.type == ResourceType::kStylesheet) {
    const std::size_t room = kMaxStylesheetBytes - std::min(kMaxStylesheetBytes, f.stylesheet_text.size());
    if (bytes.size() > room) f.stylesheet_truncated = true;
    f.stylesheet_text.append(bytes.substr(0, room));
    return;
  }
  Document& doc = *documents_.at(static_cast<std::size_t>(f.document));
  if ((!doc.discovery && !doc.sniffing) || doc.fetch != seq) return;
  // Kept for scan_arrived, after curl has read what is there: scanned here, inside curl's
  // read, pageload's own parsing would hold up the rest of the body and count as the
  // document's download (a 164 KB document took 90 ms to "arrive" in 1 ms).
  doc.unscanned.append(bytes);
}

void PageLoad::scan_arrived(int document) {
  Document& doc = *documents_.at(static_cast<std::size_t>(document));
  if (doc.sniffing && doc.unscanned.size() >= page::kMaxSniffBytes) decide_sniff(document);
  if (doc.discovery && !doc.link_header.empty())
    take_references(doc.discovery->link_header(std::exchange(doc.link_header, {})), doc.fetch, document);
  if (!doc.discovery || doc.unscanned.empty()) return;
  const std::string bytes = std::exchange(doc.unscanned, {});
  // Discovery as bytes arrive (Chromium's preload scanner): references found now are
  // requested while the rest of the document is still on its way.
  take_references(doc.discovery->feed(bytes), doc.fetch, document);
  if (doc.discovery->body_started() && !doc.body_seen) {
    doc.body_seen = true;
    body_progress(document);
  }
}

void PageLoad::on_exchange(int seq, transfer::ExchangeResult result) {
  if (finished_) return;
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  stream_ended(f);
  if (result.needed_addresses && !f.readdressed && !stop_failure_) {
    // The connection it was to reuse had been closed, and the answer it would need for a
    // new one had expired: nothing went on the wire. Look the host up as a browser
    // would before a new connection, and go again; the time so far counts as blocked.
    f.readdressed = true;
    f.lookup.reset();
    f.asked_dns = false;
    f.waited_for_lookup = false;
    f.addresses_ms.reset();
    return resolve(seq, /*may_reuse=*/false);
  }
  Request& req = request(seq);
  const transfer::Stamps& st = result.stamps;
  Request got = std::move(result.request);
  // Keep what the page knows of the request; take what the exchange measured.
  got.id = req.id;
  got.seq = req.seq;
  got.redirect_from = req.redirect_from;
  got.initiator = req.initiator;
  got.resource_type = req.resource_type;
  got.priority = req.priority;
  got.discovered_ms = req.discovered_ms;
  got.found_by = req.found_by;
  got.note = req.note;
  got.dns_lookup = req.dns_lookup;
  got.warnings.insert(got.warnings.begin(), req.warnings.begin(), req.warnings.end());
  // The row keeps the Content-Type the page went by (curl reports the last field's value,
  // which may be one Chromium skips), so a note never contradicts what was fetched.
  if (got.status && !got.response_headers.empty()) {
    if (std::string type = browser_content_type(got.response_headers); !type.empty()) got.content_type = type;
  }
  req = std::move(got);

  record_retries(result);
  record_connection(req, result);
  if (!req.failure && req.status) record_cache(seq);

  // DNS: the lookup this fetch made is its dns phase. An answer it took from the page's
  // cache, or from another fetch's lookup, has no phase and is linked only when the
  // request opened a connection with it.
  const bool new_connection = result.connection.has_value();
  double start = f.released_ms.value_or(req.span.start_ms);
  if (f.asked_dns && f.lookup && !new_connection) {
    // It looked the host up for a connection of its own, and curl then gave it one that
    // was open (another request's, or an earlier run's with --share-connections): a reused
    // connection has no dns phase. The lookup stays in the run's lookups; the wait for
    // it counts as blocked.
    req.dns_lookup.reset();
  } else if (f.asked_dns && f.lookup) {
    req.dns_lookup = hosts_.at(lower(f.dns_host))->lookup_index;
    req.phases.insert(req.phases.begin(), PhaseRecord{Phase::kDns, f.lookup->span, std::nullopt});
    start = std::min(start, f.lookup->span.start_ms);
  } else if (f.lookup && new_connection) {
    DnsLookup cached = *f.lookup;
    cached.id = static_cast<int>(run_.dns_lookups.size());
    req.dns_lookup = cached.id;
    run_.dns_lookups.push_back(std::move(cached));
  } else if (!new_connection) {
    req.dns_lookup.reset();
  }

  // Blocked (HAR's blocked): from the moment the page found it until its own network work
  // began (its DNS lookup, or its connection starting or ready), the time it waited for
  // the scheduler, for another request's lookup, for a free connection or an HTTP/2 one.
  const std::optional<double> connection_start = new_connection ? st.socket_opened : st.connection_ready;
  std::optional<double> own_start = f.asked_dns && f.lookup && new_connection
                                        ? std::optional<double>(f.lookup->span.start_ms)
                                        : connection_start;
  const bool waited_for_dns = f.waited_for_lookup && f.addresses_ms && *f.addresses_ms - f.discovered_ms >= kMinWaitedMs;
  if (own_start && (*own_start - f.discovered_ms >= kMinBlockedMs || waited_for_dns)) {
    req.phases.push_back(PhaseRecord{Phase::kBlocked, {f.discovered_ms, *own_start}, std::nullopt});
    start = std::min(start, f.discovered_ms);
  }
  const bool cut = req.failure && (req.failure->code == Code::kTimeout || req.failure->code == Code::kInterrupted);
  if (req.failure && !own_start && (!req.error_phase || cut)) {
    // Cut (--max-time, Ctrl-C) while curl held it for a connection: its wait failed. It
    // never had one, so no phase of a connection is its (curl's progress read as "send").
    std::erase_if(req.phases, [](const PhaseRecord& p) { return p.phase != Phase::kDns; });
    if (req.failure->code == Code::kInterrupted && req.failure->message.find(" while ") == std::string::npos)
      req.failure->message += " while it waited for a connection";  // as a request held back says what for
    const double end = std::max(f.discovered_ms, req.span.end_ms);
    req.phases.push_back(PhaseRecord{Phase::kBlocked, {f.discovered_ms, end}, req.failure});
    req.error_phase = Phase::kBlocked;
    start = std::min(start, f.discovered_ms);
  }
  if (req.failure && req.failure->code == Code::kTimeout && deadline_ms_ && clock_.now_ms() >= *deadline_ms_ - 2) {
    // curl's message counts from when the transfer got its connection; say it in the
    // page's own time.
    const bool queued = req.error_phase == Phase::kBlocked;
    req.failure->message = stop_message(Code::kTimeout) +
                           (queued ? std::string(" while it waited for a connection")
                            : req.error_phase ? " during " + std::string(phase_name(*req.error_phase)) : std::string());
    for (PhaseRecord& p : req.phases)
      if (p.failure) p.failure = req.failure;
  }
  req.span.start_ms = start;
  std::sort(req.phases.begin(), req.phases.end(),
            [](const PhaseRecord& a, const PhaseRecord& b) { return a.span.start_ms < b.span.start_ms; });

  // on_stage moved it along as it happened; an exchange cancelled or failed before a
  // stage never reached it, and one that got a whole response ends receiving.
  if (!req.failure) {
    if (f.state == FetchState::kQueued) set_state(f, FetchState::kSending);
    if (f.state == FetchState::kSending) set_state(f, FetchState::kWaiting);
    if (f.state == FetchState::kWaiting) set_state(f, FetchState::kReceiving);
  }
  if (req.http_version == "HTTP/2") learned_http2(f);  // without TLS (no ALPN to say it before)

  const std::string location = req.location;  // followed as sent; finish() redacts the run
  if (req.failure) {
    set_state(f, FetchState::kFailed);
    return chain_finished(seq);
  }
  set_state(f, FetchState::kDone);
  if (req.status && is_redirect_status(*req.status)) return follow_redirect(seq, location);
  if (req.cache_lookup == "revalidated") {
    // 304: the page reads the stored body as if it had come again.
    const CachedResponse stored = *f.revalidating;
    deliver_stored_body(seq, stored);
  }
  chain_finished(seq);
}

void PageLoad::follow_redirect(int seq, const std::string& location) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  Request& done = request(seq);
  auto fail = [&](Code code, std::string message) {
    done.failure = Failure{code, std::move(message)};
    chain_finished(seq);
  };
  bool has_location = false;
  for (const auto& [name, value] : done.response_headers) has_location |= iequals(name, "location");
  if (!has_location) return fail(Code::kBadRedirect, std::to_string(*done.status) + " response has no Location header");
  auto next = resolve_location(f.url, location);
  if (!next.ok()) return fail(next.status().code(), next.status().message());
  done.redirect_url = next->full;
  int hops = 0;
  for (const Fetch* at = &f; at->redirect_from; at = &fetches_[static_cast<std::size_t>(*at->redirect_from)]) ++hops;
  if (hops + 1 > options_.max_redirs)
    return fail(Code::kTooManyRedirects, "more than " + std::to_string(options_.max_redirs) + " redirects (--max-redirs)");
  NextRequest nr = method_after_redirect(*done.status, f.method, f.body);
  std::set<std::string> visited = f.visited;
  visited.insert(f.method + " " + f.url.full);
  // A document's chain stops at a loop, as curl -L's would be pointless to follow; a
  // subresource's is followed as Chromium follows it, a loop included, up to --max-redirs
  // (Chromium's 20 by default), so the page makes the requests a browser makes.
  const bool subresource = f.type != ResourceType::kDocument;
  if (!subresource && visited.count(nr.method + " " + next->full))
    return fail(Code::kRedirectLoop, "redirect loop: " + done.redirect_url + " was already requested");
  if (f.url.scheme == "https" && next->scheme == "http")
    done.warnings.push_back("redirect downgrades https to http: " + done.redirect_url);
  if (stop_failure_)
    return fail(stop_failure_->code, stop_failure_->message + " before the redirect to " + done.redirect_url + " was followed");

  Fetch hop;
  hop.url = std::move(next).value();
  hop.method = nr.method;
  hop.body = nr.body;
  hop.type = f.type;
  hop.priority = f.priority;
  hop.initiator = seq;
  hop.redirect_from = seq;
  hop.chain = f.chain;
  hop.found_by = "redirect";
  hop.discovered_ms = clock_.now_ms();
  hop.document = f.document;
  hop.frame_depth = f.frame_depth;
  hop.import_depth = f.import_depth;
  hop.browser_fetch = f.browser_fetch;
  hop.module = f.module;
  hop.module_graph = f.module_graph;
  hop.visited = std::move(visited);
  // Fetch's response tainting: once a hop of a CORS request went to another origin, its
  // tainting is "cors" for the rest of the chain, and credentials mode "same-origin" sends
  // none, even on a hop back to the document's origin (Chromium's CorsURLLoader likewise).
  hop.cors_anonymous = f.cors_anonymous;
  hop.tainted = f.tainted || f.url.origin() != document_origin(f.document);
  decide_credentials(hop);
  seen_urls_.insert(memory_cache_key(hop.url.full, hop.without_credentials));
  const int next_seq = discover(std::move(hop));
  release(next_seq);  // a redirect keeps its chain's place: no new wait for the scheduler
}

void PageLoad::chain_finished(int seq) {
  // Copied, not referenced: completing a document or stylesheet discovers fetches, and
  // fetches_ may move as it grows.
  const ResourceType type = fetches_[static_cast<std::size_t>(seq)].type;
  const int chain = fetches_[static_cast<std::size_t>(seq)].chain;
  const bool module = fetches_[static_cast<std::size_t>(seq)].module;
  scheduler_finished(chain);
  if (chain == 0) {
    document_chain_end_ = seq;
    run_.document_ms = request(seq).span.end_ms;
  }
  if (type == ResourceType::kDocument) document_complete(seq);
  else if (type == ResourceType::kStylesheet) stylesheet_complete(seq);
  else if (module) module_complete(seq);
}

void PageLoad::document_complete(int seq) {
  // Copied: take_references adds fetches, and fetches_ may move as it grows.
  const int document = fetches_[static_cast<std::size_t>(seq)].document;
  Document& doc = *documents_.at(static_cast<std::size_t>(document));
  if (doc.sniffing && doc.fetch == seq && !request(seq).failure) decide_sniff(document);  // the whole body is in
  if (doc.discovery && doc.fetch == seq && !request(seq).failure) {
    scan_arrived(document);
    take_references(doc.discovery->finish(), seq, document);
    for (const std::string& note : doc.discovery->notes()) request(seq).warnings.push_back(note);
    if (const std::size_t n = doc.discovery->srcdocs_too_deep()) {
      // Which bound cut them: the user's --max-frame-depth, or pageload's own srcdoc depth.
      const bool by_flag = options_.max_frame_depth - doc.frame_depth < page::Limits{}.max_srcdoc_depth;
      std::string why = by_flag ? srcdoc_depth_warning(n, "--max-frame-depth " + std::to_string(options_.max_frame_depth))
                                : srcdoc_depth_warning(n, "pageload's srcdoc depth of " +
                                                              std::to_string(page::Limits{}.max_srcdoc_depth));
      request(seq).warnings.push_back(why);
      (by_flag ? srcdocs_past_flag_ : srcdocs_past_bound_) += n;
    }
  }
  // The document is over, parsed or not: its frame's renderer leaves tight mode once it
  // has the <body> (its head scripts run), or when there is none to wait for.
  doc.body_seen = true;
  doc.complete = true;
  if (!doc.discovery) doc.body_blockers.clear();
  body_progress(document);
}

void PageLoad::stylesheet_complete(int seq) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  Request& req = request(seq);
  if (req.failure || !req.status) return;
  Document& doc = *documents_.at(static_cast<std::size_t>(f.document));
  // A 304 that revalidated it: the stored response is the stylesheet.
  const bool revalidated = req.cache_lookup == "revalidated" && f.revalidating;
  const int status = revalidated ? f.revalidating->status : *req.status;
  const std::string content_type = revalidated ? f.revalidating->content_type : req.content_type;
  if (status < 200 || status > 299) return;  // an error page is not a stylesheet
  // Browsers apply a stylesheet only when it is served as one (strict MIME checking).
  if (media_type(content_type) != "text/css") {
    req.warnings.push_back("not applied: served as '" + content_type + "', not text/css");
    return;
  }
  if (f.stylesheet_truncated)
    req.warnings.push_back("stylesheet read up to " + std::to_string(kMaxStylesheetBytes) + " bytes");
  const std::string text = std::exchange(f.stylesheet_text, std::string());
  const int document = f.document;
  applied_sheets_.emplace(f.url.full, seq);
  // f is not used past this point: take_references discovers fetches, and fetches_ may move.
  if (!doc.discovery) return;
  const std::string url = f.url.full;
  std::vector<page::Reference> refs = doc.discovery->stylesheet(url, text, f.import_depth);
  if (const std::size_t cut = doc.discovery->imports_not_followed(url)) {
    req.warnings.push_back(std::to_string(cut) + (cut == 1 ? " @import" : " @imports") + " not followed: pageload follows @import " +
                           std::to_string(page::Limits{}.max_import_depth) + " deep at most (Chromium has no such bound)");
    imports_too_deep_ += cut;
  }
  take_references(std::move(refs), seq, document);
}

void PageLoad::module_complete(int seq) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  module_ends_[f.chain] = seq;
  if (!f.module_graph || f.module_scanned) return;
  Request& req = request(seq);
  if (req.failure || !req.status || *req.status < 200 || *req.status > 299) return;
  // A module script must be served with a JavaScript MIME type (HTML's strict check):
  // another one fails the module, and Chromium fetches none of its imports.
  if (!is_javascript(req.content_type)) {
    req.warnings.push_back("static imports not read: a module script served as '" + req.content_type +
                           "' is refused, not a JavaScript MIME type");
    return;
  }
  f.module_scanned = true;
  const std::string text = std::exchange(f.module_text, std::string());
  const std::string url = f.url.full;
  const bool cors_anonymous = f.cors_anonymous;
  const int document = f.document;
  const Document& doc = *documents_.at(static_cast<std::size_t>(document));
  page::ModuleReferences found = page::module_import_references(
      url, text, cors_anonymous, kMaxUrlLength, doc.discovery ? &doc.discovery->import_map() : nullptr);
  for (const std::string& note : found.notes) req.warnings.push_back(note);
  // f and req are not used past this point: discovering fetches may move them.
  for (const page::Reference& ref : found.references) discover_reference(ref, seq, document);
}

void PageLoad::module_named_again(const std::string& cache_entry) {
  auto chain = module_chains_.find(cache_entry);
  if (chain == module_chains_.end()) return;
  bool was_graph = false;
  for (Fetch& f : fetches_) {
    if (f.chain != chain->second) continue;
    was_graph = was_graph || f.module_graph;
    f.module_graph = true;
  }
  if (was_graph) return;
  // A modulepreload's module, now named by a module script or an import: its graph is
  // fetched too, as Chromium's module map hands the preloaded module to the script.
  if (auto end = module_ends_.find(chain->second); end != module_ends_.end()) module_complete(end->second);
}

// Connections curl gave up on before the one that answered (it retried the request):
// each one this request opened gets a row that says why; a reused one says so on its row.
void PageLoad::record_retries(transfer::ExchangeResult& result) {
  for (auto& retry : result.retries) {
    if (retry.connection) {
      retry.connection->id = static_cast<int>(run_.connections.size());
      retry.connection->retry_reason = retry.reason;
      if (retry.connection_id) connection_index_[*retry.connection_id] = retry.connection->id;
      run_.connections.push_back(std::move(*retry.connection));
    } else if (retry.connection_id) {
      if (auto it = connection_index_.find(*retry.connection_id); it != connection_index_.end())
        run_.connections[static_cast<std::size_t>(it->second)].retry_reason = retry.reason;
    }
  }
}

// A connection gets its row when a request on it finishes first: often the request that
// opened it, but a stream multiplexed on a new HTTP/2 connection (or a quick request on a
// kept-alive one) may finish before the slow request that opened it. Then the row starts
// as the connection's two ends, and the opener fills it in when it finishes.
void PageLoad::record_connection(Request& req, transfer::ExchangeResult& result) {
  if (result.connection) {
    Connection& opened = *result.connection;
    if (!opened.proxy.empty() && run_.proxy.find(opened.proxy) == std::string::npos)
      run_.proxy += (run_.proxy.empty() ? "" : " ") + opened.proxy;
    auto known = result.connection_id ? connection_index_.find(*result.connection_id) : connection_index_.end();
    if (known != connection_index_.end()) {
      Connection& row = run_.connections[static_cast<std::size_t>(known->second)];
      opened.id = row.id;
      opened.requests = row.requests;
      row = std::move(opened);
      borrowed_.erase(row.id);
    } else {
      opened.id = static_cast<int>(run_.connections.size());
      if (result.connection_id) connection_index_[*result.connection_id] = opened.id;
      run_.connections.push_back(std::move(opened));
    }
    req.connection = run_.connections.back().id;
    if (known != connection_index_.end()) req.connection = known->second;
    if (shared_connections_ && result.connection_id) {
      // What a later run that reuses it must record: where it goes and its certificate.
      Connection facts;
      const Connection& row = run_.connections[static_cast<std::size_t>(*req.connection)];
      facts.proxy = row.proxy;
      facts.tls = row.tls;
      (*shared_connections_)[*result.connection_id] = std::move(facts);
    }
  } else if (req.reused && result.connection_id) {
    auto it = connection_index_.find(*result.connection_id);
    if (it != connection_index_.end()) {
      req.connection = it->second;
    } else {
      Connection c;
      c.id = static_cast<int>(run_.connections.size());
      c.scheme = req.scheme;
      c.host = req.host;
      c.port = req.port;
      c.local_ip = result.connection_id->local_ip;
      c.local_port = result.connection_id->local_port;
      c.remote_ip = result.connection_id->remote_ip;
      c.remote_port = result.connection_id->remote_port;
      if (!c.remote_ip.empty()) c.family = c.remote_ip.find(':') != std::string::npos ? 6 : 4;
      // Opened by an earlier run of the batch (--share-connections): its proxy and TLS
      // (the certificate a -k run went on past) are what that run recorded.
      if (shared_connections_)
        if (auto it = shared_connections_->find(*result.connection_id); it != shared_connections_->end()) {
          c.proxy = it->second.proxy;
          c.tls = it->second.tls;
          if (!c.proxy.empty() && run_.proxy.find(c.proxy) == std::string::npos)
            run_.proxy += (run_.proxy.empty() ? "" : " ") + c.proxy;
        }
      req.connection = c.id;
      connection_index_[*result.connection_id] = c.id;
      borrowed_.insert(c.id);  // until a request of this run turns out to have opened it
      run_.connections.push_back(std::move(c));
    }
  }
  if (req.connection) run_.connections[static_cast<std::size_t>(*req.connection)].requests++;
}

// Rows were added as requests finished, not as connections opened: number them again in
// the order they were opened (the document's first), as the seq columns count. One opened
// by an earlier run (no connect span here) comes first.
void number_connections_by_open_time(Run& run) {
  auto opened_at = [](const Connection& c) { return c.connect ? c.connect->start_ms : -1e300; };
  std::vector<int> order(run.connections.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return opened_at(run.connections[static_cast<std::size_t>(a)]) < opened_at(run.connections[static_cast<std::size_t>(b)]);
  });
  std::vector<int> new_id(order.size());
  std::vector<Connection> sorted;
  sorted.reserve(order.size());
  for (int old : order) {
    new_id[static_cast<std::size_t>(old)] = static_cast<int>(sorted.size());
    sorted.push_back(std::move(run.connections[static_cast<std::size_t>(old)]));
    sorted.back().id = static_cast<int>(sorted.size()) - 1;
  }
  run.connections = std::move(sorted);
  for (Request& r : run.requests)
    if (r.connection) r.connection = new_id[static_cast<std::size_t>(*r.connection)];
}

void PageLoad::fail_unsent(int seq, Failure failure, std::optional<Phase> phase) {
  Fetch& f = fetches_[static_cast<std::size_t>(seq)];
  if (is_finished(f.state)) return;
  stream_ended(f);
  Request& req = request(seq);
  const double now = clock_.now_ms();
  const double start = f.released_ms.value_or(f.discovered_ms);
  req.span = {start, std::max(start, now)};
  if (phase == Phase::kDns) {
    // The name that did not resolve was the proxy's own (the target is the proxy's to
    // resolve): the failure names the proxy, as curl's "Could not resolve proxy", and the
    // run records the proxy it was to go through, though no connection to it was opened.
    if (f.proxy && !f.proxy->resolves_locally && !f.proxy->host_is_ip && iequals(f.dns_host, f.proxy->host)) {
      failure.message = "could not resolve proxy " + failure.message + " (through proxy " + f.proxy->shown +
                        (f.proxy->variable == "-x" ? " given with -x" : " from " + f.proxy->variable) + ")";
      if (run_.proxy.find(f.proxy->shown) == std::string::npos)
        run_.proxy += (run_.proxy.empty() ? "" : " ") + f.proxy->shown;
    }
    // Its own lookup's span is its dns phase. A request that only waited for another
    // one's lookup of the host (or met the page's memory of a failed one) made none: it
    // has no dns phase, its wait is `blocked`, and it fails in dns by the lookup it is
    // linked to.
    if (f.asked_dns && f.lookup) {
      req.dns_lookup = hosts_.at(lower(f.dns_host))->lookup_index;
      req.phases.push_back(PhaseRecord{Phase::kDns, f.lookup->span, failure});
      req.span.start_ms = std::min(req.span.start_ms, f.lookup->span.start_ms);
      req.span.end_ms = std::max(req.span.end_ms, f.lookup->span.end_ms);
    } else {
      const double answered = f.addresses_ms.value_or(now);
      if (answered - f.discovered_ms >= kMinWaitedMs)
        req.phases.push_back(PhaseRecord{Phase::kBlocked, {f.discovered_ms, answered}, std::nullopt});
      req.span = {std::min(req.span.start_ms, f.discovered_ms), std::max(answered, f.discovered_ms)};
    }
    req.error_phase = Phase::kDns;
  }
  if (phase == Phase::kBlocked) {
    // Cut while it waited for the scheduler, a connection or a stream: its wait is the
    // phase it failed in.
    req.phases.push_back(PhaseRecord{Phase::kBlocked, {f.discovered_ms, std::max(f.discovered_ms, now)}, failure});
    req.span.start_ms = std::min(req.span.start_ms, f.discovered_ms);
    req.error_phase = Phase::kBlocked;
  }
  if (!phase && !f.released_ms && now - f.discovered_ms >= kMinWaitedMs)
    req.phases.push_back(PhaseRecord{Phase::kBlocked, {f.discovered_ms, now}, std::nullopt});  // never let go
  req.failure = std::move(failure);
  set_state(f, FetchState::kFailed);
  if (f.released_ms || f.redirect_from) chain_finished(seq);
  else scheduler_finished(f.chain);
}

std::string PageLoad::stop_message(Code code) const {
  if (code == Code::kTimeout) return "--max-time " + std::to_string(options_.max_time_ms) + " ms reached";
  return stop_failure_ ? stop_failure_->message : std::string("interrupted");
}

void PageLoad::check_deadline(double now) {
  if (!deadline_ms_ || now < *deadline_ms_) return;
  expire(Code::kTimeout, stop_message(Code::kTimeout));
}

// Ends what waits on the page itself (the scheduler, DNS); exchanges in flight end in
// curl (their own --max-time share, or Driver::cancel_all).
void PageLoad::expire(Code code, const std::string& message) {
  if (!stop_failure_) stop_failure_ = Failure{code, message};
  for (auto& [key, host] : hosts_) {
    if (!host->resolving) continue;
    host->resolving = false;
    Failure failure{code, message + " during the DNS lookup of " + fetches_[static_cast<std::size_t>(host->owner)].dns_host};
    auto lookup = resolver_.abandon(host->lookup_id, failure);
    if (lookup) {
      lookup->id = static_cast<int>(run_.dns_lookups.size());
      host->lookup_index = lookup->id;
      run_.dns_lookups.push_back(*lookup);
      fetches_[static_cast<std::size_t>(host->owner)].lookup = std::move(lookup);
    }
    fail_unsent(host->owner, failure, Phase::kDns);
    // Those waiting on that lookup were queued behind it: cut in their `blocked` phase (it
    // is not their lookup, so no dns phase of theirs).
    const Failure queued{code, message + " while it waited for request #" + std::to_string(host->owner) +
                                   "'s DNS lookup of " + fetches_[static_cast<std::size_t>(host->owner)].dns_host};
    for (int seq : host->waiters) fail_unsent(seq, queued, Phase::kBlocked);
    host->waiters.clear();
  }
  for (auto& [origin, held] : held_streams_) {
    for (const HeldStream& h : held)
      fail_unsent(h.seq, Failure{code, message + " while it waited for a stream on the origin's connection"}, Phase::kBlocked);
    held.clear();
  }
  for (Fetch& f : fetches_)
    if (f.state == FetchState::kDiscovered)
      fail_unsent(f.seq, Failure{code, message + " while it waited to be sent"}, Phase::kBlocked);
}

void PageLoad::stop(const std::string& message) {
  if (!stop_failure_) stop_failure_ = Failure{Code::kInterrupted, message};
}

void PageLoad::interrupt(const std::string& message) {
  if (finished_) return;
  expire(Code::kInterrupted, message);
  maybe_finish();
}

std::optional<long> PageLoad::timeout_ms() const {
  if (finished_) return std::nullopt;
  if (handed_) return 0;
  if (!deadline_ms_) return std::nullopt;
  return std::max(0L, static_cast<long>(*deadline_ms_ - clock_.now_ms()) + 1);
}

bool PageLoad::waiting_for_dns() const {
  for (const auto& [key, host] : hosts_)
    if (host->resolving) return true;
  return false;
}

void PageLoad::maybe_finish() {
  if (finished_) return;
  for (const Fetch& f : fetches_)
    if (!is_finished(f.state)) return;
  if (!loaded_ && !after_load_.empty() && !stop_failure_) {
    loaded_ = true;
    std::vector<AfterLoad> icons;
    icons.swap(after_load_);
    for (const AfterLoad& a : icons) discover_reference(a.ref, a.initiator, a.document);
    for (Scheduler::Id chain : scheduler_.start()) release(chain);
    for (const Fetch& f : fetches_)
      if (!is_finished(f.state)) return;
  }
  finish();
}

// --max-time or Ctrl-C ended the page after its document had loaded but before every fetch
// had: the run says so (a warning, and the run fails timeout or interrupted), so neither the
// run nor its load_ms reads as a page fully loaded. A document cut short is the run's failure.
void PageLoad::mark_cut_short() {
  const bool deadline_passed = deadline_ms_ && run_.load_ms && *run_.load_ms >= *deadline_ms_ - 2;
  const bool interrupted = stop_failure_ && stop_failure_->code == Code::kInterrupted;
  if (!deadline_passed && !interrupted) return;
  if (run_.failure) return;  // the document itself was cut: the run's failure says so
  const Code code = interrupted ? Code::kInterrupted : Code::kTimeout;
  std::size_t cut = 0;
  for (const Request& r : run_.requests)
    if (r.failure && r.failure->code == code) ++cut;
  const std::size_t icons = after_load_.size();  // never asked for: the page did not finish
  if (!cut && !icons) return;
  std::string message = "page cut short: " + stop_message(code) + " at " + std::to_string(static_cast<long>(*run_.load_ms)) +
                        " ms; " + std::to_string(cut) + (cut == 1 ? " request" : " requests") + " did not finish";
  if (icons) message += ", and the page's icon was not asked for";
  run_.warnings.push_back(message);
  run_.failure = Failure{code, message};
}

void PageLoad::finish() {
  finished_ = true;
  // Closing the run's own pool is when pageload closes its connections: just after the
  // last request ended (load_ms), before the run is stored. How each connection of the run
  // ended (then, or earlier by the server) is copied onto it.
  // The pool for requests without credentials, when the page opened one, closes with it.
  if (owns_pool_) driver_.close_pool(pool_);
  if (owns_anonymous_pool_) driver_.close_pool(*anonymous_pool_);
  auto ours = [this](const transfer::ConnectionId& id) { return connection_index_.count(id) > 0; };
  std::vector<transfer::PoolId> pools{pool_};
  if (anonymous_pool_) pools.push_back(*anonymous_pool_);
  for (const transfer::PoolId pool : pools)
    for (const transfer::ConnectionEnd& end : driver_.take_connection_ends(pool, ours))
      run_.connections[static_cast<std::size_t>(connection_index_.at(end.id))].closed =
          ConnectionClose{clock_.offset_ms(end.closed_us), end.by, end.reason};
  // A connection no request of this run opened was opened by an earlier run sharing the
  // pool (--share-connections): its connect and TLS belong to that run.
  for (Request& r : run_.requests)
    if (r.connection && borrowed_.count(*r.connection))
      r.warnings.push_back("connection opened by an earlier run (--share-connections)");
  number_connections_by_open_time(run_);
  const Request& document = request(document_chain_end_);
  run_.final_url = document.url;
  run_.final_status = document.status;
  run_.failure = document.failure;
  double load = 0;
  for (const Request& r : run_.requests) load = std::max(load, r.span.end_ms);
  run_.load_ms = load;
  run_.total_ms = load;
  if (document.failure) run_.document_ms.reset();  // the document never completed
  mark_cut_short();
  if (not_fetched_) {
    // Discovery stops counting at its own bound per document: past it, more were named
    // than anyone counted, and the figure is a floor.
    bool capped = false;
    for (const auto& doc : documents_) capped |= doc->discovery && doc->discovery->references_capped();
    std::string warning = std::to_string(not_fetched_) + " more references not fetched (--max-requests " +
                          std::to_string(options_.max_requests) + ")";
    if (capped)
      warning = "at least " + warning + "; discovery also stopped at " +
                std::to_string(page::Limits{}.max_references) + " references in a document, so more were not counted";
    run_.warnings.push_back(warning);
  }
  if (imports_too_deep_)
    run_.warnings.push_back(std::to_string(imports_too_deep_) + (imports_too_deep_ == 1 ? " @import" : " @imports") +
                            " not followed: deeper than pageload's @import depth of " +
                            std::to_string(page::Limits{}.max_import_depth) + " (Chromium has no such bound)");
  if (frames_too_deep_)
    run_.warnings.push_back(std::to_string(frames_too_deep_) + (frames_too_deep_ == 1 ? " iframe" : " iframes") +
                            " not loaded: deeper than --max-frame-depth " + std::to_string(options_.max_frame_depth) +
                            " allows");
  if (srcdocs_past_flag_)
    run_.warnings.push_back(srcdoc_depth_warning(srcdocs_past_flag_, "--max-frame-depth " +
                                                                         std::to_string(options_.max_frame_depth)));
  if (srcdocs_past_bound_)
    run_.warnings.push_back(srcdoc_depth_warning(
        srcdocs_past_bound_, "pageload's srcdoc depth of " + std::to_string(page::Limits{}.max_srcdoc_depth)));
  if (run_.failure) run_.outcome = Outcome::kFailed;
  else if (run_.final_status && *run_.final_status >= 400) run_.outcome = Outcome::kHttpError;
  else run_.outcome = Outcome::kOk;
  // The one place a finished run's secrets are redacted: everything it is stored, printed
  // and drawn from comes after this.
  if (!options_.keep_secrets) redact_run(run_);
  if (options_.on_cookie_jar) options_.on_cookie_jar(cookies_.lines());
  if (done_) done_(run_);
}

}  // namespace pageload::loader
