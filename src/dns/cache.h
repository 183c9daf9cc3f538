// The run's DNS cache: what a browser's host cache does within one page load, so a
// redirect back to a host already resolved costs no query and the run records that
// (source "cache"). Keyed by (host, family); honours the answers' TTLs. Pure: the
// caller passes "now" (ms on the run clock), which keeps it testable without waiting.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "pageload/result.h"

namespace pageload::dns {

// RFC 2181 8: a TTL is an unsigned 32-bit number of seconds, and one with the top bit set
// (2^31 or more) is to be treated as 0.
inline constexpr uint32_t kMaxTtl = 0x7fffffff;

// How long an answer with `ttl` may be cached: `ttl`, or 0 past kMaxTtl (RFC 2181 8).
uint32_t cache_ttl(uint32_t ttl);

class DnsCache {
 public:
  // Remembers a successful lookup (outcome NOERROR with at least one address) until
  // now_ms + the smallest cache_ttl() of its answers (CNAMEs included). A lookup with a
  // TTL of 0 (or of 2^31 and more, which counts as 0), a failed lookup, or one that
  // itself came from the cache is not stored. Replaces any entry for the same (host,
  // family). Host names compare case-insensitively.
  void put(const DnsLookup& lookup, double now_ms);

  // The entry for (host, family) if it has not expired at now_ms: a copy with source
  // "cache", a zero-length span at now_ms, no queries or steps, and each answer's TTL reduced by
  // the whole seconds elapsed since put(). nullopt when absent or expired.
  std::optional<DnsLookup> get(const std::string& host, int family, double now_ms) const;

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    DnsLookup lookup;
    double stored_ms = 0;
    double expires_ms = 0;
  };
  std::map<std::pair<std::string, int>, Entry> entries_;
};

}  // namespace pageload::dns
