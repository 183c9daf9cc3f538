// One request of a page through its life, as the loader schedules it. A fetch is one
// request row: a redirect ends it and starts the next hop's fetch, which keeps the chain's
// place in the scheduler.
//
//   discovered --(scheduler lets it go)--> waiting_dns --(addresses)--> queued
//   discovered --(fresh in the HTTP cache: nothing goes on the network)--> done
//   discovered --(addresses known)--> queued
//   queued --(connection ready)--> sending --(request written)--> waiting
//   queued or sending --(the connection to reuse was gone and the answer stale)--> waiting_dns
//   waiting --(first response byte)--> receiving --> done
//   any state but done --> failed
// `queued` is in curl's hands without a connection yet: connecting, or waiting for a free
// connection (six per host over HTTP/1.1) or for an HTTP/2 connection being set up; or
// held by the loader until the origin's one HTTP/2 connection has a free stream.
#pragma once

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/url.h"
#include "pageload/cached_response.h"
#include "transfer/proxy.h"
#include "transfer/transfer.h"
#include "pageload/result.h"

namespace pageload::loader {

enum class FetchState { kDiscovered, kWaitingDns, kQueued, kSending, kWaiting, kReceiving, kDone, kFailed };
inline constexpr std::array<std::string_view, 8> kFetchStateNames{
    "discovered", "waiting_dns", "queued", "sending", "waiting", "receiving", "done", "failed"};
constexpr std::string_view fetch_state_name(FetchState s) { return kFetchStateNames[static_cast<int>(s)]; }

// Whether `from` may become `to` (the diagram above). The loader asserts it on every change.
constexpr bool legal_transition(FetchState from, FetchState to) {
  using S = FetchState;
  if (to == S::kFailed) return from != S::kDone && from != S::kFailed;
  switch (from) {
    case S::kDiscovered: return to == S::kWaitingDns || to == S::kQueued || to == S::kDone;
    case S::kWaitingDns: return to == S::kQueued;
    case S::kQueued: return to == S::kSending || to == S::kWaitingDns;
    case S::kSending: return to == S::kWaiting || to == S::kWaitingDns;
    case S::kWaiting: return to == S::kReceiving;
    case S::kReceiving: return to == S::kDone;
    case S::kDone:
    case S::kFailed: return false;
  }
  return false;
}

constexpr bool is_finished(FetchState s) { return s == FetchState::kDone || s == FetchState::kFailed; }

struct Fetch {
  int seq = 0;    // its Request's seq and index in the run
  int chain = 0;  // the scheduler's id for it: the seq of its chain's first fetch
  FetchState state = FetchState::kDiscovered;

  Url url;
  std::string method = "GET";
  std::optional<std::string> body;
  ResourceType type = ResourceType::kDocument;
  Priority priority = Priority::kHighest;
  std::optional<int> initiator;      // seq
  std::optional<int> redirect_from;  // seq
  std::string found_by;
  std::string note;

  double discovered_ms = 0;
  std::optional<double> released_ms;  // the scheduler let it go (DNS or curl next)
  std::optional<double> addresses_ms;  // its addresses were known (its own lookup, or another's)
  // The lookup this fetch made itself (it owns a dns phase), or the cache entry it used.
  std::optional<DnsLookup> lookup;
  bool asked_dns = false;
  bool waited_for_lookup = false;  // its addresses came from another fetch's lookup in flight
  bool holds_stream = false;  // counted in its origin's streams in curl's hands (PageLoad)
  bool readdressed = false;  // curl found no connection to reuse and no current answer: looked up again
  // The proxy it goes through; when the proxy resolves the target, the name looked up is
  // the proxy's own host (dns_host), not the URL's.
  std::optional<transfer::Proxy> proxy;
  std::string dns_host;
  // --connect-to: the host and port curl connects to instead of the URL's (directly, or
  // through a proxy's tunnel); unset: the URL's.
  std::optional<transfer::ExchangeSpec::ConnectTo> connect_to;

  int document = -1;      // the document this fetch's response feeds or belongs to
  int frame_depth = 0;    // documents: 0 the page, 1 an iframe in it, ...
  int import_depth = 0;   // stylesheets: 0 linked from a document, n for @import
  bool browser_fetch = false;  // fetched by the browser, not the page (the default favicon)
  bool markup_image = false;   // an image its document's markup names: raised once laid out
  // Credentials (Fetch's credentials mode): a CORS request with mode "same-origin"
  // (page::Reference::cors_anonymous) goes without cookies or Authorization when its URL is
  // not of its document's origin, or an earlier hop of its chain was not (`tainted`:
  // Fetch's response tainting "cors"). Such a request goes on the page's pool for requests without credentials,
  // as Chromium keeps sockets and HTTP/2 sessions with and without credentials apart
  // (privacy mode in its socket pool group and SpdySessionKey).
  bool cors_anonymous = false;
  bool tainted = false;
  bool without_credentials = false;
  std::set<std::string> visited;  // "METHOD URL" of its chain, for loops
  std::string stylesheet_text;    // a stylesheet's decoded body, bounded
  bool stylesheet_truncated = false;
  // A module script (<script type=module>, a modulepreload, a module's static import): its
  // decoded body, bounded, read for its static imports when it is done. `module_graph`: a
  // module script's graph is fetched for it (a modulepreload fetches its module alone, as
  // Chromium's FetchSingle does, until a module script or import names the same URL).
  bool module = false;
  bool module_graph = false;
  bool module_scanned = false;
  std::string module_text;

  // The HTTP cache (LoadOptions::http_cache). A stale stored response this request
  // revalidates (its validators are sent with it), the headers it was sent with (what a
  // Vary is matched against later), the wall-clock second it was sent, and a document's
  // decoded body, bounded, kept to be stored.
  std::optional<CachedResponse> revalidating;
  std::vector<Header> cache_request_headers;
  int64_t sent_wall_s = 0;
  std::string document_text;
};

}  // namespace pageload::loader
