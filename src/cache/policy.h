// A browser's HTTP cache rules (RFC 9111, as Chromium's net/http applies them to a private
// cache): whether a response may be stored, how long it stays fresh and why, and whether
// a stored response may answer a new request as it is, after revalidation, or not at all.
// Pure functions of headers and a wall-clock reading handed in: no I/O, no clock of its own.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pageload/cached_response.h"
#include "pageload/result.h"

namespace pageload::cache {

// What decided a response's freshness (stored as requests.cache_reason).
enum class Reason {
  kMaxAge = 0,   // Cache-Control: max-age (s-maxage is for shared caches, not a browser's)
  kExpires,      // Expires - Date (an Expires in the past, or unparsable: stale at once)
  kLastModified, // the heuristic: 10 % of Date - Last-Modified (200, 203, 206)
  kPermanent,    // 300, 301, 308, 410 without freshness headers: fresh for ever (Chromium)
  kNoCache,      // Cache-Control: no-cache or Pragma: no-cache: stored, always revalidated
  kNoStore,      // Cache-Control: no-store: never stored
  kNone,         // nothing says how long: stored only to be revalidated, when it has a validator
  kNotStorable,  // not a GET, a status a cache does not keep, or Vary: *
  kMustRevalidate,  // Cache-Control: must-revalidate turned the Last-Modified heuristic off:
                    // stale at once, revalidated (Chromium's rule)
};
inline constexpr std::array<std::string_view, 9> kReasonNames{
    "max-age", "expires", "last-modified", "permanent", "no-cache", "no-store", "none", "not-storable",
    "must-revalidate"};
constexpr std::string_view reason_name(Reason r) { return kReasonNames[static_cast<int>(r)]; }

// The lifetime of a response that is fresh for ever (Chromium's TimeDelta::Max for a 301
// without freshness headers): a hundred years, a number SQL and JSON can carry.
inline constexpr double kForeverS = 100.0 * 365 * 24 * 3600;

struct Freshness {
  double lifetime_s = 0;  // how long it is fresh from its generation (0: stale at once)
  Reason reason = Reason::kNone;
};

// The first value of the header `name` (case-insensitive); nullopt when absent.
std::optional<std::string> header_value(const std::vector<Header>& headers, std::string_view name);

// The freshness lifetime of a response with `status` and `headers` (Chromium's
// HttpResponseHeaders::GetFreshnessLifetimes): no-cache / no-store first, then max-age,
// then Expires - Date (Date absent: the response time), then for 200/203/206 without
// must-revalidate 10 % of Date - Last-Modified, then 300/301/308/410 for ever.
Freshness freshness(int status, const std::vector<Header>& headers, int64_t response_time_s);

// Why `method` `status` `headers` may not be stored (kNoStore, kNotStorable), or nullopt
// when it may: a GET whose status is final and not 206 (no range requests here), without
// no-store, not Vary: *.
std::optional<Reason> not_storable(std::string_view method, int status, const std::vector<Header>& headers);

// The age of a stored response at `now_s` (RFC 9111 4.2.3: corrected initial age plus
// the time it has been resident).
int64_t current_age(const CachedResponse& stored, int64_t now_s);

// A request's validators from a stored response: its ETag and its Last-Modified.
struct Validators {
  std::optional<std::string> if_none_match;
  std::optional<std::string> if_modified_since;
  bool any() const { return if_none_match || if_modified_since; }
  // As request headers: If-None-Match first, as Chromium sends them.
  std::vector<Header> headers() const;
};

enum class Use {
  kFresh,       // answers the request itself: nothing goes on the network
  kRevalidate,  // stale (or no-cache): a conditional request with its validators
  kUnusable,    // Vary does not match, or stale with nothing to revalidate with
};
inline constexpr std::array<std::string_view, 3> kUseNames{"fresh", "revalidate", "unusable"};
constexpr std::string_view use_name(Use u) { return kUseNames[static_cast<int>(u)]; }

struct Decision {
  Use use = Use::kUnusable;
  Freshness freshness;
  int64_t age_s = 0;
  Validators validators;  // for kRevalidate
};

// Whether `stored` may answer a new GET of its URL sent with `request_headers` at `now_s`.
// Every header its Vary names must have the same value in both requests (absent in both
// matches); Vary: * never matches.
Decision evaluate(const CachedResponse& stored, const std::vector<Header>& request_headers, int64_t now_s);

// RFC 9111 4.3.4: the stored headers after a 304 revalidated them: each header the 304
// carries replaces the stored ones of its name (Content-Length and the framing headers
// excepted: they describe the 304, not the stored body).
std::vector<Header> merge_304_headers(const std::vector<Header>& stored, const std::vector<Header>& not_modified);

// What the cache keeps of a response and its request, so that no secret is kept (the
// README: secrets are redacted before anything is stored; Chromium's disk cache keeps none):
// of the request headers only those the response's Vary names, a secret one (Authorization,
// Cookie...) as its fingerprint (`fingerprint`), so Vary still matches; of the response
// headers none that sets a cookie (Chromium persists headers without them).
std::vector<Header> kept_request_headers(const std::vector<Header>& response_headers,
                                         const std::vector<Header>& request_headers);
std::vector<Header> kept_response_headers(std::vector<Header> response_headers);
// "sha256:" and the value's SHA-256 in hex.
std::string fingerprint(std::string_view value);

}  // namespace pageload::cache
